// Unlock codes for removing the agent (issue 8): signed by the collector's CA, checked on the PC
// against the CA it enrolled with; one device, one expiry, nothing else accepted.

#include "mamori/protocol/unlock_code.hpp"

#include <doctest/doctest.h>

#include "facts_builder.hpp"
#include "mamori/collector/enrollment_ca.hpp"

using namespace mamori;
using namespace std::chrono_literals;
using mamori::testing::kNow;

namespace {

struct Cas {
  collector::EnrollmentCa city =
      *collector::EnrollmentCa::create("city", kNow - 24h, std::chrono::days{3650});
  collector::EnrollmentCa other =
      *collector::EnrollmentCa::create("other", kNow - 24h, std::chrono::days{3650});
};

}  // namespace

TEST_CASE("an unlock code opens one PC, until it expires") {
  const Cas ca;
  const auto code = protocol::signUnlockCode({"dev-1", kNow + 24h}, ca.city.privateKeyPem());
  REQUIRE_MESSAGE(code.has_value(), code.error().describe());
  CHECK(code->starts_with("MU1."));
  CHECK(code->find_first_of("+/= \n") == std::string::npos);  // safe to paste anywhere

  const auto ok = protocol::verifyUnlockCode(*code, ca.city.certificatePem(), "dev-1", kNow);
  REQUIRE_MESSAGE(ok.has_value(), ok.error().describe());
  CHECK(ok->device_id == "dev-1");
  CHECK(ok->expires == kNow + 24h);

  const auto other_pc = protocol::verifyUnlockCode(*code, ca.city.certificatePem(), "dev-2", kNow);
  REQUIRE_FALSE(other_pc.has_value());
  CHECK(other_pc.error().message == "the unlock code is for another PC (dev-1)");

  const auto late =
      protocol::verifyUnlockCode(*code, ca.city.certificatePem(), "dev-1", kNow + 24h);
  REQUIRE_FALSE(late.has_value());
  CHECK(late.error().message.find("expired") != std::string::npos);
}

TEST_CASE("a code from another CA, or altered, or not a code, is refused") {
  const Cas ca;
  const auto foreign = protocol::signUnlockCode({"dev-1", kNow + 24h}, ca.other.privateKeyPem());
  REQUIRE(foreign.has_value());
  const auto refused =
      protocol::verifyUnlockCode(*foreign, ca.city.certificatePem(), "dev-1", kNow);
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().message == "the unlock code is not signed by this PC's collector");

  // A longer validity written into a genuine code breaks its signature.
  auto code = *protocol::signUnlockCode({"dev-1", kNow + 1h}, ca.city.privateKeyPem());
  const auto dot = code.find('.', 4);
  const auto forged_payload =
      *protocol::signUnlockCode({"dev-1", kNow + 8760h}, ca.other.privateKeyPem());
  const auto forged = forged_payload.substr(0, forged_payload.find('.', 4)) + code.substr(dot);
  CHECK_FALSE(
      protocol::verifyUnlockCode(forged, ca.city.certificatePem(), "dev-1", kNow).has_value());

  for (const std::string& bad :
       std::vector<std::string>{"", "MU1.", "MU1.abc", "MU2.a.b", "MU1.a$.b", code + "!"}) {
    CAPTURE(bad);
    const auto r = protocol::verifyUnlockCode(bad, ca.city.certificatePem(), "dev-1", kNow);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == ErrorCode::kValidation);
  }
  CHECK(protocol::verifyUnlockCode(code, "not a certificate", "dev-1", kNow).error().code ==
        ErrorCode::kParse);
}
