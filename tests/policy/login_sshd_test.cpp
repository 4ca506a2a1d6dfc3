#include <doctest/doctest.h>

#include "facts_builder.hpp"
#include "mamori/policy/evaluate.hpp"

using namespace mamori::policy;
using namespace mamori::testing;

namespace {

// The healthy PC (login needs password + key through PAM), with an SSH server whose PAM stack
// is the same, configured as `settings` says.
PostureFacts withSshd(std::vector<SshdSettings> views) {
  auto facts = healthyFacts();
  auto& login = *facts.login.value().linux_login;
  auto sshd = login.services.front();
  sshd.service = "sshd";
  login.services.push_back(sshd);
  login.sshd = std::move(views);
  return facts;
}

SshdSettings debianDefaults() {
  SshdSettings s;
  s.kbd_interactive_authentication = "no";
  s.use_pam = "yes";
  return s;
}

}  // namespace

TEST_CASE("MFA-1: a public key logs in to sshd without PAM's two factors") {
  const auto f = findingOf(withSshd({debianDefaults()}), "MFA-1");
  CHECK(f.status == Status::kFail);
  CHECK(f.evidence.en.find("sshd: public key [possession] (AuthenticationMethods not set) -> "
                           "login succeeds with 1 factor (possession)") != std::string::npos);
}

TEST_CASE("MFA-1: AuthenticationMethods publickey,keyboard-interactive closes it") {
  auto s = debianDefaults();
  s.kbd_interactive_authentication = "yes";
  s.authentication_methods = "publickey,keyboard-interactive";
  const auto f = findingOf(withSshd({s}), "MFA-1");
  CHECK(f.status == Status::kPass);
  CHECK(f.evidence.en.find("sshd: every login proves at least 3 factors") != std::string::npos);
}

TEST_CASE("MFA-1: a Match block that lets a group in with a key alone is named") {
  auto s = debianDefaults();
  s.kbd_interactive_authentication = "yes";
  s.authentication_methods = "publickey,keyboard-interactive";
  auto relaxed = s;
  relaxed.condition = "Match Group nomfa";
  relaxed.authentication_methods = "publickey";
  const auto f = findingOf(withSshd({s, relaxed}), "MFA-1");
  CHECK(f.status == Status::kFail);
  CHECK(f.evidence.en.find("sshd: public key [possession] (Match Group nomfa, "
                           "AuthenticationMethods publickey)") != std::string::npos);
}

TEST_CASE("MFA-1: without keys, sshd's password goes through the PAM stack") {
  auto s = debianDefaults();
  s.pubkey_authentication = "no";
  const auto f = findingOf(withSshd({s}), "MFA-1");
  CHECK(f.status == Status::kPass);
  s.use_pam = "no";  // then sshd checks /etc/shadow itself: the password alone
  CHECK(findingOf(withSshd({s}), "MFA-1").status == Status::kFail);
}

TEST_CASE("MFA-1: unreadable sshd settings leave sshd unknown, not passing") {
  auto facts = withSshd({});
  facts.login.value().linux_login->sshd =
      Observed<std::vector<SshdSettings>>::unknown("cannot read /etc/ssh/sshd_config");
  const auto f = findingOf(facts, "MFA-1");
  CHECK(f.status == Status::kUnknown);
  CHECK(f.evidence.en.find("sshd: cannot be determined: cannot read /etc/ssh/sshd_config") !=
        std::string::npos);
}
