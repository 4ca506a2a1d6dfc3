// The Linux login settings read from files below a root. What the files mean is decided in
// decode/login_settings.cpp and decode/pam_config.cpp; this file finds the files each program
// reads, in the order it reads them, and tells a missing file (its default applies) from one
// that cannot be read (the fact is unknown).

#include "login_probe.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <array>
#include <expected>
#include <filesystem>
#include <optional>
#include <utility>

#include "mamori/platform/login_settings.hpp"
#include "mamori/platform/pam_config.hpp"
#include "mamori/platform/sshd_config.hpp"

namespace mamori::platform::linux {
namespace {

using policy::Observed;

template <class T>
using Maybe = std::expected<T, std::string>;

bool isRegularFile(const RootFs& fs, std::string_view path) {
  std::error_code ec;
  return std::filesystem::is_regular_file(fs.path(path), ec);
}

// nullopt: the file does not exist, which is normal (the program's default applies).
Maybe<std::optional<TextFile>> readIfPresent(const RootFs& fs, const std::string& path) {
  if (!fs.exists(path)) return std::nullopt;
  auto text = fs.read(path);
  if (!text) return std::unexpected("cannot read " + text.error());
  return TextFile{path, std::move(*text)};
}

// The regular files of `dir` whose names end in `suffix`, in strcmp order.
std::vector<std::string> filesIn(const RootFs& fs, const std::string& dir,
                                 std::string_view suffix = "", bool hidden_too = false) {
  std::vector<std::string> paths;
  for (const auto& name : fs.list(dir)) {
    if ((!hidden_too && name.starts_with('.')) || !name.ends_with(suffix)) continue;
    if (isRegularFile(fs, dir + "/" + name)) paths.push_back(dir + "/" + name);
  }
  return paths;
}

Maybe<std::vector<TextFile>> readAll(const RootFs& fs, const std::vector<std::string>& paths) {
  std::vector<TextFile> files;
  for (const auto& path : paths) {
    auto file = readIfPresent(fs, path);
    if (!file) return std::unexpected(file.error());
    if (*file) files.push_back(std::move(**file));
  }
  return files;
}

// ---- MFA-3 -----------------------------------------------------------------------------------

using AutoLogins = Maybe<std::vector<policy::AutoLogin>>;

// gdm reads one file, chosen when it is built: Debian's gdm3 daemon.conf, Ubuntu's gdm3
// custom.conf, upstream's gdm/custom.conf. Whichever of them exists is judged.
AutoLogins gdm(const RootFs& fs) {
  constexpr std::array<std::pair<std::string_view, std::string_view>, 3> kFiles{{
      {"/etc/gdm3/daemon.conf", "gdm3"},
      {"/etc/gdm3/custom.conf", "gdm3"},
      {"/etc/gdm/custom.conf", "gdm"},
  }};
  std::vector<policy::AutoLogin> found;
  for (const auto& [path, dm] : kFiles) {
    const auto file = readIfPresent(fs, std::string(path));
    if (!file) return std::unexpected(file.error());
    if (*file) std::ranges::move(gdmAutoLogins(**file, dm), std::back_inserter(found));
  }
  return found;
}

// lightdm: XDG data dirs (reversed), XDG config dirs, its own conf.d, then lightdm.conf. It
// loads every `*.conf`, dot files included.
AutoLogins lightdm(const RootFs& fs) {
  std::vector<std::string> paths;
  for (const char* dir :
       {"/usr/share/lightdm/lightdm.conf.d", "/usr/local/share/lightdm/lightdm.conf.d",
        "/etc/xdg/lightdm/lightdm.conf.d", "/etc/lightdm/lightdm.conf.d"}) {
    std::ranges::move(filesIn(fs, dir, ".conf", true), std::back_inserter(paths));
  }
  paths.emplace_back("/etc/lightdm/lightdm.conf");
  const auto files = readAll(fs, paths);
  if (!files) return std::unexpected(files.error());
  return lightdmAutoLogins(*files);
}

// sddm: system conf.d, local conf.d, then /etc/sddm.conf (sddm.conf(5)).
AutoLogins sddm(const RootFs& fs) {
  auto paths = filesIn(fs, "/usr/lib/sddm/sddm.conf.d");
  std::ranges::move(filesIn(fs, "/etc/sddm.conf.d"), std::back_inserter(paths));
  paths.emplace_back("/etc/sddm.conf");
  const auto files = readAll(fs, paths);
  if (!files) return std::unexpected(files.error());
  return sddmAutoLogins(*files);
}

Observed<std::vector<policy::AutoLogin>> readAutoLogins(const RootFs& fs) {
  std::vector<policy::AutoLogin> found;
  for (const auto display_manager : {gdm, lightdm, sddm}) {
    auto more = display_manager(fs);
    if (!more) return Observed<std::vector<policy::AutoLogin>>::unknown(more.error());
    std::ranges::move(*more, std::back_inserter(found));
  }
  return found;
}

// A display manager is installed when its PAM service or its configuration is. Both are
// conffiles and outlive a removal, so this can say yes for a removed one: MFA-5 then errs on the
// strict side and judges a screen lock nobody sees.
bool hasGraphicalLogin(const RootFs& fs) {
  return std::ranges::any_of(
      std::array<std::string_view, 8>{"/etc/pam.d/gdm-password", "/etc/pam.d/lightdm",
                                      "/etc/pam.d/sddm", "/etc/gdm3/daemon.conf",
                                      "/etc/gdm3/custom.conf", "/etc/gdm/custom.conf",
                                      "/etc/lightdm/lightdm.conf", "/etc/sddm.conf"},
      [&](std::string_view path) { return fs.exists(path); });
}

// ---- MFA-4 and accounts ----------------------------------------------------------------------

Observed<policy::FaillockConfig> readFaillock(const RootFs& fs) {
  const auto file = readIfPresent(fs, "/etc/security/faillock.conf");
  if (!file) return Observed<policy::FaillockConfig>::unknown(file.error());
  if (!*file) return policy::FaillockConfig{};  // pam_faillock's built-in defaults
  return parseFaillockConf((*file)->text);
}

Observed<std::vector<std::string>> readEmptyPasswordAccounts(const RootFs& fs) {
  const auto shadow = fs.read("/etc/shadow");
  if (!shadow) {
    return Observed<std::vector<std::string>>::unknown("cannot read " + shadow.error());
  }
  auto names = accountsWithEmptyPassword(*shadow);
  // pam_unix takes the passwd field itself unless it is `x`: empty there is empty too.
  if (const auto passwd = fs.read("/etc/passwd")) {
    std::ranges::move(accountsWithEmptyPassword(*passwd), std::back_inserter(names));
  }
  std::ranges::sort(names);
  const auto [first, last] = std::ranges::unique(names);
  names.erase(first, last);
  return names;
}

// ---- MFA-5 -----------------------------------------------------------------------------------

// The first path in `paths` modified after `compiled`, if any.
std::optional<std::string> newerThan(const RootFs& fs, const std::string& compiled,
                                     const std::vector<std::string>& paths) {
  std::error_code ec;
  const auto built = std::filesystem::last_write_time(fs.path(compiled), ec);
  if (ec) return std::nullopt;
  for (const auto& path : paths) {
    const auto changed = std::filesystem::last_write_time(fs.path(path), ec);
    if (!ec && changed > built) return path;
  }
  return std::nullopt;
}

// One `system-db:` of the profile. nullopt: it was never compiled, so dconf reads nothing from
// it, whatever its keyfiles say.
Maybe<std::optional<DconfDatabase>> readDconfDatabase(const RootFs& fs, const std::string& name) {
  const auto compiled = "/etc/dconf/db/" + name;
  const auto dir = compiled + ".d";
  if (!fs.exists(compiled)) return std::nullopt;
  if (!fs.exists(dir)) {
    return std::unexpected(compiled + " has no keyfile directory " + dir + " to read it from");
  }
  const auto keyfile_paths = filesIn(fs, dir);
  const auto lock_paths = filesIn(fs, dir + "/locks");
  auto keyfiles = readAll(fs, keyfile_paths);
  if (!keyfiles) return std::unexpected(keyfiles.error());
  auto locks = readAll(fs, lock_paths);
  if (!locks) return std::unexpected(locks.error());

  // `dconf update` recompiles only when the directory is newer than the database, and an edit
  // in place does not even touch the directory: then the database is not what is read here.
  std::vector<std::string> sources{dir, dir + "/locks"};
  sources.insert(sources.end(), keyfile_paths.begin(), keyfile_paths.end());
  sources.insert(sources.end(), lock_paths.begin(), lock_paths.end());
  if (const auto newer = newerThan(fs, compiled, sources)) {
    return std::unexpected(*newer + " changed after " + compiled +
                           " was compiled: the settings are not in effect until `dconf update`");
  }
  return DconfDatabase{name, std::move(*keyfiles), std::move(*locks)};
}

Observed<policy::ScreenLockSettings> readScreenLock(const RootFs& fs) {
  using Result = Observed<policy::ScreenLockSettings>;
  // dconf's `user` profile: /etc first, then the XDG data dirs; none means `user-db:user`.
  DconfProfile profile;
  for (const char* path : {"/etc/dconf/profile/user", "/usr/local/share/dconf/profile/user",
                           "/usr/share/dconf/profile/user"}) {
    const auto file = readIfPresent(fs, path);
    if (!file) return Result::unknown(file.error());
    if (!*file) continue;
    profile = parseDconfProfile((*file)->text);
    break;
  }
  if (!profile.file_dbs.empty()) {
    return Result::unknown("the dconf profile uses " + profile.file_dbs.front() +
                           ", a compiled database without keyfiles to read");
  }
  std::vector<DconfDatabase> dbs;
  for (const auto& name : profile.system_dbs) {
    auto db = readDconfDatabase(fs, name);
    if (!db) return Result::unknown(db.error());
    if (*db) dbs.push_back(std::move(**db));
  }
  auto settings = screenLockSettings(dbs, profile.user_writable);
  if (!settings) return Result::unknown(settings.error());
  return *settings;
}

// ---- PAM -------------------------------------------------------------------------------------

// libpam's view of the root: service files in /etc/pam.d, modules in Debian's module path.
class RootFsPamSource final : public PamConfigSource {
 public:
  explicit RootFsPamSource(const RootFs& fs) : fs_(fs) {}

