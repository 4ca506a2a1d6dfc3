// MFA-3 (no automatic login) and MFA-5 (screen lock) judged on Linux login facts.

#include <doctest/doctest.h>

#include "facts_builder.hpp"
#include "mamori/policy/evaluate.hpp"

using namespace mamori::policy;
using namespace mamori::testing;
using namespace std::chrono_literals;

namespace {

// GNOME locked down as the remediation says: 300 s idle, lock at once, every key locked.
ScreenLockSettings lockedDown() {
  return {.idle_delay_seconds = 300,
          .lock_enabled = true,
          .lock_delay_seconds = 0,
          .idle_delay_locked = true,
          .lock_enabled_locked = true,
          .lock_delay_locked = true};
}

LinuxLogin gnomeDesktop() {
  LinuxLogin login;
  login.auto_logins = std::vector<AutoLogin>{};
  login.faillock = FaillockConfig{};
  login.screen_lock = lockedDown();
  login.empty_password_accounts = std::vector<std::string>{};
  login.graphical_login = true;
  return login;
}

Finding judge(const LinuxLogin& login, std::string_view id,
              const Policy& policy = builtInPolicy()) {
  auto facts = healthyFacts();
  facts.login = LoginFacts{.linux_login = login};
  return findingOf(facts, id, policy);
}

}  // namespace

// ---- MFA-3 -----------------------------------------------------------------------------------

TEST_CASE("MFA-3: no display manager logging in by itself passes") {
  const auto f = judge(gnomeDesktop(), "MFA-3");
  CHECK(f.status == Status::kPass);
  CHECK(f.evidence.en == "no display manager logs in automatically");
  CHECK(f.evidence.ja == "自動ログインするディスプレイマネージャはありません");
}

TEST_CASE("MFA-3: lightdm autologin-user fails naming the user and the file") {
  auto login = gnomeDesktop();
  login.auto_logins = std::vector<AutoLogin>{
      {"lightdm", "/etc/lightdm/lightdm.conf.d/50-kiosk.conf", "madoguchi", false}};
  const auto f = judge(login, "MFA-3");
  CHECK(f.status == Status::kFail);
  CHECK(f.evidence.en ==
        "lightdm logs in madoguchi without a password (/etc/lightdm/lightdm.conf.d/50-kiosk.conf)");
  CHECK(f.evidence.ja ==
        "lightdm が madoguchi をパスワード入力なしでログインさせます"
        "（/etc/lightdm/lightdm.conf.d/50-kiosk.conf）");
  CHECK(f.remediation.en.find("remove autologin-user and autologin-guest from "
                              "/etc/lightdm/lightdm.conf.d/50-kiosk.conf") != std::string::npos);
}

TEST_CASE("MFA-3: a gdm timed login fails too, and each file is named once in the remedy") {
  auto login = gnomeDesktop();
  login.auto_logins = std::vector<AutoLogin>{
      {"gdm3", "/etc/gdm3/daemon.conf", "kiosk", true},
      {"sddm", "/etc/sddm.conf", "kiosk", false},
      {"sddm", "/etc/sddm.conf", "kiosk", false},
  };
  const auto f = judge(login, "MFA-3");
  CHECK(f.status == Status::kFail);
  CHECK(
      f.evidence.en.starts_with("gdm3 logs in kiosk after a delay at the login screen (timed "
                                "login, /etc/gdm3/daemon.conf); sddm logs in kiosk"));
  CHECK(f.remediation.en ==
        "Turn off automatic login: set AutomaticLoginEnable=false and TimedLoginEnable=false "
        "under [daemon] in /etc/gdm3/daemon.conf; empty User= under [Autologin] in "
        "/etc/sddm.conf. Every login must authenticate (第59条(7)).");
  CHECK(f.remediation.ja.starts_with("自動ログインを無効にしてください: /etc/gdm3/daemon.conf の"));
}

TEST_CASE("MFA-3: unreadable display-manager settings are unknown with the reason") {
  auto login = gnomeDesktop();
  login.auto_logins = Observed<std::vector<AutoLogin>>::unknown(
      "cannot read /etc/gdm3/daemon.conf: Permission denied");
  const auto f = judge(login, "MFA-3");
  CHECK(f.status == Status::kUnknown);
  CHECK(f.evidence.en ==
        "cannot be determined: cannot read /etc/gdm3/daemon.conf: Permission denied");
}

// ---- MFA-5 -----------------------------------------------------------------------------------

