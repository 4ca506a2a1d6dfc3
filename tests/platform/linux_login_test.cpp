// The Linux login probe (MFA-1, MFA-3..MFA-5) on fixture trees built per test. The decoders it
// uses are tested on strings in login_settings_test.cpp.

#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "fake_command_runner.hpp"
#include "login_test_text.hpp"
#include "mamori/platform/posture_probe.hpp"
#include "mamori/policy/time.hpp"
#include "temp_root.hpp"

namespace mamori::platform {
namespace {

using testing::TempRoot;
using testing_login::describe;
using testing_login::kLocks;

// ---- the probe on fixture trees --------------------------------------------------------------

policy::LinuxLogin collect(const TempRoot& root, std::vector<std::string> services = {}) {
  auto probe = makePostureProbe(
      {root.path(), std::make_unique<fake::FakeCommandRunner>(), std::move(services)});
  auto facts = probe->collect(*policy::parseTimestamp("2026-11-22T09:00:00Z"));
  REQUIRE_MESSAGE(facts.login.known(), facts.login.reason());
  REQUIRE(facts.login->linux_login.has_value());
  return *facts.login->linux_login;
}

// `dconf update` for `db`: the compiled file, newer than everything in its keyfile directory.
void compileDconf(const TempRoot& root, std::string_view db) {
  const std::string compiled = "/etc/dconf/db/" + std::string(db);
  root.write(compiled, "GVariant");
  root.postdate(compiled);
}

void writeGnomeLockdown(const TempRoot& root) {
  root.write("/etc/pam.d/gdm-password", "@include common-auth\n");
  root.write("/etc/dconf/profile/user", "user-db:user\nsystem-db:local\n");
  root.write("/etc/dconf/db/local.d/00-screensaver",
             "[org/gnome/desktop/session]\nidle-delay=uint32 300\n"
             "[org/gnome/desktop/screensaver]\nlock-enabled=true\nlock-delay=uint32 60\n");
  root.write("/etc/dconf/db/local.d/locks/screensaver", kLocks);
}

TEST_CASE("MFA-3: the probe reports gdm3, lightdm and sddm auto-logins of a fixture tree") {
  const TempRoot root;
  root.write("/etc/gdm3/daemon.conf", "[daemon]\nAutomaticLoginEnable=True\nAutomaticLogin=a\n");
  root.write("/usr/share/lightdm/lightdm.conf.d/50-ubuntu.conf", "[Seat:*]\nuser-session=x\n");
  root.write("/etc/lightdm/lightdm.conf.d/.hidden.conf", "[Seat:*]\nautologin-user=b\n");
  root.write("/etc/lightdm/lightdm.conf.d/README", "[Seat:*]\nautologin-user=nobody\n");
  root.write("/usr/lib/sddm/sddm.conf.d/00-kiosk.conf", "[Autologin]\nUser=c\n");
  const auto login = collect(root);
  REQUIRE_MESSAGE(login.auto_logins.known(), login.auto_logins.reason());
  CHECK(describe(login.auto_logins.value()) ==
        "gdm3 /etc/gdm3/daemon.conf a\n"
        "lightdm /etc/lightdm/lightdm.conf.d/.hidden.conf b\n"
        "sddm /usr/lib/sddm/sddm.conf.d/00-kiosk.conf c\n");
  CHECK(login.graphical_login);
}

TEST_CASE("MFA-3: without display managers nothing logs in automatically, nothing is graphical") {
  const TempRoot root;
  root.write("/etc/shadow", "root:*:19700:0:99999:7:::\n");
  const auto login = collect(root);
  REQUIRE(login.auto_logins.known());
  CHECK(login.auto_logins->empty());
  CHECK_FALSE(login.graphical_login);
  REQUIRE(login.empty_password_accounts.known());
  CHECK(login.empty_password_accounts->empty());
}

TEST_CASE("MFA-1: an unreadable /etc/shadow leaves empty passwords unknown with the reason") {
  const TempRoot root;
  const auto login = collect(root);
  REQUIRE_FALSE(login.empty_password_accounts.known());
  CHECK(login.empty_password_accounts.reason() ==
        "cannot read /etc/shadow: No such file or directory");
}

TEST_CASE("MFA-1: empty password fields of shadow and passwd are both reported") {
  const TempRoot root;
  root.write("/etc/shadow", "root:*:19700:0:99999:7:::\nguest::19700::::::\n");
  root.write("/etc/passwd", "root:x:0:0:root:/root:/bin/bash\nkiosk::1001:1001::/home/k:/bin/sh\n");
  const auto login = collect(root);
  REQUIRE(login.empty_password_accounts.known());
  CHECK(login.empty_password_accounts.value() == std::vector<std::string>{"guest", "kiosk"});
}

TEST_CASE("MFA-4: the probe reads faillock.conf, and its absence means pam_faillock's defaults") {
  const TempRoot root;
  auto login = collect(root);
  REQUIRE(login.faillock.known());
  CHECK_FALSE(login.faillock->deny.has_value());
  root.write("/etc/security/faillock.conf", "deny = 5\nunlock_time = 0\n");
  login = collect(root);
  REQUIRE(login.faillock.known());
  CHECK(login.faillock->deny == 5);
  CHECK(login.faillock->unlock_time == 0);
}

TEST_CASE("MFA-5: the probe reads GNOME's settings from the database the profile names") {
  const TempRoot root;
  writeGnomeLockdown(root);
  compileDconf(root, "local");
  const auto login = collect(root);
  REQUIRE_MESSAGE(login.screen_lock.known(), login.screen_lock.reason());
  CHECK(login.screen_lock->idle_delay_seconds == 300u);
  CHECK(login.screen_lock->lock_delay_seconds == 60u);
  CHECK(login.screen_lock->lock_delay_locked);
  CHECK(login.graphical_login);
}

TEST_CASE("MFA-5: keyfiles of a database the profile does not name have no effect") {
  const TempRoot root;
  writeGnomeLockdown(root);
  root.remove("/etc/dconf/profile/user");  // dconf then uses user-db:user alone
  compileDconf(root, "local");
  const auto login = collect(root);
  REQUIRE(login.screen_lock.known());
  CHECK_FALSE(login.screen_lock->idle_delay_seconds.has_value());
  CHECK_FALSE(login.screen_lock->idle_delay_locked);
}

TEST_CASE("MFA-5: keyfiles never compiled by dconf update have no effect") {
  const TempRoot root;
  writeGnomeLockdown(root);
  const auto login = collect(root);
  REQUIRE(login.screen_lock.known());
  CHECK_FALSE(login.screen_lock->idle_delay_seconds.has_value());
  CHECK_FALSE(login.screen_lock->lock_enabled_locked);
}

TEST_CASE("MFA-5: a keyfile changed after dconf update makes the screen lock unknown") {
  const TempRoot root;
  writeGnomeLockdown(root);
  compileDconf(root, "local");
  root.postdate("/etc/dconf/db/local.d/00-screensaver", std::chrono::minutes(5));
  const auto login = collect(root);
  REQUIRE_FALSE(login.screen_lock.known());
  CHECK(login.screen_lock.reason() ==
        "/etc/dconf/db/local.d/00-screensaver changed after /etc/dconf/db/local was compiled: the "
        "settings are not in effect until `dconf update`");
}

TEST_CASE("MFA-1: the probe loads the auth stack of each listed service that exists") {
  const TempRoot root;
  root.write("/etc/pam.d/login", "auth required pam_unix.so\n");
  root.write("/etc/pam.d/other", "auth required pam_deny.so\n");
  root.write("/lib/x86_64-linux-gnu/security/pam_unix.so", "ELF");
  const auto login = collect(root, {"login", "sshd", "../shadow", ""});
  REQUIRE(login.services.size() == 1);
  const auto& stack = login.services.front();
  CHECK(stack.service == "login");
  REQUIRE_FALSE(stack.auth.empty());
  CHECK(stack.auth.front().moduleName() == "pam_unix");
  CHECK(stack.auth.front().installed);
}

TEST_CASE("MFA-1: a module missing from every module directory is not installed") {
  const TempRoot root;
  root.write("/etc/pam.d/login",
             "auth required pam_u2f.so\nauth required /opt/pam/pam_card.so\n"
             "auth required pam_unix.so\n");
  root.write("/usr/lib/security/pam_unix.so", "ELF");
  root.write("/opt/pam/pam_card.so", "ELF");
  const auto login = collect(root, {"login"});
  REQUIRE(login.services.size() == 1);
  const auto& auth = login.services.front().auth;
  REQUIRE(auth.size() == 3);
  CHECK_FALSE(auth[0].installed);
  CHECK(auth[1].installed);
  CHECK(auth[2].installed);
}

}  // namespace
}  // namespace mamori::platform
