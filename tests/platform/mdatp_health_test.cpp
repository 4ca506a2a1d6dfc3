// `mdatp health --output json`: Microsoft Defender for Endpoint on Linux (AV-1, AV-2, AV-3).

#include "mamori/platform/mdatp_health.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "mamori/policy/time.hpp"
#include "temp_root.hpp"

namespace mamori::platform {
namespace {

std::string sample() { return testing::readFixture("mdatp/health-101.23062.json"); }

std::string at(const policy::Observed<policy::TimePoint>& t) {
  return t.known() ? policy::formatTimestamp(t.value()) : "unknown: " + t.reason();
}

TEST_CASE("AV-1, AV-2, AV-3: the health of version 101.23062 reads into a product") {
  const auto product = parseMdatpHealth(sample());
  REQUIRE_MESSAGE(product.has_value(), product.error());
  CHECK(product->id == "mdatp");
  CHECK(product->name == "Microsoft Defender for Endpoint");
  REQUIRE(product->engine_version.known());
  CHECK(product->engine_version.value() == "101.23062.0010");  // appVersion: what policy compares
  REQUIRE(product->signature_version.known());
  CHECK(product->signature_version.value() == "1.421.1187.0");
  CHECK(at(product->signatures_updated) == "2026-11-21T12:00:00Z");
  REQUIRE(product->real_time_protection.known());
  CHECK(product->real_time_protection.value());
}

TEST_CASE("AV-1: facts mdatp health cannot tell are unknown with a reason, never guessed") {
  const auto product = parseMdatpHealth(sample());
  REQUIRE_MESSAGE(product.has_value(), product.error());
  CHECK_FALSE(product->last_full_scan.known());
  CHECK_FALSE(product->last_full_scan.reason().empty());
  // The process table decides this, not the health document.
  CHECK_FALSE(product->service_running.known());
}

TEST_CASE("AV-1: settings read the same whether wrapped in {value: ...} or plain") {
  const auto wrapped = parseMdatpHealth(
      R"({"appVersion":"101.24092.0002","healthy":true,)"
      R"("realTimeProtectionEnabled":{"displayValue":"true","isManaged":false,"value":true},)"
      R"("definitionsUpdated":{"value":"1795262400000"}})");
  const auto plain = parseMdatpHealth(
      R"({"appVersion":"101.24092.0002","healthy":true,"realTimeProtectionEnabled":true,)"
      R"("definitionsUpdated":"1795262400000"})");
  REQUIRE_MESSAGE(wrapped.has_value(), wrapped.error());
  REQUIRE_MESSAGE(plain.has_value(), plain.error());
  for (const auto* p : {&*wrapped, &*plain}) {
    REQUIRE(p->real_time_protection.known());
    CHECK(p->real_time_protection.value());
    CHECK(at(p->signatures_updated) == "2026-11-21T12:00:00Z");
    CHECK(p->engine_version.value() == "101.24092.0002");
  }
}

TEST_CASE("AV-2: definitionsUpdated as a JSON number of milliseconds is read too") {
  const auto p = parseMdatpHealth(R"({"appVersion":"101.1","definitionsUpdated":1795262400999})");
  REQUIRE_MESSAGE(p.has_value(), p.error());
  CHECK(at(p->signatures_updated) == "2026-11-21T12:00:00Z");
}

TEST_CASE("AV-1: passive mode counts as real-time protection off, whatever realTime says") {
  const auto p = parseMdatpHealth(
      R"({"appVersion":"101.23062.0010","healthy":true,)"
      R"("passiveModeEnabled":{"displayValue":"true","isManaged":true,"value":true},)"
      R"("realTimeProtectionEnabled":{"displayValue":"true","isManaged":true,"value":true}})");
  REQUIRE_MESSAGE(p.has_value(), p.error());
  REQUIRE(p->real_time_protection.known());
  CHECK_FALSE(p->real_time_protection.value());
}

TEST_CASE("AV-1: real-time protection switched off is reported off") {
  const auto p = parseMdatpHealth(R"({"appVersion":"101.23062.0010","passiveModeEnabled":false,)"
                                  R"("realTimeProtectionEnabled":{"value":false}})");
  REQUIRE_MESSAGE(p.has_value(), p.error());
  REQUIRE(p->real_time_protection.known());
  CHECK_FALSE(p->real_time_protection.value());
}

TEST_CASE("AV-1, AV-2: missing or malformed fields are unknown with a reason naming the field") {
  const auto p = parseMdatpHealth(
      R"({"healthy":false,"realTimeProtectionEnabled":"yes","definitionsUpdated":"soon"})");
  REQUIRE_MESSAGE(p.has_value(), p.error());
  CHECK_FALSE(p->engine_version.known());
  CHECK(p->engine_version.reason().find("appVersion") != std::string::npos);
  CHECK_FALSE(p->real_time_protection.known());
  CHECK(p->real_time_protection.reason().find("realTimeProtectionEnabled") != std::string::npos);
  CHECK_FALSE(p->signatures_updated.known());
  CHECK(p->signatures_updated.reason().find("definitionsUpdated") != std::string::npos);
  CHECK_FALSE(p->signature_version.known());
}

TEST_CASE("AV-1: output that is not JSON is an error") {
  const auto p = parseMdatpHealth("ATTENTION: No license found. Contact your administrator.\n");
  REQUIRE_FALSE(p.has_value());
  CHECK(p.error().find("not JSON") != std::string::npos);
  CHECK_FALSE(parseMdatpHealth("").has_value());
  CHECK_FALSE(parseMdatpHealth(R"({"appVersion":"101.23062.0010")").has_value());
}

TEST_CASE("AV-1: JSON that is not a health document is an error") {
  const auto p = parseMdatpHealth(R"({"$type":"error","message":"daemon not running"})");
  REQUIRE_FALSE(p.has_value());
  CHECK(p.error().find("appVersion") != std::string::npos);
  CHECK_FALSE(parseMdatpHealth(R"(["appVersion","healthy"])").has_value());
  CHECK_FALSE(parseMdatpHealth("42").has_value());
}

}  // namespace
}  // namespace mamori::platform
