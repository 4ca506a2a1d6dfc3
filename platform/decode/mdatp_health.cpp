#include "mamori/platform/mdatp_health.hpp"

#include <boost/json/parse.hpp>
#include <charconv>

namespace mamori::platform {
namespace {

namespace js = boost::json;

// A setting's value, unwrapping `{"value": ...}` where newer versions wrap it.
const js::value* setting(const js::object& health, std::string_view key) {
  const auto* v = health.if_contains(key);
  if (v && v->is_object()) v = v->get_object().if_contains("value");
  return v;
}

policy::Observed<bool> boolSetting(const js::object& health, std::string_view key) {
  const auto* v = setting(health, key);
  if (!v || !v->is_bool()) {
    return policy::Observed<bool>::unknown("mdatp health has no boolean " + std::string(key));
  }
  return v->get_bool();
}

policy::Observed<std::string> stringField(const js::object& health, std::string_view key) {
  const auto* v = setting(health, key);
  if (!v || !v->is_string() || v->get_string().empty()) {
    return policy::Observed<std::string>::unknown("mdatp health has no " + std::string(key));
  }
  return std::string(v->get_string());
}

policy::Observed<policy::TimePoint> epochMillis(const js::object& health, std::string_view key) {
  const auto* v = setting(health, key);
  long long ms = 0;
  bool ok = false;
  if (v && v->is_string()) {
    const auto s = std::string_view(v->get_string());
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), ms);
    ok = ec == std::errc{} && ptr == s.data() + s.size();
  } else if (v && v->is_int64()) {
    ms = v->get_int64();
    ok = true;
  }
  if (!ok || ms <= 0) {
    return policy::Observed<policy::TimePoint>::unknown("mdatp health has no time in " +
                                                        std::string(key));
  }
  return policy::TimePoint{
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::milliseconds{ms})};
}

}  // namespace

std::expected<policy::AntiMalwareProduct, std::string> parseMdatpHealth(std::string_view json) {
  boost::system::error_code ec;
  const auto doc = js::parse(json, ec);
  if (ec) return std::unexpected("mdatp health output is not JSON: " + ec.message());
  if (!doc.is_object()) return std::unexpected("mdatp health output is not a JSON object");
  const auto& health = doc.get_object();
  if (!health.contains("appVersion") && !health.contains("healthy")) {
    return std::unexpected("mdatp health output lacks appVersion and healthy");
  }

  policy::AntiMalwareProduct p;
  p.id = "mdatp";
  p.name = "Microsoft Defender for Endpoint";
  p.engine_version = stringField(health, "appVersion");
  p.signature_version = stringField(health, "definitionsVersion");
  p.signatures_updated = epochMillis(health, "definitionsUpdated");
  p.real_time_protection = boolSetting(health, "realTimeProtectionEnabled");
  if (const auto passive = boolSetting(health, "passiveModeEnabled");
      passive.known() && passive.value()) {
    p.real_time_protection = false;
  }
  p.last_full_scan =
      policy::Observed<policy::TimePoint>::unknown("mdatp health reports no full-scan time");
  return p;
}

}  // namespace mamori::platform
