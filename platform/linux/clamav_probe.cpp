#include <algorithm>

#include "antimalware_probes.hpp"
#include "mamori/platform/clamav_header.hpp"
#include "mamori/policy/debian_version.hpp"

namespace mamori::platform::linux {
namespace {

using policy::Observed;

constexpr std::string_view kDefaultDatabaseDir = "/var/lib/clamav";

// freshclam.conf may move the databases (`DatabaseDirectory /srv/clamav`).
std::string databaseDirectory(const RootFs& fs) {
  const auto conf = fs.read("/etc/clamav/freshclam.conf", 1 << 20);
  if (!conf) return std::string(kDefaultDatabaseDir);
  std::string_view text = *conf;
  constexpr std::string_view kKey = "DatabaseDirectory";
  for (std::size_t pos = 0; pos < text.size();) {
    auto end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const auto line = text.substr(pos, end - pos);
    pos = end + 1;
    if (!line.starts_with(kKey) || line.size() == kKey.size() ||
        (line[kKey.size()] != ' ' && line[kKey.size()] != '\t')) {
      continue;
    }
    // clamd would refuse a directive without a value; the default is what it would use.
    const auto first = line.find_first_not_of(" \t\r", kKey.size());
    if (first == std::string_view::npos) break;
    auto value = line.substr(first, line.find_last_not_of(" \t\r") + 1 - first);
    while (value.size() > 1 && value.back() == '/') value.remove_suffix(1);
    return std::string(value);
  }
  return std::string(kDefaultDatabaseDir);
}

// One database (`daily`): whichever of .cvd / .cld holds the higher version, as ClamAV loads it.
std::optional<policy::SignatureDatabase> readDatabase(const RootFs& fs, const std::string& dir,
                                                      std::string_view base) {
  std::optional<policy::SignatureDatabase> best;
  for (std::string_view ext : {".cvd", ".cld"}) {
    const auto file = dir + "/" + std::string(base) + std::string(ext);
    if (!fs.exists(file)) continue;
    policy::SignatureDatabase db;
    db.file = file;
    const auto bytes = fs.read(file, 512);
    const auto header = bytes ? parseClamAvHeader(*bytes) : std::unexpected(bytes.error());
    if (header) {
      db.built = header->built;
      db.version = header->version;
      db.signatures = header->signatures;
      db.functionality_level = header->functionality_level;
    } else {
      db.built = Observed<policy::TimePoint>::unknown(file + ": " + header.error());
    }
    if (!best || (db.built.known() && (!best->built.known() || db.version > best->version))) {
      best = std::move(db);
    }
  }
  return best;
}

// libclamav carries the engine; its package name has the soname in it (libclamav11).
Observed<std::string> engineVersion(const Observed<policy::PackageInventory>& packages) {
  if (!packages.known()) {
    return Observed<std::string>::unknown("engine version unknown: " + packages.reason());
  }
  // After a release upgrade the old soname (libclamav11) lingers beside the new one until
  // autoremove: the engine in use is the newest.
  const policy::InstalledPackage* newest = nullptr;
  for (const auto& p : packages->packages) {
    if (p.name.size() <= 9 || !p.name.starts_with("libclamav") || p.name[9] < '0' ||
        p.name[9] > '9') {
      continue;
    }
    if (!newest || policy::compareDebianVersions(p.version, newest->version).value_or(0) > 0) {
      newest = &p;
    }
  }
  if (newest) return newest->version;
  for (std::string_view name : {"clamav-base", "clamav"}) {
    if (const auto found = packages->find(name); !found.empty()) return found.front().version;
  }
  return Observed<std::string>::unknown("ClamAV engine not found in the package database");
}

Observed<bool> running(const Observed<ProcessNames>& processes, std::string_view name) {
  if (!processes.known()) return Observed<bool>::unknown(processes.reason());
  return processes->contains(name);
}

}  // namespace

std::optional<policy::AntiMalwareProduct> probeClamAv(const AntiMalwareContext& c) {
  const auto dir = databaseDirectory(c.fs);
  policy::AntiMalwareProduct p;
  p.id = "clamav";
  p.name = "ClamAV";
  for (std::string_view base : {"main", "daily", "bytecode"}) {
    if (auto db = readDatabase(c.fs, dir, base)) p.databases.push_back(std::move(*db));
  }
  const bool packaged = c.packages.known() && (!c.packages->find("clamav").empty() ||
                                               !c.packages->find("clamav-daemon").empty());
  if (p.databases.empty() && !packaged && !c.fs.exists("/usr/sbin/clamd")) return std::nullopt;

  // The daily database is what freshclam refreshes; its build time is the signatures' age.
  const auto daily = std::ranges::find_if(p.databases, [](const policy::SignatureDatabase& db) {
    return db.file.find("/daily.") != std::string::npos;
  });
  if (daily == p.databases.end()) {
    p.signatures_updated = Observed<policy::TimePoint>::unknown(
        "no daily database (daily.cvd or daily.cld) in " + dir);
    p.signature_version = Observed<std::string>::unknown("no daily database in " + dir);
  } else {
    p.signatures_updated = daily->built;
    p.signature_version = daily->built.known()
                              ? Observed<std::string>(std::to_string(daily->version))
                              : Observed<std::string>::unknown(daily->built.reason());
  }
  p.engine_version = engineVersion(c.packages);
  // clamd is the resident scanner; clamonacc feeds it file accesses (on-access = real time).
  p.service_running = running(c.processes, "clamd");
  p.real_time_protection = running(c.processes, "clamonacc");
  p.last_full_scan = Observed<policy::TimePoint>::unknown("ClamAV keeps no record of full scans");
  return p;
}

}  // namespace mamori::platform::linux
