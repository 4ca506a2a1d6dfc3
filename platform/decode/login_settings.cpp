#include "mamori/platform/login_settings.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "text_lines.hpp"

namespace mamori::platform {
namespace {

constexpr std::string_view kSpace = " \t\r\n\f\v";

using textscan::equalsIgnoringCase;
using textscan::nextLine;

std::string_view trim(std::string_view s) { return textscan::trim(s, kSpace); }

// The leading decimal digits of `s` as sscanf("%u") takes them; nullopt without any.
std::optional<std::uint64_t> leadingNumber(std::string_view s) {
  s = trim(s);
  if (s.starts_with('+')) s.remove_prefix(1);
  std::uint64_t n = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc{}) return std::nullopt;
  return n;
}

// `[name]` with nothing but blanks after it, as GKeyFile recognises a group line.
std::optional<std::string_view> groupName(std::string_view line) {
  if (!line.starts_with('[')) return std::nullopt;
  const auto close = line.find(']');
  if (close == std::string_view::npos || close == 1) return std::nullopt;
  if (line.substr(close + 1).find_first_not_of(" \t\r") != std::string_view::npos) {
    return std::nullopt;
  }
  return line.substr(1, close - 1);
}

// ---- merging files in load order -------------------------------------------------------------

struct Setting {
  std::string value;
  std::string file;
};

// (group, key) -> the setting of the last file that set it.
using Merged = std::map<std::pair<std::string, std::string>, Setting, std::less<>>;

// lightdm moves the keys of its deprecated [SeatDefaults] into [Seat:*] as it loads a file.
void mergeInto(Merged& merged, const TextFile& file, const KeyFile& kf, bool seat_defaults) {
  for (const auto& e : kf.entries) {
    const bool alias = seat_defaults && e.group == "SeatDefaults";
    merged[{alias ? "Seat:*" : e.group, e.key}] = {e.value, file.path};
  }
}

const Setting* lookup(const Merged& merged, std::string_view group, std::string_view key) {
  const auto it = merged.find(std::pair{std::string(group), std::string(key)});
  return it == merged.end() ? nullptr : &it->second;
}

// ---- dconf -----------------------------------------------------------------------------------

constexpr std::string_view kIdleDelay = "/org/gnome/desktop/session/idle-delay";
constexpr std::string_view kLockEnabled = "/org/gnome/desktop/screensaver/lock-enabled";
constexpr std::string_view kLockDelay = "/org/gnome/desktop/screensaver/lock-delay";

// A keyfile value in GVariant text form, as far as the three keys judged here need it.
struct DconfValue {
  enum class Type { kBool, kUint32, kOther } type = Type::kOther;
  std::uint32_t number = 0;
  bool flag = false;
};

// nullopt: GVariant cannot parse it, so `dconf update` refuses the whole directory.
std::optional<DconfValue> parseDconfValue(std::string_view text) {
  text = trim(text);
  if (text == "true" || text == "false") {
    return DconfValue{.type = DconfValue::Type::kBool, .flag = text == "true"};
  }
  for (std::string_view prefix : {"uint32 ", "@u "}) {
    if (!text.starts_with(prefix)) continue;
    const auto digits = trim(text.substr(prefix.size()));
    std::uint32_t n = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
    return DconfValue{.type = DconfValue::Type::kUint32, .number = n};
  }
  // A bare word GVariant has no keyword for (`True`, `yes`) does not parse.
  if (!text.empty() &&
      std::ranges::all_of(
          text, [](char ch) { return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'); }) &&
      text != "nothing") {
    return std::nullopt;
  }
  // `300` is an int32, `'300'` a string: well-formed, but not what GSettings expects.
  return DconfValue{};
}

struct CompiledDb {
  std::map<std::string, DconfValue, std::less<>> values;  // only the keys judged here
  std::set<std::string, std::less<>> locks;
};

bool judged(std::string_view path) {
  return path == kIdleDelay || path == kLockEnabled || path == kLockDelay;
}

// What `dconf update` writes for one directory, or why it refuses to.
std::expected<CompiledDb, std::string> compile(const DconfDatabase& db) {
  auto files = db.keyfiles;
  std::ranges::sort(files, {}, &TextFile::path);
  CompiledDb out;
  for (const auto& file : files) {
    const auto kf = parseKeyFile(file.text);
    const auto refused = [&](int line, std::string_view why) {
      return std::unexpected(file.path + ":" + std::to_string(line) + ": " + std::string(why) +
                             ", so `dconf update` cannot compile the " + db.name + " database");
    };
    if (!kf.bad_lines.empty()) return refused(kf.bad_lines.front(), "not a keyfile line");
    for (const auto& e : kf.entries) {
      if (e.group.starts_with('/') || e.group.ends_with('/') ||
          e.group.find("//") != std::string::npos) {
        return refused(e.line, "invalid group name [" + e.group + "]");
      }
      if (e.key.find('/') != std::string::npos) return refused(e.line, "invalid key " + e.key);
      const auto path = "/" + e.group + "/" + e.key;
      if (!judged(path)) continue;
      const auto value = parseDconfValue(e.value);
      if (!value) return refused(e.line, "invalid value " + e.value);
      out.values[path] = *value;  // files run in strcmp order: the last one wins
    }
  }
  for (const auto& file : db.locks) {
    // dconf takes every line that starts with '/', exactly as written.
    for (std::size_t pos = 0; pos < file.text.size();) {
      const auto line = nextLine(file.text, pos);
      if (line.starts_with('/')) out.locks.emplace(line);
    }
  }
  return out;
}

struct Resolved {
  std::optional<DconfValue> value;
  bool locked = false;
};

// dconf_engine_read() over the system databases: a lock in database i means only i and the
// databases below it count. The user database (index 0 when writable) is not read: users can
// change whatever is not locked, which is what `locked` reports.
Resolved resolve(const std::vector<CompiledDb>& dbs, std::string_view path, bool user_writable) {
  std::size_t start = 0;
  bool locked = !user_writable;
  for (std::size_t i = dbs.size(); i-- > 0;) {
    // The engine ignores locks in its first source; with a user database that is not one of ours.
    if ((user_writable || i > 0) && dbs[i].locks.contains(path)) {
      start = i;
      locked = true;
      break;
    }
  }
  for (std::size_t i = start; i < dbs.size(); ++i) {
    if (const auto it = dbs[i].values.find(path); it != dbs[i].values.end()) {
      return {it->second, locked};
    }
  }
  return {std::nullopt, locked};
}

}  // namespace

// ---- key files -------------------------------------------------------------------------------

const KeyFile::Entry* KeyFile::find(std::string_view group, std::string_view key) const {
  const auto it = std::ranges::find_if(entries.rbegin(), entries.rend(), [&](const Entry& e) {
    return e.group == group && e.key == key;
  });
  return it == entries.rend() ? nullptr : &*it;
}

KeyFile parseKeyFile(std::string_view text) {
  KeyFile kf;
  std::optional<std::string> group;
  int number = 0;
  for (std::size_t pos = 0; pos < text.size();) {
    ++number;
    const auto line = trim(nextLine(text, pos));
    if (line.empty() || line.starts_with('#')) continue;
    if (const auto name = groupName(line)) {
      group = std::string(*name);
      continue;
    }
    const auto eq = line.find('=');
    const auto key = eq == std::string_view::npos ? std::string_view{} : trim(line.substr(0, eq));
    if (!group || key.empty()) {
      kf.bad_lines.push_back(number);
      continue;
    }
    kf.entries.push_back(
        {*group, std::string(key), std::string(trim(line.substr(eq + 1))), number});
  }
  return kf;
}

// ---- display managers ------------------------------------------------------------------------

std::vector<policy::AutoLogin> gdmAutoLogins(const TextFile& conf,
                                             std::string_view display_manager) {
  const auto kf = parseKeyFile(conf.text);
  if (!kf.bad_lines.empty()) return {};  // GKeyFile fails: gdm runs on its defaults
  const auto setting = [&](std::string_view key) {
    const auto* e = kf.find("daemon", key);
    return e ? e->value : std::string();
  };
  const auto enabled = [&](std::string_view key) {
    const auto v = setting(key);
    return equalsIgnoringCase(v, "true") || v == "1";
  };
  const auto dm = std::string(display_manager);
  // gdm looks at the timed login only when the automatic one is off or names no user.
  if (enabled("AutomaticLoginEnable") && !setting("AutomaticLogin").empty()) {
    return {{dm, conf.path, setting("AutomaticLogin"), false}};
  }
  if (enabled("TimedLoginEnable") && !setting("TimedLogin").empty()) {
    return {{dm, conf.path, setting("TimedLogin"), true}};
  }
  return {};
}

std::vector<policy::AutoLogin> lightdmAutoLogins(const std::vector<TextFile>& files_in_load_order) {
  Merged merged;
  for (const auto& file : files_in_load_order) {
    const auto kf = parseKeyFile(file.text);
    if (!kf.bad_lines.empty()) continue;
    mergeInto(merged, file, kf, /*seat_defaults=*/true);
  }
  std::set<std::string> seats{"Seat:*"};
  for (const auto& [where, setting] : merged) {
    if (where.first.starts_with("Seat:")) seats.insert(where.first);
  }
  std::vector<policy::AutoLogin> found;
  for (const auto& seat : seats) {
    const auto get = [&](std::string_view key) {
      const auto* s = lookup(merged, seat, key);
      return s ? s : lookup(merged, "Seat:*", key);
    };
    const auto* timeout = get("autologin-user-timeout");
    const bool timed = timeout && leadingNumber(timeout->value).value_or(0) > 0;
    policy::AutoLogin login;
    if (const auto* user = get("autologin-user"); user && !user->value.empty()) {
      login = {"lightdm", user->file, user->value, timed};
    } else if (const auto* guest = get("autologin-guest"); guest && guest->value == "true") {
      login = {"lightdm", guest->file, "", timed};  // a guest account made up at login
    } else {
      continue;
    }
    const auto same = [&](const policy::AutoLogin& a) {
      return a.file == login.file && a.user == login.user && a.timed == login.timed;
    };
    if (std::ranges::none_of(found, same)) found.push_back(std::move(login));
  }
  return found;
}

std::vector<policy::AutoLogin> sddmAutoLogins(const std::vector<TextFile>& files_in_load_order) {
  Merged merged;
  for (const auto& file : files_in_load_order) {
    mergeInto(merged, file, parseKeyFile(file.text), /*seat_defaults=*/false);
  }
  const auto* user = lookup(merged, "Autologin", "User");
  if (!user || user->value.empty()) return {};
  return {{"sddm", user->file, user->value, false}};
}

// ---- faillock.conf ---------------------------------------------------------------------------

policy::FaillockConfig parseFaillockConf(std::string_view text) {
  constexpr std::uint64_t kMaxTimeInterval = 604800;  // faillock.h: 7 days
  constexpr std::size_t kMaxLine = 1023;              // FAILLOCK_CONF_MAX_LINELEN
  policy::FaillockConfig config;
  for (std::size_t pos = 0; pos < text.size();) {
    auto line = nextLine(text, pos);
    if (line.size() >= kMaxLine) continue;  // pam_faillock skips over-long lines
    line = trim(line.substr(0, line.find('#')));
    if (line.empty()) continue;
    const auto name_end = line.find_first_of(" \t=");
    const auto name = line.substr(0, name_end);
    auto value = name_end == std::string_view::npos ? std::string_view{} : line.substr(name_end);
    value = trim(value);
    if (value.starts_with('=')) value = trim(value.substr(1));
    // Plain values rather than an optional: GCC 12 misreports the optional as uninitialised.
    bool has_number = false;
    std::uint64_t number = 0;  // strtoul on 64-bit Linux, also when built for Windows
    if (!value.starts_with('-')) {
      if (const auto n = leadingNumber(value)) {
        has_number = true;
        number = *n;
      }
    }
    if (name == "deny" && has_number) {
      config.deny = static_cast<int>(number % 65536);  // sscanf("%hu") keeps the low 16 bits
    } else if (name == "unlock_time") {
      if (value == "never") {
        config.unlock_time = 0;
      } else if (has_number && number <= kMaxTimeInterval) {
        config.unlock_time = static_cast<int>(number);
      }
    }
  }
  return config;
}

// ---- accounts --------------------------------------------------------------------------------

std::vector<std::string> accountsWithEmptyPassword(std::string_view text) {
  std::vector<std::string> names;
  for (std::size_t pos = 0; pos < text.size();) {
    auto line = nextLine(text, pos);
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (line.empty() || line.starts_with('+') || line.starts_with('-') || line.starts_with('#')) {
      continue;
    }
    const auto colon = line.find(':');
    if (colon == 0 || colon == std::string_view::npos) continue;
    const auto rest = line.substr(colon + 1);
    const auto password = rest.substr(0, rest.find(':'));
    if (password.empty()) names.emplace_back(line.substr(0, colon));
  }
  return names;
}

// ---- dconf -----------------------------------------------------------------------------------

DconfProfile parseDconfProfile(std::string_view text) {
  DconfProfile profile;
  bool first = true;
  for (std::size_t pos = 0; pos < text.size();) {
    const auto line = nextLine(text, pos);
    const auto source = trim(line.substr(0, line.find('#')));
    if (source.empty()) continue;
    const auto colon = source.find(':');
    const auto kind = source.substr(0, colon);
    const auto name =
        colon == std::string_view::npos ? std::string_view{} : source.substr(colon + 1);
    if (kind != "user-db" && kind != "service-db" && kind != "system-db" && kind != "file-db") {
      continue;  // dconf warns and ignores the line
    }
    if (first) profile.user_writable = kind == "user-db" || kind == "service-db";
    first = false;
    if (kind == "system-db") profile.system_dbs.emplace_back(name);
    if (kind == "file-db") profile.file_dbs.emplace_back(name);
  }
  if (first) profile.user_writable = false;  // no source at all: the null profile
  return profile;
}

std::expected<policy::ScreenLockSettings, std::string> screenLockSettings(
    const std::vector<DconfDatabase>& dbs, bool user_writable) {
  std::vector<CompiledDb> compiled;
  for (const auto& db : dbs) {
    auto c = compile(db);
    if (!c) return std::unexpected(c.error());
    compiled.push_back(std::move(*c));
  }
  using Type = DconfValue::Type;
  const auto read = [&](std::string_view path, Type type) {
    auto r = resolve(compiled, path, user_writable);
    if (r.value && r.value->type != type) r.value.reset();  // GSettings drops the wrong type
    return r;
  };
  policy::ScreenLockSettings s;
  const auto idle = read(kIdleDelay, Type::kUint32);
  const auto enabled = read(kLockEnabled, Type::kBool);
  const auto delay = read(kLockDelay, Type::kUint32);
  if (idle.value) s.idle_delay_seconds = idle.value->number;
  if (enabled.value) s.lock_enabled = enabled.value->flag;
  if (delay.value) s.lock_delay_seconds = delay.value->number;
  s.idle_delay_locked = idle.locked;
  s.lock_enabled_locked = enabled.locked;
  s.lock_delay_locked = delay.locked;
  return s;
}

}  // namespace mamori::platform
