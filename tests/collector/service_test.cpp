// The collector's request handling in-process, on a real SQLite store and a real CA: what each
// endpoint accepts, refuses and stores (the HTTPS shell is exercised by tests/integration/).

#include "mamori/collector/service.hpp"

#include <doctest/doctest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "collector_state.hpp"
#include "facts_builder.hpp"
#include "json_member.hpp"
#include "mamori/collector/enrollment_token.hpp"
#include "mamori/policy/evaluate.hpp"
#include "temp_root.hpp"

using namespace mamori;
using namespace mamori::collector;
using namespace std::chrono_literals;
using mamori::testing::kNow;

namespace {

policy::DeviceIdentity pcIdentity() {
  return {"soumu-pc-014", "3f9c2a7e5d1b48c6a0e4f7b2c9d81a5e", "", {"52:54:00:12:34:56"}};
}

struct Collector {
  testing::TempRoot dir;
  CollectorConfig config;
  EnrollmentCa ca = *EnrollmentCa::create("test", kNow - 24h, std::chrono::days{3650});
  std::unique_ptr<Store> store;
  std::unique_ptr<Service> service;

  explicit Collector(policy::Policy policy = policy::builtInPolicy()) {
    config.state_dir = dir.path();
    config.radius.vlans = {"10", "20", "30"};
    store = std::move(*Store::open("sqlite:" + (dir.path() / "c.db").string()));
    service = std::make_unique<Service>(config, ca, *store, std::move(policy));
  }

  std::string token(int uses = 1) {
    auto t = makeToken("総務課", policy::Segment::kLgwan, kNow, 72h, uses, "admin", "");
    REQUIRE(t.has_value());
    REQUIRE(store->insertToken(t->record, t->secret_sha256_hex).has_value());
    return t->text;
  }

  Response enroll(const std::string& token_text,
                  const policy::DeviceIdentity& identity = pcIdentity()) {
    const auto pair = makeKeyAndRequest("pc");
    const protocol::EnrollRequest request{token_text, pair->csr_pem, identity, "0.1.0"};
    return service->enroll(boost::json::serialize(protocol::toJson(request)), kNow);
  }

  // Enrolls one PC and returns it as the TLS layer would present it.
  Peer enrolledPeer() {
    const auto r = enroll(token());
    REQUIRE(r.status == 200);
    const auto id = std::string(r.body.at("device_id").as_string());
    const auto device = store->findDevice(id);
    return Peer{PeerRole::kDevice, id, (*device)->certificate_fingerprint};
  }
};

std::string reportText(const policy::PostureFacts& facts, std::string id = protocol::randomUuid(),
                       bool claims_compliant = true) {
  protocol::Report r;
  r.report_id = std::move(id);
  r.generated_at = kNow;
  r.agent_version = "0.1.0";
  r.agent_verdict = {claims_compliant, policy::Admission::kAdmit};
  r.facts = facts;
  r.facts.device = pcIdentity();
  return boost::json::serialize(protocol::toJson(r));
}

policy::PostureFacts withoutAntiMalware() {
  auto facts = testing::healthyFacts();
  facts.antimalware = std::vector<policy::AntiMalwareProduct>{};
  return facts;
}

std::string_view admissionOf(const Response& r) {
  return r.body.at("admission").as_object().at("admission").as_string();
}

std::string radiusBody(std::string_view mac) {
  return boost::json::serialize(boost::json::object{
      {"User-Name", {{"type", "string"}, {"value", {std::string(mac)}}}},
      {"Calling-Station-Id", {{"type", "string"}, {"value", {std::string(mac)}}}}});
}

const Peer kRadius{PeerRole::kService, "radius", "ff"};

}  // namespace

TEST_CASE("第86条: enrollment issues a certificate for the device and pins its identity") {
  Collector c;
  const auto r = c.enroll(c.token());
  REQUIRE(r.status == 200);
  const auto id = std::string(r.body.at("device_id").as_string());
  CHECK(c.ca.deviceOf(std::string(r.body.at("certificate").as_string()), kNow) == id);
  CHECK(r.body.at("segment") == "lgwan");
  const auto device = c.store->findDevice(id);
  REQUIRE(device->has_value());
  CHECK((*device)->identity == pcIdentity());
  CHECK((*device)->department == "総務課");
}

TEST_CASE("a used-up, unknown or malformed token enrolls nothing") {
  Collector c;
  const auto token = c.token(1);
  REQUIRE(c.enroll(token).status == 200);
  auto other = pcIdentity();
  other.machine_id = "99999999999999999999999999999999";
  CHECK(c.enroll(token, other).status == 403);
  CHECK(c.enroll("mmt_000000000000_" + std::string(43, 'A'), other).status == 403);
  CHECK(c.enroll("not-a-token", other).status == 401);
  CHECK(c.store->listDevices()->size() == 1);
}

