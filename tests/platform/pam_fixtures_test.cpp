// MFA-1 / MFA-2 on real /etc/pam.d trees (tests/fixtures/pam): Debian 12's default stacks and
// the ways cities add, and break, a second factor. Each tree is read by the Linux probe and
// judged by the evaluator, as `mamori-agent check` does.

#include <doctest/doctest.h>

#include "mamori/platform/posture_probe.hpp"
#include "mamori/policy/evaluate.hpp"
#include "mamori/policy/json_codec.hpp"
#include "temp_root.hpp"

using namespace mamori;
using policy::Segment;
using policy::Status;

namespace {

const policy::TimePoint kNow{std::chrono::sys_days{std::chrono::year{2026} / 11 / 22}};

policy::Finding judge(std::initializer_list<std::string_view> layers, std::string_view id,
                      Segment segment = Segment::kMynumber) {
  const testing::TempRoot root(layers);
  auto probe =
      platform::makePostureProbe({root.path(), nullptr, {"login", "gdm-password", "sshd"}});
  const auto facts = probe->collect(kNow);
  const auto verdict = policy::evaluate(policy::builtInPolicy(), segment, facts, {}, kNow);
  const auto* finding = verdict.find(id);
  REQUIRE(finding != nullptr);
  return *finding;
}

policy::Finding judge(std::string_view fixture, std::string_view id) {
  return judge({"pam/base", fixture}, id);
}

bool mentions(const policy::Finding& f, std::string_view text) {
  return f.evidence.en.find(text) != std::string::npos;
}

}  // namespace

TEST_CASE("MFA-1: Debian 12's default login is a password alone") {
  const auto f = judge("pam/base", "MFA-1");
  CHECK(f.status == Status::kFail);
  CHECK(mentions(f,
                 "login: pam_unix (common-auth:7) succeeds [knowledge], skipping pam_deny "
                 "(common-auth:9); pam_permit (common-auth:13) succeeds -> login succeeds "
                 "with 1 factor (knowledge)"));
  CHECK(mentions(f, "gdm-password: "));
}

TEST_CASE("MFA-1 and MFA-2: pam_u2f required after common-auth passes on gdm and console") {
  for (const auto* id : {"MFA-1", "MFA-2"}) {
    const auto f = judge("pam/u2f-required", id);
    CAPTURE(f.evidence.en);
    CHECK(f.status == Status::kPass);
  }
  const auto f = judge("pam/u2f-required", "MFA-1");
  CHECK(f.evidence.en ==
        "login: every login proves at least 2 factors (knowledge, possession); gdm-password: "
        "every login proves at least 2 factors (knowledge, possession)");
  CHECK(judge("pam/u2f-required", "MFA-4").status == Status::kPass);
}

TEST_CASE("MFA-1: pam_u2f sufficient before common-auth lets the key alone log in") {
  const auto f = judge("pam/u2f-sufficient", "MFA-1");
  CHECK(f.status == Status::kFail);
  CHECK(mentions(f,
                 "gdm-password: pam_u2f (gdm-password:2) succeeds [possession], skipping "
                 "pam_unix (common-auth:7), pam_deny (common-auth:9), pam_permit "
                 "(common-auth:13) -> login succeeds with 1 factor (possession)"));
}

TEST_CASE("MFA-1: a pam_succeed_if jump over the key is named as the bypass") {
  const auto f = judge("pam/succeed-if-skip", "MFA-1");
  CHECK(f.status == Status::kFail);
  CHECK(mentions(f, "pam_succeed_if (gdm-password:3) succeeds, skipping pam_u2f (gdm-password:4)"));
}

TEST_CASE("MFA-1: pam_u2f nouserok and google-authenticator nullok prove nothing") {
  auto f = judge("pam/u2f-nouserok", "MFA-1");
  CHECK(f.status == Status::kFail);
  CHECK(mentions(f,
                 "pam_u2f (gdm-password:3) succeeds without its factor (nouserok: a user "
                 "with no registered key passes without one)"));
  f = judge("pam/google-nullok", "MFA-1");
  CHECK(f.status == Status::kFail);
  CHECK(mentions(f, "pam_google_authenticator (gdm-password:3)"));
  CHECK(mentions(f, "nullok: a user with no token configured passes without one"));
}

TEST_CASE("MFA-1 and MFA-2: a smart card (pam_pkcs11) with the password passes") {
  CHECK(judge("pam/pkcs11-smartcard", "MFA-1").status == Status::kPass);
  const auto f = judge("pam/pkcs11-smartcard", "MFA-2");
  CHECK(f.status == Status::kPass);
  CHECK(mentions(f, "login: every login proves 2 kinds of factor (knowledge, possession)"));
}

TEST_CASE("MFA-1: a fingerprint sufficient before the password logs in alone") {
  const auto f = judge("pam/fingerprint-sufficient", "MFA-1");
  CHECK(f.status == Status::kFail);
  CHECK(mentions(f, "pam_fprintd (gdm-password:2) succeeds [inherence], skipping pam_unix"));
  CHECK(mentions(f, "-> login succeeds with 1 factor (inherence)"));
}

TEST_CASE("MFA-1: done ends only a substack, but the whole stack through include") {
  const auto f = judge("pam/substack-done", "MFA-1");
  CHECK(f.status == Status::kFail);
  CHECK(mentions(f, "gdm-password: every login proves at least 2 factors (knowledge, possession)"));
  CHECK(mentions(f,
                 "login: pam_unix (mamori-password:2) succeeds [knowledge], skipping pam_deny "
                 "(mamori-password:3), pam_u2f (login:3) -> login succeeds with 1 factor"));
}

TEST_CASE("MFA-1: Debian's sshd lets a public key in without PAM, AuthenticationMethods stops it") {
  auto f = judge({"pam/base", "pam/u2f-required", "pam/sshd-pubkey"}, "MFA-1");
  CHECK(f.status == Status::kFail);
  CHECK(mentions(f,
                 "sshd: public key [possession] (AuthenticationMethods not set) -> login "
                 "succeeds with 1 factor (possession)"));
  f = judge({"pam/base", "pam/u2f-required", "pam/sshd-pubkey", "pam/sshd-mfa"}, "MFA-1");
  CHECK(f.status == Status::kPass);
  CHECK(mentions(f, "sshd: every login proves at least 3 factors (knowledge, possession)"));
}

TEST_CASE(
    "facts JSON: a probed PC (USB, ClamAV, dpkg, PAM, sshd) survives the collector's decoding") {
  const testing::TempRoot root{"hosts/debian12", "pam/base", "pam/u2f-required", "pam/sshd-pubkey",
                               "pam/sshd-mfa"};
  auto probe =
      platform::makePostureProbe({root.path(), nullptr, {"login", "gdm-password", "sshd"}});
  const auto facts = probe->collect(kNow);
  const auto json = policy::toJson(facts);
  const auto decoded = policy::factsFromJson(json);
  REQUIRE_MESSAGE(decoded.has_value(), decoded.error().describe());
  CHECK(policy::toJson(*decoded) == json);
  CHECK(decoded->login->linux_login->services.size() == 3);
  CHECK(decoded->usb->devices.size() >= 4);
}
