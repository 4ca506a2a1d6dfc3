// factsFromJson: what the collector reads from a report is exactly what the agent observed.

#include <doctest/doctest.h>

#include <boost/json.hpp>

#include "facts_builder.hpp"
#include "mamori/policy/evaluate.hpp"
#include "mamori/policy/json_codec.hpp"

using namespace mamori;
using namespace mamori::policy;
using namespace mamori::testing;
namespace js = boost::json;

namespace {

// Replaces the value at a path of object keys (array steps as numbers) in a copy of `doc`.
js::value with(js::value doc, std::initializer_list<std::string_view> path, js::value value) {
  js::value* at = &doc;
  for (auto step : path) {
    if (at->is_array()) {
      at = &at->as_array().at(static_cast<std::size_t>(std::stoi(std::string(step))));
    } else {
      at = &at->as_object()[step];
    }
  }
  *at = std::move(value);
  return doc;
}

PostureFacts richFacts() {
  auto f = healthyFacts();
  f.usb.value().devices.push_back(usbDevice("1-2", 0x0781, 0x5581, "4C5300", 0x08));
  f.antimalware.value().front().last_full_scan = Observed<TimePoint>::unknown("no scan record");
  auto& login = *f.login.value().linux_login;
  login.sshd = std::vector<SshdSettings>{{"", "publickey,keyboard-interactive", std::nullopt, "no",
                                          "yes", std::nullopt, std::nullopt, std::nullopt, "yes"}};
  login.auto_logins = std::vector<AutoLogin>{{"gdm3", "/etc/gdm3/daemon.conf", "kiosk", false}};
  return f;
}

}  // namespace

TEST_CASE("facts JSON: decoding what the agent encoded gives the same facts back") {
  for (const auto& facts : {healthyFacts(), richFacts()}) {
    const auto json = toJson(facts);
    const auto decoded = factsFromJson(json);
    REQUIRE_MESSAGE(decoded.has_value(), decoded.error().describe());
    CHECK(toJson(*decoded) == json);
    // The collector's verdict on the decoded facts is the agent's verdict.
    const auto a = evaluate(builtInPolicy(), Segment::kMynumber, facts, {}, kNow);
    const auto b = evaluate(builtInPolicy(), Segment::kMynumber, *decoded, {}, kNow);
    CHECK(toJson(a, Lang::kEn) == toJson(b, Lang::kEn));
  }
}

TEST_CASE("facts JSON: Windows login facts and unobserved facts survive the trip") {
  auto facts = healthyFacts();
  WindowsLogin w;
  w.smart_card_required = 1;
  w.excluded_credential_providers = {"{60B78E88-EAD8-445C-9CFD-0B87F74EA6CD}"};
  w.auto_admin_logon = std::string("0");  // a plain "0" trips GCC 12's -Wrestrict (bug 105329)
  w.lockout_threshold = 5;
  facts.login = LoginFacts{std::nullopt, w};
  facts.packages = Observed<PackageInventory>::unknown("/var/lib/dpkg/status: Permission denied");
  const auto decoded = factsFromJson(toJson(facts));
  REQUIRE(decoded.has_value());
  CHECK(decoded->login->windows_login->smart_card_required == 1u);
  CHECK(decoded->packages.reason() == "/var/lib/dpkg/status: Permission denied");
  CHECK(toJson(*decoded) == toJson(facts));
}

TEST_CASE("facts JSON: Windows Update's pending security updates survive the trip, or its error") {
  auto facts = healthyFacts();
  PackageInventory updates;
  updates.manager = "windows-update";
  updates.last_change = kNow - std::chrono::days{3};
  updates.pending_security_updates = std::vector<PendingUpdate>{
      {"2026-11 Cumulative Update for Windows 11 Version 24H2 (KB5068861)",
       kNow - std::chrono::days{20}}};
  facts.packages = updates;
  auto decoded = factsFromJson(toJson(facts));
  REQUIRE(decoded.has_value());
  REQUIRE(decoded->packages->pending_security_updates);
  CHECK(decoded->packages->pending_security_updates->value() ==
        updates.pending_security_updates->value());
  CHECK(toJson(*decoded) == toJson(facts));

  updates.pending_security_updates =
      Observed<std::vector<PendingUpdate>>::unknown("Windows Update Agent: Search failed");
  facts.packages = updates;
  decoded = factsFromJson(toJson(facts));
  REQUIRE(decoded.has_value());
  CHECK(decoded->packages->pending_security_updates->reason() ==
        "Windows Update Agent: Search failed");

  // dpkg keeps no such list: the key is absent, and stays so.
  CHECK_FALSE(factsFromJson(toJson(healthyFacts()))->packages->pending_security_updates);
}

TEST_CASE("facts JSON: a malformed report names the path and the reason") {
  const auto good = toJson(richFacts());
  struct Case {
    js::value doc;
    std::string field, message;
  };
  const std::vector<Case> cases{
      {with(good, {"usb", "devices", "1", "vendor_id"}, "781"), "$.usb.devices[1].vendor_id",
       R"("781" is not 4 hexadecimal digits)"},
      {with(good, {"device", "serial"}, "x"), "$.device.serial",
       "unknown field (expected one of: hostname, machine_id, macs, smbios_uuid)"},
      {with(good, {"collected_at"}, 12), "$.collected_at", "12 is a number, expected a string"},
      {with(good, {"packages", "count"}, 99), "$.packages.count",
       "99 does not match the number of installed packages listed"},
      {with(good, {"login", "linux", "services", "0", "auth", "0", "actions"}, js::array{0, 1}),
       "$.login.linux.services[0].auth[0].actions",
       "[0,1] does not hold 32 actions (one per code)"},
      {with(good, {"login"}, js::object{}), "$.login",
       R"(must hold exactly one of "linux" and "windows")"},
      {with(good, {"packages", "pending_security_updates"},
            js::array{js::object{{"title", ""}, {"released", "2026-11-11T00:00:00Z"}}}),
       "$.packages.pending_security_updates[0].title", "must not be empty"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.field);
    const auto r = factsFromJson(c.doc);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().field == c.field);
    CHECK_MESSAGE(r.error().message.ends_with(c.message), r.error().message);
  }
}