TEST_CASE("MFA-5: GNOME locked down within the limit passes with the figures") {
  const auto f = judge(gnomeDesktop(), "MFA-5");
  CHECK(f.status == Status::kPass);
  CHECK(f.evidence.en ==
        "locks after 300 s (5 min) idle (idle-delay 300 s (5 min) + lock-delay 0 s, limit "
        "600 s (10 min)); settings locked in dconf");
  CHECK(f.evidence.ja ==
        "無操作 300秒（5分） で画面ロック（idle-delay 300秒（5分） + lock-delay "
        "0秒、上限 600秒（10分））／設定は dconf でロック済み");
}

TEST_CASE("MFA-5: idle-delay plus lock-delay over the policy limit fails") {
  auto login = gnomeDesktop();
  login.screen_lock.value().idle_delay_seconds = 540;
  login.screen_lock.value().lock_delay_seconds = 120;
  const auto f = judge(login, "MFA-5");
  CHECK(f.status == Status::kFail);
  CHECK(
      f.evidence.en.starts_with("locks after 660 s (11 min) idle (idle-delay 540 s (9 min) + "
                                "lock-delay 120 s (2 min), limit 600 s (10 min))"));
  CHECK(f.remediation.en.find("dconf update") != std::string::npos);
  CHECK(f.remediation.en.find("idle-delay=uint32 300") != std::string::npos);

  // A city with a 15-minute limit accepts the same settings.
  auto relaxed = builtInPolicy();
  relaxed.profile(Segment::kLgwan).mfa.max_screen_lock_delay = 900s;
  CHECK(judge(login, "MFA-5", relaxed).status == Status::kPass);
}

TEST_CASE("MFA-5: unset keys take GNOME's defaults, which pass when locked") {
  auto login = gnomeDesktop();
  login.screen_lock = ScreenLockSettings{
      .idle_delay_locked = true, .lock_enabled_locked = true, .lock_delay_locked = true};
  const auto f = judge(login, "MFA-5");
  CHECK(f.status == Status::kPass);
  CHECK(
      f.evidence.en.starts_with("locks after 300 s (5 min) idle (idle-delay 300 s (5 min) "
                                "(GNOME default) + lock-delay 0 s (GNOME default)"));
}

TEST_CASE("MFA-5: keys not locked in dconf fail, naming them, even with good values") {
  auto login = gnomeDesktop();
  login.screen_lock.value().idle_delay_locked = false;
  login.screen_lock.value().lock_delay_locked = false;
  const auto f = judge(login, "MFA-5");
  CHECK(f.status == Status::kFail);
  CHECK(f.evidence.en.ends_with("; users can change idle-delay, lock-delay (not locked in dconf)"));
  CHECK(f.evidence.ja.ends_with(
      "／利用者が変更できる設定（dconf でロックされていません）: idle-delay, lock-delay"));
}

TEST_CASE("MFA-5: lock-enabled=false fails even when everything is locked") {
  auto login = gnomeDesktop();
  login.screen_lock.value().lock_enabled = false;
  const auto f = judge(login, "MFA-5");
  CHECK(f.status == Status::kFail);
  CHECK(f.evidence.en == "the screen lock is off (lock-enabled=false); settings locked in dconf");
}

TEST_CASE("MFA-5: idle-delay 0 means the screen never locks and fails") {
  auto login = gnomeDesktop();
  login.screen_lock.value().idle_delay_seconds = 0;
  const auto f = judge(login, "MFA-5");
  CHECK(f.status == Status::kFail);
  CHECK(f.evidence.en.starts_with("the screen never locks when idle (idle-delay=0)"));
}

TEST_CASE("MFA-5: a PC without a graphical login passes, there is no desktop to lock") {
  auto login = gnomeDesktop();
  login.graphical_login = false;
  login.screen_lock = Observed<ScreenLockSettings>::unknown("never read");
  const auto f = judge(login, "MFA-5");
  CHECK(f.status == Status::kPass);
  CHECK(f.evidence.en == "no graphical login on this PC: there is no desktop session to lock");
}

TEST_CASE("MFA-5: unreadable dconf settings are unknown with the reason") {
  auto login = gnomeDesktop();
  login.screen_lock = Observed<ScreenLockSettings>::unknown(
      "/etc/dconf/db/local.d/00-screensaver changed after /etc/dconf/db/local was compiled");
  const auto f = judge(login, "MFA-5");
  CHECK(f.status == Status::kUnknown);
  CHECK(f.evidence.en.starts_with("cannot be determined: /etc/dconf/db/local.d/00-screensaver"));
}
