// Windows anti-malware from WMI (AV-1, AV-2, AV-3): Security Center's productState and Defender's
// MSFT_MpComputerStatus, decoded. Built into the Linux unit tests and the tests run under wine.

#include "mamori/platform/windows_security.hpp"

#include <doctest/doctest.h>

#include <cstdio>

#include "facts_builder.hpp"

namespace mamori::platform {
namespace {

using testing::at;
using testing::kNow;

// productState values as Windows Security Center reports them (field reports, Windows 10/11).
constexpr std::uint32_t kDefenderOn = 397568;           // 0x061100
constexpr std::uint32_t kDefenderOff = 393472;          // 0x060100
constexpr std::uint32_t kDefenderOutOfDate = 397584;    // 0x061110
constexpr std::uint32_t kThirdPartyOn = 266240;         // 0x041000
constexpr std::uint32_t kThirdPartyOutOfDate = 266256;  // 0x041010
constexpr std::uint32_t kThirdPartySnoozed = 270336;    // 0x042000
constexpr std::uint32_t kThirdPartyExpired = 274432;    // 0x043000

WmiObject wscEntry(std::string name, std::uint32_t state) {
  return {{"displayName", std::move(name)}, {"productState", std::int64_t{state}}};
}

TEST_CASE("AV-1: productState of Defender on, off and out of date") {
  const auto on = decodeProductState(kDefenderOn);
  CHECK(on.scanner == WscScanner::kOn);
  CHECK(on.signatures_up_to_date);
  CHECK(on.microsoft);

  const auto off = decodeProductState(kDefenderOff);
  CHECK(off.scanner == WscScanner::kOff);
  CHECK(off.signatures_up_to_date);
  CHECK(off.microsoft);

  const auto old = decodeProductState(kDefenderOutOfDate);
  CHECK(old.scanner == WscScanner::kOn);
  CHECK_FALSE(old.signatures_up_to_date);
}

TEST_CASE("AV-1: productState of a third-party product: on, out of date, snoozed, expired") {
  CHECK(decodeProductState(kThirdPartyOn).scanner == WscScanner::kOn);
  CHECK_FALSE(decodeProductState(kThirdPartyOn).microsoft);
  CHECK_FALSE(decodeProductState(kThirdPartyOutOfDate).signatures_up_to_date);
  CHECK(decodeProductState(kThirdPartySnoozed).scanner == WscScanner::kSnoozed);
  CHECK(decodeProductState(kThirdPartyExpired).scanner == WscScanner::kExpired);
  CHECK(decodeProductState(0x04F000).scanner == WscScanner::kUnrecognised);
}

TEST_CASE("AV-1: a third-party product from Security Center: running, scanning, no dates") {
  const auto p = securityCenterProduct(wscEntry("Trend Micro Apex One", kThirdPartyOn));
  CHECK(p.id == "trend-micro-apex-one");
  CHECK(p.name == "Trend Micro Apex One");
  CHECK(p.service_running.value());
  CHECK(p.real_time_protection.value());
  CHECK(p.signatures_reported_current.value());
  CHECK_FALSE(p.signatures_updated.known());
  CHECK(p.engine_version.reason() == "Windows Security Center reports no engine version");
}

TEST_CASE("AV-1: a snoozed product runs without scanning, an off one does neither") {
  const auto snoozed = securityCenterProduct(wscEntry("ESET Endpoint", kThirdPartySnoozed));
  CHECK(snoozed.service_running.value());
  CHECK_FALSE(snoozed.real_time_protection.value());
  const auto off = securityCenterProduct(wscEntry("ESET Endpoint", 262144));  // 0x040000
  CHECK_FALSE(off.service_running.value());
  CHECK_FALSE(off.real_time_protection.value());
}

TEST_CASE("AV-1: an expired licence or an unknown state is not taken for protection") {
  const auto expired = securityCenterProduct(wscEntry("Vendor AV", kThirdPartyExpired));
  CHECK_FALSE(expired.real_time_protection.known());
  CHECK_FALSE(expired.signatures_reported_current.value());
  const auto odd = securityCenterProduct(wscEntry("Vendor AV", 0x04F000));
  CHECK(odd.service_running.reason() == "productState 0x04F000 has an unknown scanner state");
  const auto none = securityCenterProduct({{"displayName", std::string("Vendor AV")}});
  CHECK(none.real_time_protection.reason() ==
        "Windows Security Center gives no productState for Vendor AV");
}

// MSFT_MpComputerStatus of a healthy Defender whose signatures are `age_days` old at kNow.
WmiObject defenderStatus(int age_days) {
  using namespace std::chrono;
  const auto updated = kNow - days{age_days};
  // CIM DATETIME in Japan's local time, as a Japanese PC reports it.
  const auto local = updated + hours{9};
  const year_month_day date{floor<days>(local)};
  const hh_mm_ss time{local - floor<days>(local)};
  char text[32];
  std::snprintf(text, sizeof text, "%04d%02u%02u%02ld%02ld%02ld.000000+540",
                static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                static_cast<unsigned>(date.day()), static_cast<long>(time.hours().count()),
                static_cast<long>(time.minutes().count()),
                static_cast<long>(time.seconds().count()));
  return {{"AMServiceEnabled", true},
          {"AntivirusEnabled", true},
          {"RealTimeProtectionEnabled", true},
          {"IsTamperProtected", true},
          {"AMRunningMode", std::string("Normal")},
          {"AMEngineVersion", std::string("1.1.24090.11")},
          {"AntivirusSignatureVersion", std::string("1.421.187.0")},
          {"AntivirusSignatureLastUpdated", std::string(text)},
          {"AntivirusSignatureAge", std::int64_t{age_days}},
          {"FullScanEndTime", std::string("20261115031000.000000+540")}};
}

TEST_CASE("AV-2: Defender's status gives versions, protection and the signature date") {
  const auto p = defenderProduct(defenderStatus(2), kNow);
  CHECK(p.id == "defender");
  CHECK(p.engine_version.value() == "1.1.24090.11");
  CHECK(p.signature_version.value() == "1.421.187.0");
  CHECK(p.service_running.value());
  CHECK(p.real_time_protection.value());
  CHECK(p.signatures_updated.value() == kNow - std::chrono::days{2});
  CHECK(p.last_full_scan.value() == at("2026-11-14T18:10:00Z"));
}

TEST_CASE("AV-2: Defender signatures 0, 2 and 10 days old, judged by the lgwan limit (48 h)") {
  const auto judge = [](int age_days) {
    auto facts = testing::healthyFacts();
    facts.antimalware =
        std::vector<policy::AntiMalwareProduct>{defenderProduct(defenderStatus(age_days), kNow)};
    return testing::findingOf(facts, "AV-2");
  };
  CHECK(judge(0).status == policy::Status::kPass);
  const auto two = judge(2);
  CHECK(two.status == policy::Status::kPass);
  CHECK(two.evidence.en ==
        "Microsoft Defender Antivirus: signatures built 2026-11-20T09:00:00Z (age 2 days (48 h), "
        "limit 48 h)");
  const auto ten = judge(10);
  CHECK(ten.status == policy::Status::kFail);
  CHECK(ten.evidence.en.find("age 10 days") != std::string::npos);
}

TEST_CASE("AV-2: a third-party product's own out-of-date report fails AV-2") {
  auto facts = testing::healthyFacts();
  facts.antimalware = std::vector<policy::AntiMalwareProduct>{
      securityCenterProduct(wscEntry("Trend Micro Apex One", kThirdPartyOutOfDate))};
  const auto f = testing::findingOf(facts, "AV-2");
  CHECK(f.status == policy::Status::kFail);
  CHECK(f.evidence.en == "Trend Micro Apex One: the product reports its signatures out of date");
  facts.antimalware = std::vector<policy::AntiMalwareProduct>{
      securityCenterProduct(wscEntry("Trend Micro Apex One", kThirdPartyOn))};
  CHECK(testing::findingOf(facts, "AV-2").status == policy::Status::kPass);
}

TEST_CASE("AV-1: Defender in passive mode does not protect in real time") {
  auto status = defenderStatus(0);
  status.set("AMRunningMode", std::string("Passive Mode"));
  CHECK_FALSE(defenderProduct(status, kNow).real_time_protection.value());
}

TEST_CASE("AV-2: without a signature date, Defender's signature age in days dates them") {
  WmiObject status{{"AMServiceEnabled", true}, {"AntivirusSignatureAge", std::int64_t{10}}};
  const auto p = defenderProduct(status, kNow);
  CHECK(p.signatures_updated.value() == kNow - std::chrono::days{10});
  CHECK(p.real_time_protection.reason() ==
        "MSFT_MpComputerStatus has no RealTimeProtectionEnabled");
  CHECK(p.last_full_scan.reason() == "Defender has recorded no full scan");
}

TEST_CASE("AV-2: CIM DATETIME with its UTC offset, and what is not one") {
  CHECK(parseCimDateTime("20261120083000.000000+540") == at("2026-11-19T23:30:00Z"));
  CHECK(parseCimDateTime("20261120083000.000000-300") == at("2026-11-20T13:30:00Z"));
  CHECK(parseCimDateTime("20261120083000.000000+000") == at("2026-11-20T08:30:00Z"));
  CHECK_FALSE(parseCimDateTime("20261320083000.000000+540"));  // month 13
  CHECK_FALSE(parseCimDateTime("2026112008300.000000+540"));   // one digit short
  CHECK_FALSE(parseCimDateTime("********083000.000000+540"));  // an interval pattern
  CHECK_FALSE(parseCimDateTime(""));
}

TEST_CASE("AV-1: Defender's own status replaces its Security Center entry, others are added") {
  const WmiRows wsc = std::vector<WmiObject>{wscEntry("Windows Defender", kDefenderOn),
                                             wscEntry("Trend Micro Apex One", kThirdPartyOn)};
  const WmiRows defender = std::vector<WmiObject>{defenderStatus(0)};
  const auto products = windowsAntiMalware(wsc, defender, kNow);
  REQUIRE(products.known());
  REQUIRE(products->size() == 2);
  CHECK(products.value()[0].id == "defender");
  CHECK(products.value()[1].id == "trend-micro-apex-one");
}

TEST_CASE("AV-1: Windows Server has no Security Center: Defender alone is enough") {
  const WmiRows wsc = std::unexpected(std::string("WMI root\\SecurityCenter2: invalid namespace"));
  const auto products = windowsAntiMalware(wsc, std::vector<WmiObject>{defenderStatus(0)}, kNow);
  REQUIRE(products.known());
  CHECK(products->size() == 1);
}

TEST_CASE("AV-1: neither class readable: unknown, with both reasons") {
  const WmiRows wsc = std::unexpected(std::string("no SecurityCenter2"));
  const WmiRows defender = std::unexpected(std::string("no Defender"));
  const auto products = windowsAntiMalware(wsc, defender, kNow);
  CHECK_FALSE(products.known());
  CHECK(products.reason() == "no SecurityCenter2; no Defender");
}

TEST_CASE("AV-1: Security Center read, no product registered: known and empty") {
  const auto products = windowsAntiMalware(std::vector<WmiObject>{},
                                           std::unexpected(std::string("no Defender")), kNow);
  REQUIRE(products.known());
  CHECK(products->empty());
}

}  // namespace
}  // namespace mamori::platform