  [[nodiscard]] std::optional<std::string> read(std::string_view name) const override {
    const auto path = name.starts_with('/') ? std::string(name) : "/etc/pam.d/" + std::string(name);
    auto text = fs_.read(path, 4 << 20);
    if (!text) return std::nullopt;
    return std::move(*text);
  }

  [[nodiscard]] bool moduleInstalled(std::string_view module) const override {
    if (module.starts_with('/')) return isRegularFile(fs_, module);
    return std::ranges::any_of(kModuleDirs, [&](std::string_view dir) {
      return isRegularFile(fs_, std::string(dir) + "/" + std::string(module));
    });
  }

 private:
  static constexpr std::array<std::string_view, 4> kModuleDirs{
      "/lib/x86_64-linux-gnu/security", "/usr/lib/x86_64-linux-gnu/security", "/lib/security",
      "/usr/lib/security"};
  const RootFs& fs_;
};

// ---- sshd --------------------------------------------------------------------------------------

// sshd_config and what it includes. Not installed (no /usr/sbin/sshd): no views at all.
Observed<std::vector<policy::SshdSettings>> readSshd(const RootFs& fs) {
  if (!isRegularFile(fs, "/usr/sbin/sshd")) return std::vector<policy::SshdSettings>{};
  auto main = readIfPresent(fs, "/etc/ssh/sshd_config");
  if (!main) return Observed<std::vector<policy::SshdSettings>>::unknown(main.error());
  std::string error;
  const SshdIncludes includes = [&](std::string_view pattern) {
    std::string path(pattern);
    if (!path.starts_with('/')) path = "/etc/ssh/" + path;  // sshd's rule for relative names
    const auto slash = path.rfind('/');
    const auto dir = path.substr(0, slash);
    const auto glob = path.substr(slash + 1);
    std::vector<std::string> paths;
    for (const auto& candidate : filesIn(fs, dir, "", true)) {
      const auto name = candidate.substr(dir.size() + 1);
      if (fnmatch(glob.c_str(), name.c_str(), FNM_PERIOD) == 0) paths.push_back(candidate);
    }
    auto files = readAll(fs, paths);
    if (!files && error.empty()) error = files.error();
    return files ? std::move(*files) : std::vector<TextFile>{};
  };
  auto views = parseSshdConfig(main->value_or(TextFile{"/etc/ssh/sshd_config", ""}), includes);
  if (!error.empty()) return Observed<std::vector<policy::SshdSettings>>::unknown(error);
  return views;
}

}  // namespace

Observed<policy::LoginFacts> readLoginFacts(const RootFs& fs,
                                            const std::vector<std::string>& services) {
  policy::LinuxLogin login;
  const RootFsPamSource source(fs);
  for (const auto& name : services) {
    // A service is a file name in /etc/pam.d; anything else is not one libpam would open.
    if (name.empty() || name.find('/') != std::string::npos) continue;
    if (!isRegularFile(fs, "/etc/pam.d/" + name)) continue;
    login.services.push_back(loadAuthStack(name, source));
  }
  login.empty_password_accounts = readEmptyPasswordAccounts(fs);
  login.auto_logins = readAutoLogins(fs);
  login.faillock = readFaillock(fs);
  login.screen_lock = readScreenLock(fs);
  login.graphical_login = hasGraphicalLogin(fs);
  login.sshd = readSshd(fs);
  return policy::LoginFacts{.linux_login = std::move(login)};
}

}  // namespace mamori::platform::linux
