#pragma once

// Login facts (MFA-1..MFA-5): the raw configuration the OS login reads, per OS. Like every
// fact, observations only; the evaluator decides what they mean under the policy.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mamori/policy/observed.hpp"
#include "mamori/policy/pam.hpp"

namespace mamori::policy {

// ---- Linux -----------------------------------------------------------------------------------

/// A display manager set to log a user in without anyone typing (MFA-3, 第59条(7)).
struct AutoLogin {
  std::string display_manager;  ///< `gdm3`, `lightdm`, `sddm`
  std::string file;             ///< `/etc/gdm3/daemon.conf`
  std::string user;             ///< may be empty when the manager picks one
  bool timed = false;           ///< gdm's TimedLogin: logs in after a delay at the greeter
};

/// /etc/security/faillock.conf; a `deny=` argument on the pam_faillock line overrides it.
struct FaillockConfig {
  std::optional<int> deny;         ///< failures before the account locks (pam_faillock: 3)
  std::optional<int> unlock_time;  ///< seconds; 0 = until an admin unlocks
};

/// GNOME's system-wide dconf settings (/etc/dconf/db/*.d): idle delay and screen lock.
struct ScreenLockSettings {
  std::optional<std::uint32_t> idle_delay_seconds;  ///< org/gnome/desktop/session idle-delay
  std::optional<bool> lock_enabled;                 ///< org/gnome/desktop/screensaver
  std::optional<std::uint32_t> lock_delay_seconds;  ///< after the screen blanks
  /// Keys listed under locks/: users cannot change them.
  bool idle_delay_locked = false;
  bool lock_enabled_locked = false;
  bool lock_delay_locked = false;
};

/// sshd's authentication settings as one kind of connection sees them: the global section, or
/// the global section with one Match block's settings on top. Values as written; unset = sshd's
/// default.
struct SshdSettings {
  std::string condition;  ///< empty for the global section; `Match Group nomfa` otherwise
  std::optional<std::string> authentication_methods;  ///< `publickey,keyboard-interactive`
  std::optional<std::string> pubkey_authentication;
  std::optional<std::string> password_authentication;
  std::optional<std::string> kbd_interactive_authentication;
  std::optional<std::string> hostbased_authentication;
  std::optional<std::string> gssapi_authentication;
  std::optional<std::string> permit_empty_passwords;
  std::optional<std::string> use_pam;
};

struct LinuxLogin {
  /// The login services of the policy that exist in /etc/pam.d, each as libpam loads it.
  std::vector<pam::Stack> services;
  /// Accounts whose /etc/shadow password field is empty: `pam_unix nullok` logs them in
  /// without a password.
  Observed<std::vector<std::string>> empty_password_accounts;
  Observed<std::vector<AutoLogin>> auto_logins;
  Observed<FaillockConfig> faillock;
  /// Known-and-empty optionals when GNOME's settings do not mention a key (its defaults apply).
  Observed<ScreenLockSettings> screen_lock;
  bool graphical_login = false;  ///< a display manager's PAM service exists
  /// OpenSSH server settings, one entry per view; empty when no SSH server is installed.
  /// A public-key login never runs PAM's auth stack, so sshd is judged from these too.
  Observed<std::vector<SshdSettings>> sshd = std::vector<SshdSettings>{};
};

// ---- Windows (values as read from the registry and NetUserModalsGet) ------------------------

struct WindowsLogin {
  /// HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\System\scforceoption
  std::optional<std::uint32_t> smart_card_required;
  /// HKLM\SOFTWARE\Policies\Microsoft\PassportForWork: Enabled, RequireSecurityDevice
  std::optional<std::uint32_t> hello_for_business_enabled;
  std::optional<std::uint32_t> hello_require_security_device;
  /// ExcludedCredentialProviders under HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Policies
  /// \System (the "Exclude credential providers" policy), split at commas: the CLSIDs of
  /// credential providers the logon screen must not offer.
  std::vector<std::string> excluded_credential_providers;
  /// HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Winlogon
  std::optional<std::string> auto_admin_logon;  ///< "1" = on
  std::optional<std::string> default_user_name;
  bool default_password_present = false;  ///< DefaultPassword exists; its value is never read
  /// NetUserModalsGet level 3: usrmod3_lockout_threshold (0 = never locks)
  std::optional<std::uint32_t> lockout_threshold;
  /// HKLM\...\Policies\System\InactivityTimeoutSecs (machine inactivity limit)
  std::optional<std::uint32_t> inactivity_timeout_seconds;
  /// Screen saver policy (HKCU\Software\Policies\Microsoft\Windows\Control Panel\Desktop):
  /// ScreenSaveActive, ScreenSaverIsSecure, ScreenSaveTimeOut, as the strings Windows stores.
  std::optional<std::string> screen_saver_active;
  std::optional<std::string> screen_saver_secure;
  std::optional<std::string> screen_saver_timeout;
};

/// Exactly one of the two is set, by the probe of the OS the agent runs on.
struct LoginFacts {
  std::optional<LinuxLogin> linux_login;
  std::optional<WindowsLogin> windows_login;
};

}  // namespace mamori::policy
