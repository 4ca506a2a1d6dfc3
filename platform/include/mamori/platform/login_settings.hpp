#pragma once

// Decoders of the Linux login settings (MFA-3..MFA-5): display-manager auto-login, GNOME's
// screen lock in dconf keyfiles, /etc/security/faillock.conf and the account databases. Pure:
// the probe reads the files and hands their text in, so every rule here is tested on strings.

#include <expected>
#include <string>
#include <string_view>
#include <vector>

#include "mamori/policy/login.hpp"

namespace mamori::platform {

/// A file as read from the target: where it is and what it holds.
struct TextFile {
  std::string path;  ///< `/etc/lightdm/lightdm.conf.d/50-autologin.conf`
  std::string text;
};

/// A GLib key file (`[group]`, `key=value`, whole-line `#` comments), the format of gdm, lightdm,
/// sddm and dconf keyfiles. Unlike GKeyFile, values are trimmed at both ends.
struct KeyFile {
  struct Entry {
    std::string group;
    std::string key;
    std::string value;
    int line = 0;
  };
  std::vector<Entry> entries;  ///< in file order
  /// Lines GKeyFile rejects (no `=`, an empty key, a key before the first group). GKeyFile
  /// refuses the whole file for one of them.
  std::vector<int> bad_lines;

  /// The entry that decides `key` of `group` (the last one); nullptr when absent.
  [[nodiscard]] const Entry* find(std::string_view group, std::string_view key) const;
};

KeyFile parseKeyFile(std::string_view text);

// ---- MFA-3: display managers ----------------------------------------------------------------

/// gdm's `[daemon]` settings (Debian's /etc/gdm3/daemon.conf, elsewhere custom.conf), read as
/// gdm does: AutomaticLoginEnable (`true`/`1`, any case) with a non-empty AutomaticLogin, else
/// TimedLoginEnable with a non-empty TimedLogin (timed). A file GKeyFile rejects is not used.
std::vector<policy::AutoLogin> gdmAutoLogins(const TextFile& conf,
                                             std::string_view display_manager = "gdm3");

/// lightdm's files in its load order (later ones override keys of earlier ones; [SeatDefaults]
/// is [Seat:*]): each seat section whose `autologin-user` is set or `autologin-guest=true`;
/// `autologin-user-timeout` > 0 makes it timed. A seat section inherits unset keys from
/// [Seat:*]. Files GKeyFile rejects are skipped, as lightdm skips them.
std::vector<policy::AutoLogin> lightdmAutoLogins(const std::vector<TextFile>& files_in_load_order);

/// sddm's files in its load order (later ones win): `[Autologin] User=` non-empty. An empty
/// `Session=` still logs in (sddm then uses the last session).
std::vector<policy::AutoLogin> sddmAutoLogins(const std::vector<TextFile>& files_in_load_order);

// ---- MFA-4 -----------------------------------------------------------------------------------

/// /etc/security/faillock.conf as pam_faillock reads it: `name = value`, `#` to the end of the
/// line, later lines win, a bad number keeps the earlier value, `unlock_time = never` is 0.
policy::FaillockConfig parseFaillockConf(std::string_view text);

// ---- accounts --------------------------------------------------------------------------------

/// The accounts of /etc/shadow (or /etc/passwd) whose password field is empty: pam_unix with
/// `nullok` lets them in without a password. `*`, `!`-locked and hashed fields are not empty;
/// NIS `+`/`-` lines are skipped.
std::vector<std::string> accountsWithEmptyPassword(std::string_view text);

// ---- MFA-5: GNOME screen lock through dconf --------------------------------------------------

/// The databases a dconf profile (/etc/dconf/profile/user) stacks, as dconf reads it.
struct DconfProfile {
  /// The first source is `user-db:` or `service-db:`: users can write keys that no system
  /// database locks. A profile of system databases only (or none) makes every key read-only.
  bool user_writable = true;
  std::vector<std::string> system_dbs;  ///< `system-db:` names, highest priority first
  std::vector<std::string> file_dbs;    ///< `file-db:` paths: compiled, no keyfiles to read
};

/// A profile file's sources. dconf without any profile file behaves as `user-db:user` alone:
/// `DconfProfile{}`.
DconfProfile parseDconfProfile(std::string_view text);

/// One system database as its keyfile directory holds it (`/etc/dconf/db/local.d`).
struct DconfDatabase {
  std::string name;                ///< `local`
  std::vector<TextFile> keyfiles;  ///< the directory's files, any order
  std::vector<TextFile> locks;     ///< the files of its `locks/` directory
};

/// GNOME's idle delay and screen lock settings, resolved over `dbs` (in profile order) as
/// `dconf update` compiles each directory (the file last in strcmp order wins a key) and the
/// dconf engine reads the stack (a lock in a database hides the databases above it). A value of
/// the wrong type (`idle-delay=300` is an int32, not `uint32 300`) is dropped, as GSettings drops
/// it, so GNOME's default applies. The error names a keyfile `dconf update` refuses to compile:
/// then the compiled database is not what the keyfiles say.
std::expected<policy::ScreenLockSettings, std::string> screenLockSettings(
    const std::vector<DconfDatabase>& dbs, bool user_writable = true);

}  // namespace mamori::platform
