// MFA-5 on Windows: the machine inactivity limit or a password-protected screen saver.

#include <algorithm>

#include "login_windows.hpp"
#include "registry_values.hpp"

namespace mamori::policy::checks::windows {

namespace {

/// How one mechanism locks an idle session, as configured.
struct Lock {
  enum State { kLocks, kNever, kMalformed } state = kNever;
  std::uint64_t seconds = 0;  ///< when kLocks
  Text text;
};

// InactivityTimeoutSecs ("Interactive logon: Machine inactivity limit"): 0..599940 s; blank or 0
// disables it; past it the screen saver starts and the session locks (Microsoft, "Interactive
// logon: Machine inactivity limit").
Lock inactivityLock(const WindowsLogin& w) {
  const auto& v = w.inactivity_timeout_seconds;
  const Text unset{"非アクティブ状態の上限は未設定", "machine inactivity limit not set"};
  const Text off{"非アクティブ状態の上限 0（無効）", "machine inactivity limit 0 (off)"};
  if (!v || *v == 0) return {Lock::kNever, 0, v ? off : unset};
  const Text s = secondsText(static_cast<long long>(*v));
  return {Lock::kLocks,
          *v,
          {"非アクティブ状態 " + s.ja + "でロック", "machine inactivity limit " + s.en}};
}

// The screen saver policies (User Configuration > Administrative Templates > Control Panel >
// Personalization): ScreenSaveActive and ScreenSaverIsSecure are 0 | 1, and without
// ScreenSaverIsSecure = 1 the saver does not ask for a password (Microsoft, "ScreenSaverIsSecure"
// registry reference); a timeout of 0 never starts it, and an unset policy leaves the user's own
// setting in force (ADMX help of "Screen saver timeout").
Lock screenSaverLock(const WindowsLogin& w) {
  struct Value {
    std::string_view name;
    const std::optional<std::string>& raw;
    Text unset;
    Text off;
  };
  const Value values[] = {
      {"ScreenSaveActive",
       w.screen_saver_active,
       {"スクリーン セーバーはポリシーで強制されていません", "screen saver not enforced by policy"},
       {"スクリーン セーバーはポリシーで無効", "screen saver disabled by policy"}},
      {"ScreenSaverIsSecure",
       w.screen_saver_secure,
       {"スクリーン セーバーのパスワード保護はポリシー未設定",
        "screen saver password not enforced by policy"},
       {"スクリーン セーバーはパスワードを求めません", "screen saver does not ask for a password"}},
      {"ScreenSaveTimeOut",
       w.screen_saver_timeout,
       {"スクリーン セーバーのタイムアウトはポリシー未設定",
        "screen saver timeout not set by policy"},
       {"スクリーン セーバーのタイムアウト 0（起動しません）",
        "screen saver timeout 0 (never starts)"}},
  };
  // A value that rules out locking decides even when another one is malformed.
  std::optional<Lock> malformed;
  std::uint64_t timeout = 0;
  for (const auto& v : values) {
    if (!v.raw) return {Lock::kNever, 0, v.unset};
    const auto n = parseNumber(*v.raw);
    const bool is_timeout = &v == &values[2];
    if (n && *n == 0) return {Lock::kNever, 0, v.off};
    if (!n || (!is_timeout && *n != 1)) {
      if (!malformed) malformed = Lock{Lock::kMalformed, 0, quoted(v.name, *v.raw, n.has_value())};
    } else if (is_timeout) {
      timeout = *n;
    }
  }
  if (malformed) return *malformed;
  const Text s = secondsText(static_cast<long long>(timeout));
  return {Lock::kLocks,
          timeout,
          {"スクリーン セーバーは " + s.ja + "でロック", "screen saver locks after " + s.en}};
}

}  // namespace

Finding screenLock(const Context& c, const WindowsLogin& login) {
  constexpr std::string_view kId = "MFA-5";
  const auto limit_s = static_cast<std::uint64_t>(std::max<std::int64_t>(
      0, static_cast<std::int64_t>(c.profile.mfa.max_screen_lock_delay.count())));
  const Text limit = secondsText(static_cast<long long>(limit_s));
  const Text fix{"「対話型ログオン: コンピューターの非アクティブ状態の上限」を 1〜" + limit.ja +
                     "に設定するか、「スクリーン セーバーを有効にする」「パスワードでスクリーン "
                     "セーバーを保護する」を有効にし「スクリーン セーバーのタイムアウト」を " +
                     limit.ja + "以下にしてください。",
                 "Set \"Interactive logon: Machine inactivity limit\" to 1-" + limit.en +
                     ", or enable \"Enable screen saver\" and \"Password protect the screen "
                     "saver\" with \"Screen saver timeout\" at most " +
                     limit.en + "."};
  const Lock locks[] = {inactivityLock(login), screenSaverLock(login)};
  for (const auto& l : locks) {
    if (l.state == Lock::kLocks && l.seconds <= limit_s) {
      return pass(kId, {l.text.ja + "、上限 " + limit.ja, l.text.en + ", limit " + limit.en});
    }
  }
  Text evidence;
  for (const auto& l : locks) append(evidence, l.text);
  evidence.ja += "、上限 " + limit.ja;
  evidence.en += ", limit " + limit.en;
  const bool malformed =
      std::ranges::any_of(locks, [](const Lock& l) { return l.state == Lock::kMalformed; });
  if (malformed) return unknown(kId, evidence, fix);
  return fail(kId, evidence, fix);
}

}  // namespace mamori::policy::checks::windows
