#include "mamori/policy/pam_analysis.hpp"

#include <doctest/doctest.h>

#include <initializer_list>
#include <utility>

#include "facts_builder.hpp"
#include "mamori/policy/evaluate.hpp"

using namespace mamori::policy;
using namespace mamori::testing;
namespace pam = mamori::policy::pam;

namespace {

// A handler with explicit actions: `{{code, action}, ...}` and a default for the rest.
pam::Handler line(std::string module, std::initializer_list<std::pair<int, int>> actions,
                  int otherwise, int level = 0, std::vector<std::string> arguments = {}) {
  pam::Handler h;
  h.actions.fill(otherwise);
  for (const auto& [code, action] : actions) h.actions[static_cast<std::size_t>(code)] = action;
  h.module = std::move(module);
  h.arguments = std::move(arguments);
  h.stack_level = level;
  h.file = "/etc/pam.d/test";
  return h;
}

pam::Handler required(std::string module, int level = 0, std::vector<std::string> args = {}) {
  return line(std::move(module),
              {{pam::kSuccess, pam::kActionOk}, {pam::kIgnore, pam::kActionIgnore}},
              pam::kActionBad, level, std::move(args));
}
pam::Handler sufficient(std::string module, int level = 0) {
  return line(std::move(module), {{pam::kSuccess, pam::kActionDone}}, pam::kActionIgnore, level);
}
pam::Handler substackMark(int level) {
  auto h = line("sub", {}, pam::kActionUndef, level);
  h.kind = pam::HandlerKind::kSubstack;
  return h;
}

constexpr int S = pam::kSuccess;
constexpr int F = pam::kAuthErr;
constexpr int I = pam::kIgnore;

PostureFacts factsWithLogin(std::vector<pam::Handler> auth, std::vector<std::string> empty = {}) {
  auto facts = healthyFacts();
  auto& login = *facts.login.value().linux_login;
  login.services.front().auth = std::move(auth);
  login.empty_password_accounts = std::move(empty);
  return facts;
}

}  // namespace

TEST_CASE("dispatch: sufficient does not short-circuit after an earlier required failure") {
  const std::vector hs{required("pam_a.so"), sufficient("pam_b.so"), required("pam_c.so")};
  CHECK(pam::dispatch(hs, std::vector{F, S, S}) == F);
  CHECK(pam::dispatch(hs, std::vector{S, S, F}) == S);  // done: pam_c never runs
}

TEST_CASE("dispatch: a stack where no module vouched for success denies") {
  const std::vector hs{line("pam_x.so", {}, pam::kActionIgnore)};
  CHECK(pam::dispatch(hs, std::vector{S}) == pam::kPermDenied);
  CHECK(pam::dispatch(std::span<const pam::Handler>{}, std::vector<int>{}) == pam::kPermDenied);
}

TEST_CASE("dispatch: done inside a substack ends only the substack") {
  const std::vector hs{substackMark(0),
                       line("pam_unix.so", {{S, pam::kActionDone}}, pam::kActionDie, 1),
                       required("pam_deny.so", 1), required("pam_u2f.so")};
  CHECK(pam::dispatch(hs, std::vector{0, S, F, F}) == F);  // the key is still required
  CHECK(pam::dispatch(hs, std::vector{0, S, F, S}) == S);
}

TEST_CASE("dispatch: a jump past the end of its stack fails the login") {
  const std::vector hs{line("pam_a.so", {{S, 3}}, pam::kActionBad), required("pam_b.so")};
  CHECK(pam::dispatch(hs, std::vector{S, S}) == pam::kPermDenied);
}

TEST_CASE("MFA-1: password and key both required passes naming the kinds") {
  const auto f = findingOf(healthyFacts(), "MFA-1");
  CHECK(f.status == Status::kPass);
  CHECK(f.evidence.en == "login: every login proves at least 2 factors (knowledge, possession)");
  CHECK(f.evidence.ja == "login: 全ての経路で 2 要素以上（知識・所持）");
}

