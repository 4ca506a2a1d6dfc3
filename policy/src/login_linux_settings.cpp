// MFA-3 and MFA-5 on Linux: display-manager auto-login and GNOME's screen lock settings.

#include "login_linux_settings.hpp"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace mamori::policy::checks::linux_login {
namespace {

const Text kAskAdmin{"情報システム管理者に連絡してください。",
                     "Contact the information system administrator."};

// GNOME's schema defaults (gsettings-desktop-schemas): org.gnome.desktop.session idle-delay,
// org.gnome.desktop.screensaver lock-enabled and lock-delay.
constexpr std::uint32_t kGnomeIdleDelay = 300;
constexpr bool kGnomeLockEnabled = true;
constexpr std::uint32_t kGnomeLockDelay = 0;

// ---- MFA-3 -----------------------------------------------------------------------------------

Text describe(const AutoLogin& a) {
  const Text who =
      a.user.empty() ? Text{"ゲストアカウント", "a guest account"} : Text{a.user, a.user};
  if (a.timed) {
    return {a.display_manager + " がログイン画面で一定時間後に " + who.ja +
                " を自動ログインさせます（時限ログイン、" + a.file + "）",
            a.display_manager + " logs in " + who.en +
                " after a delay at the login screen (timed login, " + a.file + ")"};
  }
  return {a.display_manager + " が " + who.ja + " をパスワード入力なしでログインさせます（" +
              a.file + "）",
          a.display_manager + " logs in " + who.en + " without a password (" + a.file + ")"};
}

// What to change, once per display manager and file.
Text howToTurnOff(const AutoLogin& a) {
  if (a.display_manager.starts_with("gdm")) {
    return {
        a.file + " の [daemon] で AutomaticLoginEnable=false、TimedLoginEnable=false",
        "set AutomaticLoginEnable=false and TimedLoginEnable=false under [daemon] in " + a.file};
  }
  if (a.display_manager == "lightdm") {
    return {a.file + " から autologin-user と autologin-guest を削除",
            "remove autologin-user and autologin-guest from " + a.file};
  }
  return {a.file + " の [Autologin] で User= を空に", "empty User= under [Autologin] in " + a.file};
}

// ---- MFA-5 -----------------------------------------------------------------------------------

// "idle-delay 300 s (GNOME default)"
Text setting(std::string_view key, std::optional<std::uint32_t> value, std::uint32_t fallback) {
  const auto t = secondsText(value.value_or(fallback));
  const std::string k(key);
  if (value) return {k + " " + t.ja, k + " " + t.en};
  return {k + " " + t.ja + "（GNOME 既定値）", k + " " + t.en + " (GNOME default)"};
}

// Whether the screen locks by itself within `limit`, with the figures appended to `evidence`.
bool timing(const ScreenLockSettings& s, std::chrono::seconds limit, Text& evidence) {
  if (!s.lock_enabled.value_or(kGnomeLockEnabled)) {
    append(evidence, {"画面ロックが無効です（lock-enabled=false）",
                      "the screen lock is off (lock-enabled=false)"});
    return false;
  }
  const long long idle = s.idle_delay_seconds.value_or(kGnomeIdleDelay);
  if (idle == 0) {
    append(evidence, {"無操作でも画面ロックが始まりません（idle-delay=0）",
                      "the screen never locks when idle (idle-delay=0)"});
    return false;
  }
  const long long total = idle + s.lock_delay_seconds.value_or(kGnomeLockDelay);
  const auto total_text = secondsText(total);
  const auto limit_text = secondsText(limit.count());
  const auto idle_text = setting("idle-delay", s.idle_delay_seconds, kGnomeIdleDelay);
  const auto delay_text = setting("lock-delay", s.lock_delay_seconds, kGnomeLockDelay);
  append(evidence, {"無操作 " + total_text.ja + " で画面ロック（" + idle_text.ja + " + " +
                        delay_text.ja + "、上限 " + limit_text.ja + "）",
                    "locks after " + total_text.en + " idle (" + idle_text.en + " + " +
                        delay_text.en + ", limit " + limit_text.en + ")"});
  return total <= limit.count();
}

// Keys a user could change back: those no system database locks.
Text unlockedKeys(const ScreenLockSettings& s) {
  std::vector<std::string> keys;
  if (!s.idle_delay_locked) keys.emplace_back("idle-delay");
  if (!s.lock_enabled_locked) keys.emplace_back("lock-enabled");
  if (!s.lock_delay_locked) keys.emplace_back("lock-delay");
  if (keys.empty()) return {};
  std::string list;
  for (const auto& k : keys) list += (list.empty() ? "" : ", ") + k;
  return {"利用者が変更できる設定（dconf でロックされていません）: " + list,
          "users can change " + list + " (not locked in dconf)"};
}

Text screenLockFix(std::chrono::seconds limit) {
  const auto idle = std::to_string(std::clamp<long long>(limit.count(), 1, kGnomeIdleDelay));
  return {"/etc/dconf/db/local.d/ のキーファイルに [org/gnome/desktop/session] idle-delay=uint32 " +
              idle +
              " と [org/gnome/desktop/screensaver] lock-enabled=true、lock-delay=uint32 0 を書き、"
              "/etc/dconf/db/local.d/locks/ のファイルに /org/gnome/desktop/session/idle-delay、"
              "/org/gnome/desktop/screensaver/lock-enabled、"
              "/org/gnome/desktop/screensaver/lock-delay を1行ずつ書いて `dconf update` を実行して"
              "ください（/etc/dconf/profile/user には user-db:user と system-db:local が必要で"
              "す）。",
          "In a keyfile under /etc/dconf/db/local.d/ set [org/gnome/desktop/session] "
          "idle-delay=uint32 " +
              idle +
              " and [org/gnome/desktop/screensaver] lock-enabled=true, lock-delay=uint32 0; list "
              "/org/gnome/desktop/session/idle-delay, /org/gnome/desktop/screensaver/lock-enabled "
              "and /org/gnome/desktop/screensaver/lock-delay one per line in a file under "
              "/etc/dconf/db/local.d/locks/; then run `dconf update` (/etc/dconf/profile/user "
              "must list user-db:user and system-db:local)."};
}

}  // namespace

