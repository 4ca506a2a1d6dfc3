#include "mamori/platform/sshd_config.hpp"

#include <doctest/doctest.h>

#include <map>

using namespace mamori;
using platform::TextFile;

namespace {

std::vector<policy::SshdSettings> parse(std::string_view main,
                                        std::map<std::string, std::string> included = {}) {
  const platform::SshdIncludes includes = [&](std::string_view pattern) {
    std::vector<TextFile> files;
    if (auto it = included.find(std::string(pattern)); it != included.end())
      files.push_back({it->first, it->second});
    return files;
  };
  return platform::parseSshdConfig({"/etc/ssh/sshd_config", std::string(main)}, includes);
}

}  // namespace

TEST_CASE("MFA-1: sshd keeps the first value of a keyword, case-insensitive, = allowed") {
  const auto views = parse(
      "# comment\n  PUBKEYAUTHENTICATION no\nPubkeyAuthentication yes\n"
      "KbdInteractiveAuthentication=yes\nUsePAM yes # trailing\n"
      "AuthenticationMethods publickey,keyboard-interactive:pam password,publickey\n");
  REQUIRE(views.size() == 1);
  CHECK(views[0].condition.empty());
  CHECK(views[0].pubkey_authentication == "no");
  CHECK(views[0].kbd_interactive_authentication == "yes");
  CHECK(views[0].use_pam == "yes");
  CHECK(views[0].authentication_methods == "publickey,keyboard-interactive:pam password,publickey");
}

TEST_CASE("MFA-1: Debian's Include of sshd_config.d comes first, so its values win") {
  const auto views =
      parse("Include /etc/ssh/sshd_config.d/*.conf\nKbdInteractiveAuthentication no\nUsePAM yes\n",
            {{"/etc/ssh/sshd_config.d/*.conf", "ChallengeResponseAuthentication yes\n"}});
  REQUIRE(views.size() == 1);
  CHECK(views[0].kbd_interactive_authentication == "yes");  // the old keyword's name
}

TEST_CASE("MFA-1: a Match block that relaxes AuthenticationMethods is a view of its own") {
  const auto views = parse(
      "UsePAM yes\nAuthenticationMethods publickey,keyboard-interactive\n"
      "Match Group nomfa\n  AuthenticationMethods publickey\n"
      "Match User backup\n  X11Forwarding no\n");
  REQUIRE(views.size() == 2);  // the second block sets nothing about authentication
  CHECK(views[1].condition == "Match Group nomfa");
  CHECK(views[1].authentication_methods == "publickey");
  CHECK(views[1].use_pam == "yes");  // inherited from the global section
}