TEST_CASE("MFA-1: a jump over the key is shown as the path that bypasses it") {
  auto skip =
      line("pam_succeed_if.so", {{S, 1}}, pam::kActionIgnore, 0, {"user", "ingroup", "nomfa"});
  skip.line = 3;
  auto key = required("pam_u2f.so");
  key.line = 4;
  auto password = required("pam_unix.so");
  password.line = 2;
  const auto f = findingOf(factsWithLogin({password, skip, key}), "MFA-1");
  CHECK(f.status == Status::kFail);
  CHECK(f.evidence.en ==
        "login: pam_unix (test:2) succeeds [knowledge]; pam_succeed_if (test:3) succeeds, "
        "skipping pam_u2f (test:4) -> login succeeds with 1 factor (knowledge)");
  CHECK(f.remediation.en.find("pam_u2f") != std::string::npos);
}

TEST_CASE("MFA-1: pam_unix nullok bypasses only when an account has an empty password") {
  const std::vector stack{required("pam_unix.so", 0, {"nullok"}), required("pam_u2f.so")};
  CHECK(findingOf(factsWithLogin(stack), "MFA-1").status == Status::kPass);
  const auto f = findingOf(factsWithLogin(stack, {"guest"}), "MFA-1");
  CHECK(f.status == Status::kFail);
  CHECK(f.evidence.en.find("accounts with an empty password (guest)") != std::string::npos);
}

TEST_CASE("MFA-2: two passwords are two factors but one kind, which mynumber refuses") {
  const std::vector stack{required("pam_unix.so"), required("pam_sss.so")};
  const auto facts = factsWithLogin(stack);
  CHECK(findingOf(facts, "MFA-1").status == Status::kPass);
  CHECK(findingOf(facts, "MFA-2").status == Status::kPass);  // lgwan: kinds not required
  const auto f = findingOf(facts, "MFA-2", builtInPolicy(), Segment::kMynumber);
  CHECK(f.status == Status::kFail);
  CHECK(f.evidence.en.ends_with("-> login succeeds with 1 kind (knowledge)"));
}

TEST_CASE("MFA-2: a kind the city does not accept does not count") {
  auto policy = builtInPolicy();
  policy.profile(Segment::kMynumber).mfa.accepted_kinds = {FactorKind::kKnowledge,
                                                           FactorKind::kPossession};
  const std::vector stack{required("pam_unix.so"), required("pam_fprintd.so")};
  const auto f = findingOf(factsWithLogin(stack), "MFA-2", policy, Segment::kMynumber);
  CHECK(f.status == Status::kFail);
}

TEST_CASE("MFA-4: pam_faillock without authfail never counts failures") {
  auto facts = factsWithLogin({required("pam_faillock.so", 0, {"preauth"}), required("pam_unix.so"),
                               required("pam_u2f.so")});
  auto f = findingOf(facts, "MFA-4");
  CHECK(f.status == Status::kFail);
  CHECK(f.evidence.en == "login: pam_faillock has no authfail line, so failures are never counted");

  facts = factsWithLogin(
      {required("pam_unix.so"), required("pam_faillock.so", 0, {"authfail", "deny=10"})});
  f = findingOf(facts, "MFA-4");
  CHECK(f.status == Status::kFail);
  CHECK(f.evidence.en == "login: pam_faillock locks after 10 failures (limit 5)");
  CHECK(findingOf(healthyFacts(), "MFA-4").evidence.en ==
        "login: pam_faillock locks after 3 failures (limit 5)");
}

TEST_CASE("MFA-1..5: login facts that could not be read are unknown, not passing") {
  auto facts = healthyFacts();
  facts.login = Observed<LoginFacts>::unknown("/etc/pam.d: Permission denied");
  for (auto id : {"MFA-1", "MFA-2", "MFA-3", "MFA-4", "MFA-5"}) {
    const auto f = findingOf(facts, id);
    CHECK(f.status == Status::kUnknown);
    CHECK(f.evidence.en == "cannot be determined: /etc/pam.d: Permission denied");
  }
}