// MFA-3 (第59条(7)): nobody logs in without typing: no automatic or timed display-manager login.
Finding autoLogin(const Context&, const LinuxLogin& login) {
  constexpr std::string_view kId = "MFA-3";
  if (!login.auto_logins.known()) {
    return unknown(kId, reasonText(login.auto_logins.reason()), kAskAdmin);
  }
  const auto& found = login.auto_logins.value();
  if (found.empty()) {
    return pass(kId, {"自動ログインするディスプレイマネージャはありません",
                      "no display manager logs in automatically"});
  }
  Text evidence;
  Text steps;
  std::vector<std::pair<std::string, std::string>> seen;  // (display manager, file)
  for (const auto& a : found) {
    append(evidence, describe(a));
    if (std::ranges::find(seen, std::pair{a.display_manager, a.file}) != seen.end()) continue;
    seen.emplace_back(a.display_manager, a.file);
    const auto step = howToTurnOff(a);
    steps.ja += (steps.ja.empty() ? "" : "、") + step.ja;
    steps.en += (steps.en.empty() ? "" : "; ") + step.en;
  }
  return fail(
      kId, evidence,
      {"自動ログインを無効にしてください: " + steps.ja +
           "。ログインのたびに認証が必要です（第59条(7)）。",
       "Turn off automatic login: " + steps.en + ". Every login must authenticate (第59条(7))."});
}

// MFA-5 (第45条): the desktop locks itself within the policy's idle limit, and staff cannot
// raise that limit or switch the lock off.
Finding screenLock(const Context& c, const LinuxLogin& login) {
  constexpr std::string_view kId = "MFA-5";
  if (!login.graphical_login) {
    return pass(kId,
                {"この PC にはグラフィカルログインがなく、ロックするデスクトップ画面がありません",
                 "no graphical login on this PC: there is no desktop session to lock"});
  }
  if (!login.screen_lock.known()) {
    return unknown(kId, reasonText(login.screen_lock.reason()), kAskAdmin);
  }
  const auto& s = login.screen_lock.value();
  const auto limit = c.profile.mfa.max_screen_lock_delay;

  Text evidence;
  bool holds = timing(s, limit, evidence);
  if (const auto unlocked = unlockedKeys(s); !unlocked.empty()) {
    holds = false;
    append(evidence, unlocked);
  } else {
    append(evidence, {"設定は dconf でロック済み", "settings locked in dconf"});
  }
  return holds ? pass(kId, evidence) : fail(kId, evidence, screenLockFix(limit));
}

}  // namespace mamori::policy::checks::linux_login