TEST_CASE("the collector's verdict overrides an agent that claims compliance") {
  Collector c;
  const auto peer = c.enrolledPeer();
  const auto r =
      c.service->report(peer, reportText(withoutAntiMalware(), protocol::randomUuid(), true), kNow);
  REQUIRE(r.status == 200);
  CHECK(r.body.at("verdict").at("compliant") == false);
  CHECK(admissionOf(r) == "quarantine");
}

TEST_CASE("a healthy report is admitted, and a replayed report id is stored once") {
  Collector c;
  const auto peer = c.enrolledPeer();
  const auto text = reportText(testing::healthyFacts());
  const auto first = c.service->report(peer, text, kNow);
  REQUIRE(first.status == 200);
  CHECK(admissionOf(first) == "admit");
  CHECK(first.body.at("duplicate") == false);
  const auto again = c.service->report(peer, text, kNow + 1min);
  REQUIRE(again.status == 200);
  CHECK(again.body.at("duplicate") == true);
  CHECK(*c.store->countReports(peer.name) == 1);
}

TEST_CASE("a report's facts are stored as the agent sent them") {
  Collector c;
  const auto peer = c.enrolledPeer();
  const auto text = reportText(testing::healthyFacts());
  REQUIRE(c.service->report(peer, text, kNow).status == 200);
  const auto stored = c.store->reportsOf(peer.name, 1);
  REQUIRE(stored->size() == 1);
  CHECK(boost::json::parse(stored->front().facts_json) == boost::json::parse(text).at("facts"));
}

TEST_CASE("memberText finds a member's text as written, and only when it is unambiguous") {
  const std::string_view object =
      R"( { "a" : "}{\"" , "facts":{"x":[1,{"y":"]"}],"z":null} ,"b":[ ] } )";
  CHECK(memberText(object, "facts") == R"({"x":[1,{"y":"]"}],"z":null})");
  CHECK(memberText(object, "a") == R"("}{\"")");
  CHECK(memberText(object, "b") == "[ ]");
  CHECK(memberText(R"({"n":12,"t":true})", "n") == "12");
  CHECK(memberText(R"({"n":12,"t":true})", "t") == "true");
  CHECK_FALSE(memberText(object, "x"));  // nested, not a member of the object itself
  CHECK_FALSE(memberText(R"({"facts":1,"facts":2})", "facts"));
  CHECK_FALSE(memberText(R"({"facts":1,"facts":2})", "facts"));
  CHECK_FALSE(memberText(R"(["facts"])", "facts"));
  CHECK_FALSE(memberText(R"({"facts":{"x":1})", "facts"));
  CHECK_FALSE(memberText("", "facts"));
}

TEST_CASE("a malformed report gets 400 with the field and nothing is stored") {
  Collector c;
  const auto peer = c.enrolledPeer();
  auto json = boost::json::parse(reportText(testing::healthyFacts())).as_object();
  json["facts"].as_object()["usb"] = "none";
  const auto r = c.service->report(peer, boost::json::serialize(json), kNow);
  CHECK(r.status == 400);
  CHECK(r.body.at("error").at("field") == "$.facts.usb");
  CHECK(*c.store->countReports(peer.name) == 0);
}

TEST_CASE("a certificate moved to another PC, or superseded, is refused") {
  Collector c;
  const auto peer = c.enrolledPeer();
  auto facts = testing::healthyFacts();
  auto json = boost::json::parse(reportText(facts)).as_object();
  json["facts"].as_object()["device"].as_object()["machine_id"] = "0000";
  CHECK(c.service->report(peer, boost::json::serialize(json), kNow).status == 403);
  const Peer old{PeerRole::kDevice, peer.name, "00"};
  CHECK(c.service->report(old, reportText(facts), kNow).status == 403);
  CHECK(c.service->report(kRadius, reportText(facts), kNow).status == 403);
  CHECK(*c.store->countReports(peer.name) == 0);
}

TEST_CASE("MAB: compliant on the segment VLAN, failing in quarantine, unknown rejected") {
  Collector c;
  const auto peer = c.enrolledPeer();
  const auto vlanOf = [&](std::string_view mac, policy::TimePoint at) {
    const auto r = c.service->radiusAuthorize(kRadius, radiusBody(mac), at);
    return r.status == 200 ? std::string(r.body.at("reply:Tunnel-Private-Group-Id").as_string())
                           : std::to_string(r.status);
  };
  CHECK(vlanOf("52-54-00-12-34-56", kNow) == "999");  // never reported yet
  REQUIRE(c.service->report(peer, reportText(testing::healthyFacts()), kNow).status == 200);
  CHECK(vlanOf("52-54-00-12-34-56", kNow + 1h) == "20");
  CHECK(vlanOf("525400123456", kNow + 1h) == "20");
  CHECK(vlanOf("52:54:00:12:34:56", kNow + 25h) == "999");  // stale
  CHECK(vlanOf("00-11-22-33-44-55", kNow) == "401");
  REQUIRE(c.service->report(peer, reportText(withoutAntiMalware()), kNow + 2h).status == 200);
  CHECK(vlanOf("52-54-00-12-34-56", kNow + 2h) == "999");
  CHECK(c.service->radiusAuthorize(peer, radiusBody("52-54-00-12-34-56"), kNow).status == 403);
}

