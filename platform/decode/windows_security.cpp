#include "mamori/platform/windows_security.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "text_lines.hpp"

namespace mamori::platform {
namespace {

using policy::Observed;

std::string hex(std::uint32_t value) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "0x%06X", value);
  return buffer;
}

// `Trend Micro Apex One` -> `trend-micro-apex-one`: the key a city uses for the product in the
// policy's min_engine_versions.
std::string productId(std::string_view name) {
  std::string id;
  for (const char c : textscan::asciiLower(name)) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      id += c;
    } else if (!id.empty() && id.back() != '-') {
      id += '-';
    }
  }
  while (!id.empty() && id.back() == '-') id.pop_back();
  return id.empty() ? "unnamed" : id;
}

template <class T>
bool readDigits(std::string_view text, std::size_t at, std::size_t count, T& out) {
  if (at + count > text.size()) return false;
  const auto part = text.substr(at, count);
  if (!std::ranges::all_of(part, [](char c) { return c >= '0' && c <= '9'; })) return false;
  return std::from_chars(part.data(), part.data() + part.size(), out).ec == std::errc{};
}

}  // namespace

WscProductState decodeProductState(std::uint32_t product_state) {
  WscProductState s;
  s.raw = product_state;
  switch (product_state & 0xF000u) {
    case 0x0000u: s.scanner = WscScanner::kOff; break;
    case 0x1000u: s.scanner = WscScanner::kOn; break;
    case 0x2000u: s.scanner = WscScanner::kSnoozed; break;
    case 0x3000u: s.scanner = WscScanner::kExpired; break;
    default: s.scanner = WscScanner::kUnrecognised; break;
  }
  s.signatures_up_to_date = (product_state & 0x00F0u) == 0;
  s.microsoft = (product_state & 0x0F00u) == 0x0100u;
  return s;
}

policy::AntiMalwareProduct securityCenterProduct(const WmiObject& instance) {
  policy::AntiMalwareProduct p;
  p.name = instance.string("displayName").value_or("");
  p.id = productId(p.name);
  const std::string no_version = "Windows Security Center reports no engine version";
  p.engine_version = Observed<std::string>::unknown(no_version);
  p.signature_version = Observed<std::string>::unknown(no_version);
  p.signatures_updated =
      Observed<policy::TimePoint>::unknown("Windows Security Center reports no signature date");
  p.last_full_scan =
      Observed<policy::TimePoint>::unknown("Windows Security Center reports no scan history");

  const auto raw = instance.integer("productState");
  if (!raw || *raw < 0 || *raw > 0xFFFFFFFF) {
    const std::string why = "Windows Security Center gives no productState for " + p.name;
    p.service_running = Observed<bool>::unknown(why);
    p.real_time_protection = Observed<bool>::unknown(why);
    return p;
  }
  const auto state = decodeProductState(static_cast<std::uint32_t>(*raw));
  p.signatures_reported_current = state.signatures_up_to_date;
  switch (state.scanner) {
    case WscScanner::kOn:
      p.service_running = true;
      p.real_time_protection = true;
      break;
    case WscScanner::kSnoozed:  // paused by a user or the vendor: running, not scanning
      p.service_running = true;
      p.real_time_protection = false;
      break;
    case WscScanner::kOff:
      p.service_running = false;
      p.real_time_protection = false;
      break;
    case WscScanner::kExpired:  // a lapsed licence: nothing says it still scans or updates
      p.service_running = true;
      p.real_time_protection = Observed<bool>::unknown(
          "Windows Security Center reports the licence of " + p.name + " expired");
      p.signatures_reported_current = false;
      break;
    case WscScanner::kUnrecognised: {
      const std::string why = "productState " + hex(state.raw) + " has an unknown scanner state";
      p.service_running = Observed<bool>::unknown(why);
      p.real_time_protection = Observed<bool>::unknown(why);
      break;
    }
  }
  return p;
}

