#include "mamori/policy/json_codec.hpp"

#include <doctest/doctest.h>

#include <boost/json.hpp>

#include "facts_builder.hpp"
#include "mamori/policy/evaluate.hpp"

using namespace mamori::policy;
using namespace mamori::testing;
namespace js = boost::json;

TEST_CASE("verdict JSON: the public field names, evidence in the chosen language") {
  auto facts = healthyFacts();
  facts.antimalware = std::vector<AntiMalwareProduct>{};
  const auto v = evaluate(builtInPolicy(), Segment::kMynumber, facts, {}, kNow);
  const auto doc = toJson(v, Lang::kEn);
  CHECK(doc.at("compliant") == false);
  CHECK(doc.at("admission") == "quarantine");
  CHECK(doc.at("segment") == "mynumber");
  CHECK(doc.at("policy_version") == 0);
  const auto& av1 = doc.at("findings").as_array().at(4).as_object();
  CHECK(av1.at("id") == "AV-1");
  CHECK(av1.at("status") == "fail");
  CHECK(av1.at("severity") == "critical");
  CHECK(av1.at("articles") == "第105条(4), 第106条(1)");
  CHECK(av1.at("evidence") == "no anti-malware product is installed");
  CHECK(av1.at("remediation").at("ja").as_string().starts_with("不正プログラム対策ソフトが必要"));
  CHECK(av1.at("remediation").at("en").as_string().starts_with("An anti-malware product"));
  CHECK(toJson(v, Lang::kJa).at("findings").as_array().at(4).at("evidence") ==
        "不正プログラム対策ソフトがインストールされていません");
}

TEST_CASE("facts JSON: unknown facts carry their reason, USB ids are lsusb hex") {
  auto facts = healthyFacts();
  facts.usb.value().devices.push_back(usbDevice("1-2", 0x0781, 0x5581, "4C53", 0x08));
  const auto doc = toJson(facts).as_object();
  CHECK(doc.at("collected_at") == "2026-11-22T09:00:00Z");
  CHECK(doc.at("device").at("hostname") == "soumu-pc-014");
  const auto& stick = doc.at("usb").at("devices").as_array().at(1);
  CHECK(stick.at("vendor_id") == "0781");
  CHECK(stick.at("product_id") == "5581");
  CHECK(stick.at("kinds").as_array() == js::array{"storage"});
  CHECK(stick.at("interfaces").as_array().at(0).at("class") == "08");
  const auto& clam = doc.at("antimalware").as_array().at(0);
  CHECK(clam.at("last_full_scan").at("unknown") == "ClamAV keeps no record of full scans");
  CHECK(clam.at("signatures_updated") == "2026-11-21T21:00:00Z");
  CHECK(doc.at("packages").at("count") == 3);
  CHECK(doc.at("packages").at("installed").as_array().at(2).at("name") == "openssl");

  facts.os = Observed<OsRelease>::unknown("neither /etc/os-release nor /usr/lib/os-release");
  CHECK(toJson(facts).at("os").at("unknown") == "neither /etc/os-release nor /usr/lib/os-release");
}
