// The Linux login settings decoders (MFA-3..MFA-5) on strings: display managers, faillock.conf,
// the account databases and GNOME's dconf keyfiles. The probe over fixture trees is in
// linux_login_test.cpp.

#include "mamori/platform/login_settings.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "login_test_text.hpp"

namespace mamori::platform {
namespace {

using testing_login::describe;
using testing_login::kLocks;

// ---- key files -------------------------------------------------------------------------------

TEST_CASE("MFA-3: a key file keeps groups, keys and trimmed values, and skips comments") {
  const auto kf = parseKeyFile(
      "# GDM configuration storage\n"
      "\n"
      "[daemon]\n"
      "  AutomaticLoginEnable = true  \n"
      "#AutomaticLogin = alice\n"
      "AutomaticLogin=bob\n"
      "[security]\n"
      "AutomaticLogin=carol\n"
      "[daemon]\n"
      "AutomaticLogin=dave\n");
  CHECK(kf.bad_lines.empty());
  REQUIRE(kf.find("daemon", "AutomaticLoginEnable"));
  CHECK(kf.find("daemon", "AutomaticLoginEnable")->value == "true");
  CHECK(kf.find("daemon", "AutomaticLogin")->value == "dave");  // the last one wins
  CHECK(kf.find("daemon", "AutomaticLogin")->line == 10);
  CHECK(kf.find("security", "AutomaticLogin")->value == "carol");
  CHECK(kf.find("daemon", "TimedLogin") == nullptr);
}

TEST_CASE("MFA-3: a key before any group or a line without '=' is one GKeyFile rejects") {
  const auto kf = parseKeyFile("autologin-user=alice\n[Seat:*]\nautologin-user alice\n=x\n");
  CHECK(kf.bad_lines == std::vector<int>{1, 3, 4});
  CHECK(kf.entries.empty());
}

// ---- gdm -------------------------------------------------------------------------------------

TEST_CASE("MFA-3: gdm AutomaticLoginEnable accepts true in any case or 1, with a user") {
  for (const char* on : {"true", "True", "TRUE", "1"}) {
    CAPTURE(on);
    const TextFile conf{"/etc/gdm3/daemon.conf", std::string("[daemon]\nAutomaticLoginEnable=") +
                                                     on + "\nAutomaticLogin=soumu01\n"};
    CHECK(describe(gdmAutoLogins(conf)) == "gdm3 /etc/gdm3/daemon.conf soumu01\n");
  }
  for (const char* off : {"false", "0", "yes", ""}) {
    CAPTURE(off);
    const TextFile conf{"/etc/gdm3/daemon.conf", std::string("[daemon]\nAutomaticLoginEnable=") +
                                                     off + "\nAutomaticLogin=soumu01\n"};
    CHECK(gdmAutoLogins(conf).empty());
  }
}

TEST_CASE("MFA-3: gdm auto-login without a user falls through to a timed login") {
  const TextFile conf{"/etc/gdm/custom.conf",
                      "[daemon]\nAutomaticLoginEnable=true\nAutomaticLogin=\n"
                      "TimedLoginEnable=true\nTimedLogin=kiosk\nTimedLoginDelay=30\n"};
  CHECK(describe(gdmAutoLogins(conf, "gdm")) == "gdm /etc/gdm/custom.conf kiosk timed\n");
}

TEST_CASE("MFA-3: Debian's shipped gdm3 daemon.conf, all commented out, logs nobody in") {
  const TextFile conf{"/etc/gdm3/daemon.conf",
                      "# GDM configuration storage\n"
                      "[daemon]\n"
                      "# Enabling automatic login\n"
                      "#  AutomaticLoginEnable = true\n"
                      "#  AutomaticLogin = user1\n"
                      "# Enabling timed login\n"
                      "#  TimedLoginEnable = true\n"
                      "#  TimedLogin = user1\n"
                      "#  TimedLoginDelay = 10\n"
                      "[security]\n[xdmcp]\n[chooser]\n[debug]\n"};
  CHECK(gdmAutoLogins(conf).empty());
}

TEST_CASE("MFA-3: a gdm file GKeyFile rejects leaves gdm on its defaults") {
  const TextFile conf{"/etc/gdm3/daemon.conf",
                      "AutomaticLoginEnable=true\n[daemon]\nAutomaticLogin=soumu01\n"};
  CHECK(gdmAutoLogins(conf).empty());
}

// ---- lightdm ---------------------------------------------------------------------------------

TEST_CASE("MFA-3: lightdm autologin-user is reported with the file that set it") {
  const std::vector<TextFile> files{
      {"/usr/share/lightdm/lightdm.conf.d/01_debian.conf",
       "[Seat:*]\ngreeter-session=lightdm-greeter\n"},
      {"/etc/lightdm/lightdm.conf.d/50-kiosk.conf", "[Seat:*]\nautologin-user=madoguchi\n"},
      {"/etc/lightdm/lightdm.conf", "[LightDM]\n[Seat:*]\n#autologin-user=\n"},
  };
  CHECK(describe(lightdmAutoLogins(files)) ==
        "lightdm /etc/lightdm/lightdm.conf.d/50-kiosk.conf madoguchi\n");
}

TEST_CASE("MFA-3: lightdm.conf, read last, overrides a conf.d autologin-user") {
  const std::vector<TextFile> files{
      {"/etc/lightdm/lightdm.conf.d/50-kiosk.conf", "[Seat:*]\nautologin-user=madoguchi\n"},
      {"/etc/lightdm/lightdm.conf", "[Seat:*]\nautologin-user=\n"},
  };
  CHECK(lightdmAutoLogins(files).empty());
}

TEST_CASE("MFA-3: lightdm [SeatDefaults] is [Seat:*] and a timeout makes the login timed") {
  const std::vector<TextFile> files{
      {"/etc/lightdm/lightdm.conf",
       "[SeatDefaults]\nautologin-user=kiosk\nautologin-user-timeout=15\n"},
  };
  CHECK(describe(lightdmAutoLogins(files)) == "lightdm /etc/lightdm/lightdm.conf kiosk timed\n");
}

TEST_CASE("MFA-3: a lightdm seat section inherits unset keys from [Seat:*]") {
  const std::vector<TextFile> files{
      {"/etc/lightdm/lightdm.conf",
       "[Seat:*]\nautologin-user-timeout=10\n[Seat:seat0]\nautologin-user=carol\n"},
  };
  CHECK(describe(lightdmAutoLogins(files)) == "lightdm /etc/lightdm/lightdm.conf carol timed\n");
}

TEST_CASE("MFA-3: lightdm autologin-guest=true logs a guest account in") {
  const std::vector<TextFile> files{
      {"/etc/lightdm/lightdm.conf", "[Seat:*]\nautologin-guest=true\n"}};
  CHECK(describe(lightdmAutoLogins(files)) == "lightdm /etc/lightdm/lightdm.conf -\n");
}

TEST_CASE("MFA-3: a lightdm file GKeyFile rejects is skipped, the others still count") {
  const std::vector<TextFile> files{
      {"/etc/lightdm/lightdm.conf.d/10-broken.conf", "autologin-user=eve\n"},
      {"/etc/lightdm/lightdm.conf.d/20-ok.conf", "[Seat:*]\nautologin-user=frank\n"},
  };
  CHECK(describe(lightdmAutoLogins(files)) ==
        "lightdm /etc/lightdm/lightdm.conf.d/20-ok.conf frank\n");
}

// ---- sddm ------------------------------------------------------------------------------------

TEST_CASE("MFA-3: sddm [Autologin] User logs in even with Session empty") {
  const std::vector<TextFile> files{
      {"/etc/sddm.conf.d/autologin.conf", "[Autologin]\nRelogin=false\nSession=\nUser=kiosk\n"},
  };
  CHECK(describe(sddmAutoLogins(files)) == "sddm /etc/sddm.conf.d/autologin.conf kiosk\n");
}

TEST_CASE("MFA-3: /etc/sddm.conf, read last, empties a conf.d User") {
  const std::vector<TextFile> files{
      {"/etc/sddm.conf.d/autologin.conf", "[Autologin]\nUser=kiosk\n"},
      {"/etc/sddm.conf", "[Autologin]\nUser=\n"},
  };
  CHECK(sddmAutoLogins(files).empty());
}

// ---- faillock.conf ---------------------------------------------------------------------------

TEST_CASE("MFA-4: faillock.conf deny and unlock_time, with spaces around '=' and comments") {
  const auto c = parseFaillockConf(
      "# Configuration for locking the user after multiple failed\n"
      "dir = /var/run/faillock\n"
      "audit\n"
      "deny = 5   # city standard\n"
      "unlock_time=900\n"
      "  fail_interval = 900\n");
  CHECK(c.deny == 5);
  CHECK(c.unlock_time == 900);
}

TEST_CASE("MFA-4: Debian's shipped faillock.conf, all commented out, sets nothing") {
  const auto c = parseFaillockConf("# deny = 3\n# unlock_time = 600\n# even_deny_root\n");
  CHECK_FALSE(c.deny.has_value());
  CHECK_FALSE(c.unlock_time.has_value());
}

TEST_CASE("MFA-4: unlock_time=never is 0, and a bad number keeps the value before it") {
  auto c = parseFaillockConf("unlock_time = never\n");
  CHECK(c.unlock_time == 0);
  c = parseFaillockConf("deny = 4\ndeny = many\nunlock_time = 600\nunlock_time = 999999\n");
  CHECK(c.deny == 4);
  CHECK(c.unlock_time == 600);  // more than a week (604800 s) is refused
  c = parseFaillockConf("deny==3\ndeny = -1\n");
  CHECK_FALSE(c.deny.has_value());
}

// ---- accounts --------------------------------------------------------------------------------

TEST_CASE("MFA-1: only an empty password field is an empty password") {
  const auto names = accountsWithEmptyPassword(
      "root:$y$j9T$abc$def:19700:0:99999:7:::\n"
      "daemon:*:19700:0:99999:7:::\n"
      "guest::19700:0:99999:7:::\n"
      "locked:!:19700::::::\n"
      "disabled:!$y$j9T$x$y:19700::::::\n"
      "+nisuser::0:0:::\n"
      "kiosk::\n"
      "broken\n");
  CHECK(names == std::vector<std::string>{"guest", "kiosk"});
  CHECK(accountsWithEmptyPassword("root:x:0:0:root:/root:/bin/bash\n").empty());
}

// ---- dconf -----------------------------------------------------------------------------------

TEST_CASE("MFA-5: a dconf profile lists its system databases highest priority first") {
  const auto p = parseDconfProfile(
      "# city profile\nuser-db:user\n  system-db:local  # ours\n"
      "system-db:site\nnonsense\nfile-db:/usr/share/x.db\n");
  CHECK(p.user_writable);
  CHECK(p.system_dbs == std::vector<std::string>{"local", "site"});
  CHECK(p.file_dbs == std::vector<std::string>{"/usr/share/x.db"});
  CHECK_FALSE(parseDconfProfile("system-db:local\nuser-db:user\n").user_writable);
  CHECK_FALSE(parseDconfProfile("# empty\n").user_writable);
}

TEST_CASE("MFA-5: GNOME screen lock keys and their locks are read from a keyfile directory") {
  const DconfDatabase local{"local",
                            {{"/etc/dconf/db/local.d/00-screensaver",
                              "[org/gnome/desktop/session]\nidle-delay=uint32 300\n\n"
                              "[org/gnome/desktop/screensaver]\nlock-enabled=true\n"
                              "lock-delay=uint32 0\n"}},
                            {{"/etc/dconf/db/local.d/locks/screensaver", kLocks}}};
  const auto s = screenLockSettings({local});
  REQUIRE_MESSAGE(s, s.error());
  CHECK(s->idle_delay_seconds == 300u);
  CHECK(s->lock_enabled == true);
  CHECK(s->lock_delay_seconds == 0u);
  CHECK(s->idle_delay_locked);
  CHECK(s->lock_enabled_locked);
  CHECK(s->lock_delay_locked);
}

TEST_CASE("MFA-5: no database mentioning a key leaves it unset and unlocked") {
  const auto s = screenLockSettings({});
  REQUIRE(s);
  CHECK_FALSE(s->idle_delay_seconds.has_value());
  CHECK_FALSE(s->lock_enabled.has_value());
  CHECK_FALSE(s->idle_delay_locked);
  // A profile of system databases only leaves users nothing to write.
  CHECK(screenLockSettings({}, false)->idle_delay_locked);
}

TEST_CASE("MFA-5: within one directory the keyfile last in strcmp order wins") {
  const DconfDatabase local{
      "local",
      {{"/etc/dconf/db/local.d/90-relaxed",
        "[org/gnome/desktop/session]\nidle-delay=uint32 1800\n"},
       {"/etc/dconf/db/local.d/00-city", "[org/gnome/desktop/session]\nidle-delay=uint32 300\n"}},
      {}};
  const auto s = screenLockSettings({local});
  REQUIRE(s);
  CHECK(s->idle_delay_seconds == 1800u);
}

TEST_CASE("MFA-5: idle-delay=300 without uint32 is an int32 that GNOME ignores") {
  const DconfDatabase local{"local",
                            {{"/etc/dconf/db/local.d/00-city",
                              "[org/gnome/desktop/session]\nidle-delay=900\n"
                              "[org/gnome/desktop/screensaver]\nlock-enabled='false'\n"}},
                            {}};
  const auto s = screenLockSettings({local});
  REQUIRE(s);
  CHECK_FALSE(s->idle_delay_seconds.has_value());
  CHECK_FALSE(s->lock_enabled.has_value());
}

TEST_CASE("MFA-5: a lock line counts only when it starts with '/' exactly as written") {
  const DconfDatabase local{
      "local",
      {},
      {{"/etc/dconf/db/local.d/locks/a",
        " /org/gnome/desktop/session/idle-delay\n# /org/gnome/desktop/screensaver/lock-delay\n"
        "/org/gnome/desktop/screensaver/lock-enabled\n"}}};
  const auto s = screenLockSettings({local});
  REQUIRE(s);
  CHECK_FALSE(s->idle_delay_locked);
  CHECK(s->lock_enabled_locked);
  CHECK_FALSE(s->lock_delay_locked);
}

TEST_CASE("MFA-5: a lock in a lower database hides the value of a higher one") {
  const DconfDatabase local{
      "local",
      {{"/etc/dconf/db/local.d/00-pc", "[org/gnome/desktop/session]\nidle-delay=uint32 3600\n"}},
      {}};
  const DconfDatabase site{
      "site",
      {{"/etc/dconf/db/site.d/00-city", "[org/gnome/desktop/session]\nidle-delay=uint32 300\n"}},
      {{"/etc/dconf/db/site.d/locks/city", kLocks}}};
  auto s = screenLockSettings({local, site});
  REQUIRE(s);
  CHECK(s->idle_delay_seconds == 300u);
  CHECK(s->idle_delay_locked);
  // Unlocked, the higher database wins.
  auto unlocked = site;
  unlocked.locks.clear();
  s = screenLockSettings({local, unlocked});
  REQUIRE(s);
  CHECK(s->idle_delay_seconds == 3600u);
  CHECK_FALSE(s->idle_delay_locked);
}

TEST_CASE("MFA-5: a keyfile dconf update refuses to compile is an error naming it") {
  for (const char* text :
       {"[org/gnome/desktop/session]\nidle-delay=uint32 -5\n",
        "[/org/gnome/desktop/session]\nidle-delay=uint32 300\n", "idle-delay=uint32 300\n",
        "[org/gnome/desktop/screensaver]\nlock-enabled=True\n"}) {
    CAPTURE(text);
    const DconfDatabase local{"local", {{"/etc/dconf/db/local.d/00-city", text}}, {}};
    const auto s = screenLockSettings({local});
    REQUIRE_FALSE(s);
    CHECK(s.error().starts_with("/etc/dconf/db/local.d/00-city:"));
    CHECK(s.error().find("dconf update") != std::string::npos);
  }
}

}  // namespace
}  // namespace mamori::platform