policy::AntiMalwareProduct defenderProduct(const WmiObject& status, policy::TimePoint now) {
  policy::AntiMalwareProduct p;
  p.id = "defender";
  p.name = "Microsoft Defender Antivirus";
  const auto missing = [](std::string_view property) {
    return "MSFT_MpComputerStatus has no " + std::string(property);
  };
  const auto text = [&](std::string_view property) -> Observed<std::string> {
    if (auto v = status.string(property); v && !v->empty()) return *v;
    return Observed<std::string>::unknown(missing(property));
  };
  const auto flag = [&](std::string_view property) -> Observed<bool> {
    if (auto v = status.boolean(property)) return *v;
    return Observed<bool>::unknown(missing(property));
  };

  p.engine_version = text("AMEngineVersion");
  p.signature_version = text("AntivirusSignatureVersion");
  p.service_running = flag("AMServiceEnabled");
  p.real_time_protection = flag("RealTimeProtectionEnabled");
  // In passive mode another product is primary and Defender does not block anything.
  const auto mode = status.string("AMRunningMode");
  if (mode && mode->find("Passive") != std::string::npos) p.real_time_protection = false;

  const auto cimTime = [&](std::string_view property) -> std::optional<policy::TimePoint> {
    const auto value = status.string(property);
    return value ? parseCimDateTime(*value) : std::nullopt;
  };
  if (const auto updated = cimTime("AntivirusSignatureLastUpdated")) {
    p.signatures_updated = *updated;
  } else if (auto age = status.integer("AntivirusSignatureAge"); age && *age >= 0 && *age < 65535) {
    p.signatures_updated = now - std::chrono::days{*age};
  } else {
    p.signatures_updated = Observed<policy::TimePoint>::unknown(missing("signature date"));
  }
  if (const auto scanned = cimTime("FullScanEndTime")) {
    p.last_full_scan = *scanned;
  } else {
    p.last_full_scan = Observed<policy::TimePoint>::unknown("Defender has recorded no full scan");
  }
  return p;
}

policy::Observed<std::vector<policy::AntiMalwareProduct>> windowsAntiMalware(
    const WmiRows& security_center, const WmiRows& defender_status, policy::TimePoint now) {
  if (!security_center && !defender_status) {
    return Observed<std::vector<policy::AntiMalwareProduct>>::unknown(
        security_center.error() + "; " + defender_status.error());
  }
  std::vector<policy::AntiMalwareProduct> products;
  const bool have_defender = defender_status && !defender_status->empty();
  if (have_defender) products.push_back(defenderProduct(defender_status->front(), now));
  if (security_center) {
    for (const auto& instance : *security_center) {
      const auto raw = instance.integer("productState");
      const bool microsoft = raw && decodeProductState(static_cast<std::uint32_t>(*raw)).microsoft;
      if (microsoft && have_defender) continue;  // already there, from its own status
      products.push_back(securityCenterProduct(instance));
    }
  }
  return products;
}

std::optional<policy::TimePoint> parseCimDateTime(std::string_view text) {
  // yyyymmddHHMMSS.mmmmmmsUUU
  if (text.size() != 25 || text[14] != '.' || (text[21] != '+' && text[21] != '-')) {
    return std::nullopt;
  }
  int year = 0;
  unsigned month = 0, day = 0, hour = 0, minute = 0, second = 0, micro = 0, offset = 0;
  if (!readDigits(text, 0, 4, year) || !readDigits(text, 4, 2, month) ||
      !readDigits(text, 6, 2, day) || !readDigits(text, 8, 2, hour) ||
      !readDigits(text, 10, 2, minute) || !readDigits(text, 12, 2, second) ||
      !readDigits(text, 15, 6, micro) || !readDigits(text, 22, 3, offset)) {
    return std::nullopt;
  }
  using namespace std::chrono;
  const year_month_day date{std::chrono::year{year}, std::chrono::month{month},
                            std::chrono::day{day}};
  if (!date.ok() || hour > 23 || minute > 59 || second > 60 || offset > 14 * 60) {
    return std::nullopt;
  }
  const auto local = sys_days{date} + hours{hour} + minutes{minute} + seconds{second};
  const auto utc = text[21] == '+' ? local - minutes{offset} : local + minutes{offset};
  return time_point_cast<policy::TimePoint::duration>(utc);
}

}  // namespace mamori::platform
