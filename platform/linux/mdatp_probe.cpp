#include "antimalware_probes.hpp"
#include "mamori/platform/mdatp_health.hpp"

namespace mamori::platform::linux {
namespace {

using policy::Observed;

constexpr std::string_view kMdatp = "/usr/bin/mdatp";

// Without `mdatp health`, every fact is unknown for the same reason; the version still comes
// from the package database.
policy::AntiMalwareProduct unqueried(const AntiMalwareContext& c, const std::string& why) {
  policy::AntiMalwareProduct p;
  p.id = "mdatp";
  p.name = "Microsoft Defender for Endpoint";
  p.real_time_protection = Observed<bool>::unknown(why);
  p.signatures_updated = Observed<policy::TimePoint>::unknown(why);
  p.signature_version = Observed<std::string>::unknown(why);
  p.last_full_scan = Observed<policy::TimePoint>::unknown(why);
  const auto package =
      c.packages.known() ? c.packages->find("mdatp") : std::span<const policy::InstalledPackage>{};
  p.engine_version = package.empty() ? Observed<std::string>::unknown(why)
                                     : Observed<std::string>(package.front().version);
  return p;
}

}  // namespace

std::optional<policy::AntiMalwareProduct> probeMdatp(const AntiMalwareContext& c) {
  const bool packaged = c.packages.known() && !c.packages->find("mdatp").empty();
  if (!packaged && !c.fs.exists("/opt/microsoft/mdatp")) return std::nullopt;

  policy::AntiMalwareProduct p;
  if (c.commands == nullptr) {
    p = unqueried(c, "mdatp health is not run for a root other than /");
  } else {
    using namespace std::chrono_literals;
    const auto result = c.commands->run({std::string(kMdatp), "health", "--output", "json"}, 15s);
    if (!result) {
      p = unqueried(c, "mdatp health: " + result.error());
    } else if (result->exit_code != 0) {
      p = unqueried(c, "mdatp health exited with status " + std::to_string(result->exit_code));
    } else if (auto parsed = parseMdatpHealth(result->output)) {
      p = std::move(*parsed);
    } else {
      p = unqueried(c, parsed.error());
    }
  }
  p.service_running = c.processes.known() ? Observed<bool>(c.processes->contains("wdavdaemon"))
                                          : Observed<bool>::unknown(c.processes.reason());
  return p;
}

}  // namespace mamori::platform::linux
