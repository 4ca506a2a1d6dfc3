// The Windows posture probe end to end under wine: every fact is either observed or unknown
// with a reason, nothing throws, and the evaluator judges the result.

#include <doctest/doctest.h>

#include "facts_builder.hpp"
#include "mamori/platform/posture_probe.hpp"
#include "mamori/policy/evaluate.hpp"
#include "mamori/policy/json_codec.hpp"

namespace mamori::platform {
namespace {

TEST_CASE("probe: collect() on wine gives a Windows OS, an identity and a judgeable verdict") {
  const auto probe = makePostureProbe({});
  const auto facts = probe->collect(testing::kNow);
  REQUIRE(facts.os.known());
  CHECK(facts.os->id == "windows");
  CHECK_FALSE(facts.os->build.empty());
  CHECK_FALSE(facts.device.hostname.empty());
  CHECK_FALSE(facts.device.machine_id.empty());
  // Wine has neither Security Center nor Defender: unknown, and the reason says why.
  if (!facts.antimalware.known())
    CHECK(facts.antimalware.reason().find("WMI") != std::string::npos);
  // Wine's Windows Update Agent exists but implements neither the history nor the search: each
  // part is unknown with WUA's own error, and the PC is still judged.
  std::string updates;
  if (!facts.packages.known()) {
    CHECK(facts.packages.reason().starts_with("Windows Update Agent: "));
    updates = facts.packages.reason();
  } else {
    CHECK(facts.packages->manager == "windows-update");
    REQUIRE(facts.packages->pending_security_updates);
    const auto& last = facts.packages->last_change;
    const auto& pending = *facts.packages->pending_security_updates;
    if (!last.known()) CHECK(last.reason().starts_with("Windows Update Agent: "));
    if (!pending.known()) CHECK(pending.reason().starts_with("Windows Update Agent: "));
    updates = "last installation " + (last.known() ? std::string("read") : last.reason()) +
              "; pending security updates " +
              (pending.known() ? std::to_string(pending->size()) : pending.reason());
  }
  // SetupAPI works on wine; its USB bus is empty.
  REQUIRE_MESSAGE(facts.usb.known(), facts.usb.reason());
  REQUIRE(facts.login.known());
  CHECK(facts.login->windows_login.has_value());

  const auto verdict =
      policy::evaluate(policy::builtInPolicy(), policy::Segment::kLgwan, facts, {}, testing::kNow);
  CHECK(verdict.findings.size() == 15);
  MESSAGE("wine PC: ", facts.os->pretty_name, ", ", verdict.findings.size(), " findings; ",
          "anti-malware: ",
          facts.antimalware.known() ? std::to_string(facts.antimalware->size()) + " products"
                                    : facts.antimalware.reason(),
          "; updates: ", updates);
}

}  // namespace
}  // namespace mamori::platform
