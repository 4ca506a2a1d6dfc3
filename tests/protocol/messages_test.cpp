#include "mamori/protocol/messages.hpp"

#include <doctest/doctest.h>

#include <boost/json/serialize.hpp>

#include "facts_builder.hpp"
#include "mamori/policy/json_codec.hpp"
#include "mamori/protocol/base64url.hpp"

using namespace mamori;
using namespace mamori::protocol;
using mamori::testing::kNow;

namespace {

Report sampleReport() {
  Report r;
  r.report_id = "0b6f9c1e-3d4a-4f8e-9a51-2c7d8e9f0a1b";
  r.generated_at = kNow;
  r.agent_version = "0.1.0";
  r.policy_version = 7;
  r.agent_verdict = {true, policy::Admission::kAdmit};
  r.facts = testing::healthyFacts();
  r.facts.device = {"soumu-pc-014",
                    "3f9c2a7e5d1b48c6a0e4f7b2c9d81a5e",
                    "4c4c4544-0042-3510-8051-b7c04f4b3732",
                    {"52:54:00:12:34:56"}};
  return r;
}

std::string text(const boost::json::object& o) { return boost::json::serialize(o); }

}  // namespace

TEST_CASE("a report survives the wire unchanged") {
  const auto sent = sampleReport();
  const auto received = reportFromJson(text(toJson(sent)));
  REQUIRE(received.has_value());
  CHECK(received->report_id == sent.report_id);
  CHECK(received->generated_at == sent.generated_at);
  CHECK(received->policy_version == 7);
  CHECK(received->agent_verdict.compliant);
  CHECK(received->facts.device == sent.facts.device);
  CHECK(boost::json::serialize(policy::toJson(received->facts)) ==
        boost::json::serialize(policy::toJson(sent.facts)));
}

TEST_CASE("a malformed report names the field and the reason") {
  auto json = toJson(sampleReport());
  SUBCASE("bad id") {
    json["report_id"] = "../../etc";
    const auto r = reportFromJson(text(json));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().field == "$.report_id");
  }
  SUBCASE("unknown key") {
    json["compliant"] = true;
    const auto r = reportFromJson(text(json));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().field == "$.compliant");
  }
  SUBCASE("a broken fact keeps its full path") {
    json["facts"].as_object()["os"] = 42;
    const auto r = reportFromJson(text(json));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().field == "$.facts.os");
  }
  SUBCASE("not JSON at all") {
    const auto r = reportFromJson("{\"report_id\": ");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == ErrorCode::kParse);
    CHECK(r.error().line == 1);
  }
}

TEST_CASE("第86条: an enrollment request must name the machine it comes from") {
  EnrollRequest request{"mmt_token", "-----BEGIN CERTIFICATE REQUEST-----\n", {}, "0.1.0"};
  request.identity = sampleReport().facts.device;
  REQUIRE(enrollRequestFromJson(text(toJson(request))).has_value());

  request.identity.machine_id.clear();
  auto r = enrollRequestFromJson(text(toJson(request)));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().field == "$.identity.machine_id");

  request.identity.machine_id = "3f9c2a7e5d1b48c6a0e4f7b2c9d81a5e";
  request.identity.macs = {"52-54-00-12-34-56"};
  r = enrollRequestFromJson(text(toJson(request)));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().field == "$.identity.macs[0]");
}

TEST_CASE("control characters never reach the collector's logs through a string field") {
  EnrollRequest request{"mmt_a\x1b[2Jb", "csr", sampleReport().facts.device, "0.1.0"};
  const auto r = enrollRequestFromJson(text(toJson(request)));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().field == "$.token");
}

TEST_CASE("an acknowledgement carries the collector's admission and verdict") {
  ReportAck ack;
  ack.report_id = "0b6f9c1e-3d4a-4f8e-9a51-2c7d8e9f0a1b";
  ack.duplicate = true;
  ack.admission.device_id = "dev-1";
  ack.admission.admission = policy::Admission::kWarn;
  ack.admission.grace_ends = kNow;
  ack.admission.reason = {"猶予期間中", "in grace"};
  ack.verdict = {{"compliant", false}};
  const auto back = reportAckFromJson(text(toJson(ack)));
  REQUIRE(back.has_value());
  CHECK(back->duplicate);
  CHECK(back->admission.admission == policy::Admission::kWarn);
  CHECK(back->admission.grace_ends == kNow);
  CHECK_FALSE(back->admission.reported_at.has_value());
  CHECK(back->admission.reason.ja == "猶予期間中");
  CHECK(back->verdict.at("compliant") == false);
}

TEST_CASE("NET-4: an isolation rides on the admission, and its absence is understood") {
  AdmissionState state;
  state.device_id = "dev-1";
  state.reason = {"CSIRT による隔離", "CSIRT isolation"};
  state.isolation = Isolation{kNow, "csirt-sato", "INC-2026-0042 マルウェア感染の疑い"};
  const auto back = admissionStateFromJson(text(toJson(state)));
  REQUIRE_MESSAGE(back.has_value(), back.error().describe());
  REQUIRE(back->isolation.has_value());
  CHECK(back->isolation->since == kNow);
  CHECK(back->isolation->by == "csirt-sato");
  CHECK(back->isolation->reason == "INC-2026-0042 マルウェア感染の疑い");

  // A collector from before isolation sends no such key; null is the same.
  auto json = toJson(state);
  json["isolation"] = nullptr;
  CHECK_FALSE(admissionStateFromJson(text(json))->isolation.has_value());
  json.erase("isolation");
  CHECK_FALSE(admissionStateFromJson(text(json))->isolation.has_value());

  json["isolation"] = boost::json::object{{"since", "yesterday"}, {"by", "x"}, {"reason", ""}};
  const auto bad = admissionStateFromJson(text(json));
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().field == "$.isolation.since");
}

TEST_CASE("a refusal's reason is the collector's message, else the start of its body") {
  CHECK(refusalReason(R"({"error":{"code":"validation","message":"token expired"}})") ==
        "token expired");
  CHECK(refusalReason("<html>502 Bad Gateway</html>") == "<html>502 Bad Gateway</html>");
  CHECK(refusalReason(std::string(300, 'x')).size() == 200);
  CHECK(refusalReason(R"({"error":"flat"})") == R"({"error":"flat"})");
}

TEST_CASE("report ids are random UUIDs") {
  const auto a = randomUuid(), b = randomUuid();
  CHECK(a != b);
  CHECK(a.size() == 36);
  CHECK(a[14] == '4');
  CHECK(isReportId(a));
  CHECK_FALSE(isReportId("short"));
}

TEST_CASE("base64url: RFC 4648 vectors without padding, and one encoding per byte string") {
  for (const auto& [bytes, text] :
       std::vector<std::pair<std::string, std::string>>{{"", ""},
                                                        {"f", "Zg"},
                                                        {"fo", "Zm8"},
                                                        {"foo", "Zm9v"},
                                                        {"foob", "Zm9vYg"},
                                                        {"fooba", "Zm9vYmE"},
                                                        {"foobar", "Zm9vYmFy"},
                                                        {"\xfb\xff", "-_8"}}) {
    CHECK(base64url(bytes) == text);
    CHECK(fromBase64url(text) == bytes);
  }
  CHECK_FALSE(fromBase64url("Zm9v=").has_value());  // no padding
  CHECK_FALSE(fromBase64url("Z").has_value());      // no length 1 (mod 4)
  CHECK_FALSE(fromBase64url("Zh").has_value());     // unused bits set
  CHECK_FALSE(fromBase64url("Zm+v").has_value());   // '+' is base64, not base64url
}