TEST_CASE("EXC-1: an exception the collector holds waives the requirement for that PC") {
  Collector c;
  const auto peer = c.enrolledPeer();
  const auto verdict = policy::evaluate(policy::builtInPolicy(), policy::Segment::kLgwan,
                                        withoutAntiMalware(), {}, kNow);
  int n = 0;
  for (const auto& f : verdict.findings) {
    if (f.status == policy::Status::kPass) continue;
    ExceptionRecord e;
    e.exception = {"EXC-2026-0" + std::to_string(++n), f.id, {}, "検証端末", "CISO", kNow + 24h};
    e.device_id = peer.name;
    e.created_at = kNow;
    REQUIRE(c.store->addException(e).has_value());
  }
  const auto r = c.service->report(peer, reportText(withoutAntiMalware()), kNow);
  REQUIRE(r.status == 200);
  CHECK(admissionOf(r) == "admit");
}

TEST_CASE("a grace period admits with a warning and quarantines when it ends") {
  auto policy = policy::builtInPolicy();
  auto& rules = policy.profile(policy::Segment::kLgwan).admission;
  for (const auto& f :
       policy::evaluate(policy, policy::Segment::kLgwan, withoutAntiMalware(), {}, kNow).findings) {
    if (f.status != policy::Status::kPass) rules.grace[f.id] = 12h;
  }
  Collector c(policy);
  const auto peer = c.enrolledPeer();
  const auto r = c.service->report(peer, reportText(withoutAntiMalware()), kNow);
  REQUIRE(r.status == 200);
  CHECK(admissionOf(r) == "warn");
  const auto device = **c.store->findDevice(peer.name);
  const auto posture = **c.store->latestPosture(peer.name);
  CHECK(admissionAt(device, &posture, policy, kNow + 11h).admission == policy::Admission::kWarn);
  CHECK(admissionAt(device, &posture, policy, kNow + 12h).admission ==
        policy::Admission::kQuarantine);
}

TEST_CASE("a PC enrolling again keeps its id and only its new certificate is accepted") {
  Collector c;
  const auto token = c.token(2);
  const auto first = c.enroll(token);
  const auto second = c.enroll(token);
  REQUIRE(first.status == 200);
  REQUIRE(second.status == 200);
  const auto id = std::string(second.body.at("device_id").as_string());
  CHECK(first.body.at("device_id") == second.body.at("device_id"));
  CHECK(c.ca.deviceOf(std::string(second.body.at("certificate").as_string()), kNow) == id);
  const auto device = **c.store->findDevice(id);
  const Peer current{PeerRole::kDevice, id, device.certificate_fingerprint};
  CHECK(c.service->report(current, reportText(testing::healthyFacts()), kNow).status == 200);
}

TEST_CASE("NET-4: an isolated PC is quarantined everywhere until an admin releases it") {
  Collector c;
  const auto peer = c.enrolledPeer();
  REQUIRE(c.service->report(peer, reportText(testing::healthyFacts()), kNow).status == 200);
  const auto vlan = [&] {
    const auto r = c.service->radiusAuthorize(kRadius, radiusBody("52:54:00:12:34:56"), kNow);
    return std::string(r.body.at("reply:Tunnel-Private-Group-Id").as_string());
  };
  CHECK(vlan() == "20");

  REQUIRE(c.store->changeIsolation({peer.name, kNow, true, "csirt-sato", "INC-2026-0042"}));
  // The agent hears it in the answer to its next report, and when it asks.
  const auto r = c.service->report(peer, reportText(testing::healthyFacts()), kNow + 1min);
  REQUIRE(r.status == 200);
  const auto ack = protocol::reportAckFromJson(boost::json::serialize(r.body));
  REQUIRE_MESSAGE(ack.has_value(), ack.error().describe());
  CHECK(ack->admission.admission == policy::Admission::kQuarantine);
  REQUIRE(ack->admission.isolation.has_value());
  CHECK(ack->admission.isolation->by == "csirt-sato");
  CHECK(ack->admission.reason.en == "isolated by the CSIRT: INC-2026-0042");
  const auto asked = c.service->admission(peer, kNow + 2min);
  CHECK(asked.body.at("isolation").as_object().at("reason") == "INC-2026-0042");
  CHECK(vlan() == "999");  // the switches quarantine it too

  REQUIRE(c.store->changeIsolation({peer.name, kNow + 1h, false, "csirt-sato", "cleaned"}));
  CHECK(vlan() == "20");
  CHECK(c.service->admission(peer, kNow + 1h).body.at("isolation").is_null());
}
