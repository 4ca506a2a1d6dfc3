// Login facts from JSON (see facts_codec.cpp): PAM handler lists, display-manager and desktop
// settings, sshd views, Windows registry values.

#include "facts_decoders.hpp"

namespace mamori::policy::detail {
namespace {

template <class T>
std::optional<T> optionalNumber(const json::Node& node, std::int64_t max) {
  if (node.isNull()) return std::nullopt;
  return static_cast<T>(node.integer(0, max));
}

std::optional<std::string> optionalString(const json::Node& node) {
  if (node.isNull()) return std::nullopt;
  return decodeString(node);
}

pam::Handler decodeHandler(const json::Node& node) {
  json::Fields f(node);
  pam::Handler h;
  h.kind =
      static_cast<pam::HandlerKind>(f.required("kind").oneOf({"module", "must_fail", "substack"}));
  h.stack_level = static_cast<int>(f.required("level").integer(0, 16));
  h.control = decodeString(f.required("control"));
  const auto actions = f.required("actions");
  const auto items = actions.array();
  if (items.size() != h.actions.size()) actions.fail("does not hold 32 actions (one per code)");
  for (std::size_t i = 0; i < items.size(); ++i) {
    h.actions[i] = static_cast<int>(items[i].integer(pam::kActionUndef, 1'000'000));
  }
  h.module = decodeString(f.required("module"));
  h.arguments = decodeStrings(f.required("arguments"));
  h.installed = f.required("installed").boolean();
  h.file = decodeString(f.required("file"));
  h.line = static_cast<int>(f.required("line").integer(0, 1'000'000));
  f.finish();
  return h;
}

pam::Stack decodeStack(const json::Node& node) {
  json::Fields f(node);
  pam::Stack s;
  s.service = std::string(f.required("service").nonEmptyString());
  for (const auto& h : f.required("auth").array()) s.auth.push_back(decodeHandler(h));
  s.load_error = decodeString(f.required("load_error"));
  s.too_large = decodeString(f.required("too_large"));
  s.from_other = f.required("from_other").boolean();
  f.finish();
  return s;
}

std::vector<AutoLogin> decodeAutoLogins(const json::Node& node) {
  std::vector<AutoLogin> out;
  for (const auto& item : node.array()) {
    json::Fields f(item);
    out.push_back({decodeString(f.required("display_manager")), decodeString(f.required("file")),
                   decodeString(f.required("user")), f.required("timed").boolean()});
    f.finish();
  }
  return out;
}

FaillockConfig decodeFaillock(const json::Node& node) {
  json::Fields f(node);
  FaillockConfig c{optionalNumber<int>(f.required("deny"), 65535),
                   optionalNumber<int>(f.required("unlock_time"), 604800)};
  f.finish();
  return c;
}

ScreenLockSettings decodeScreenLock(const json::Node& node) {
  json::Fields f(node);
  ScreenLockSettings s;
  s.idle_delay_seconds =
      optionalNumber<std::uint32_t>(f.required("idle_delay_seconds"), UINT32_MAX);
  if (const auto n = f.required("lock_enabled"); !n.isNull()) s.lock_enabled = n.boolean();
  s.lock_delay_seconds =
      optionalNumber<std::uint32_t>(f.required("lock_delay_seconds"), UINT32_MAX);
  s.idle_delay_locked = f.required("idle_delay_locked").boolean();
  s.lock_enabled_locked = f.required("lock_enabled_locked").boolean();
  s.lock_delay_locked = f.required("lock_delay_locked").boolean();
  f.finish();
  return s;
}

std::vector<SshdSettings> decodeSshd(const json::Node& node) {
  std::vector<SshdSettings> out;
  for (const auto& item : node.array()) {
    json::Fields f(item);
    SshdSettings s;
    s.condition = decodeString(f.required("condition"));
    s.authentication_methods = optionalString(f.required("authentication_methods"));
    s.pubkey_authentication = optionalString(f.required("pubkey_authentication"));
    s.password_authentication = optionalString(f.required("password_authentication"));
    s.kbd_interactive_authentication = optionalString(f.required("kbd_interactive_authentication"));
    s.hostbased_authentication = optionalString(f.required("hostbased_authentication"));
    s.gssapi_authentication = optionalString(f.required("gssapi_authentication"));
    s.permit_empty_passwords = optionalString(f.required("permit_empty_passwords"));
    s.use_pam = optionalString(f.required("use_pam"));
    f.finish();
    out.push_back(std::move(s));
  }
  return out;
}

LinuxLogin decodeLinux(const json::Node& node) {
  json::Fields f(node);
  LinuxLogin l;
  for (const auto& s : f.required("services").array()) l.services.push_back(decodeStack(s));
  l.empty_password_accounts = decodeObserved<std::vector<std::string>>(
      f.required("empty_password_accounts"), decodeStrings);
  l.auto_logins =
      decodeObserved<std::vector<AutoLogin>>(f.required("auto_logins"), decodeAutoLogins);
  l.faillock = decodeObserved<FaillockConfig>(f.required("faillock"), decodeFaillock);
  l.screen_lock = decodeObserved<ScreenLockSettings>(f.required("screen_lock"), decodeScreenLock);
  l.graphical_login = f.required("graphical_login").boolean();
  l.sshd = decodeObserved<std::vector<SshdSettings>>(f.required("sshd"), decodeSshd);
  f.finish();
  return l;
}

WindowsLogin decodeWindows(const json::Node& node) {
  json::Fields f(node);
  WindowsLogin w;
  const auto dword = [&](std::string_view key) {
    return optionalNumber<std::uint32_t>(f.required(key), UINT32_MAX);
  };
  w.smart_card_required = dword("smart_card_required");
  w.hello_for_business_enabled = dword("hello_for_business_enabled");
  w.hello_require_security_device = dword("hello_require_security_device");
  w.excluded_credential_providers = decodeStrings(f.required("excluded_credential_providers"));
  w.auto_admin_logon = optionalString(f.required("auto_admin_logon"));
  w.default_user_name = optionalString(f.required("default_user_name"));
  w.default_password_present = f.required("default_password_present").boolean();
  w.lockout_threshold = dword("lockout_threshold");
  w.inactivity_timeout_seconds = dword("inactivity_timeout_seconds");
  w.screen_saver_active = optionalString(f.required("screen_saver_active"));
  w.screen_saver_secure = optionalString(f.required("screen_saver_secure"));
  w.screen_saver_timeout = optionalString(f.required("screen_saver_timeout"));
  f.finish();
  return w;
}

}  // namespace

LoginFacts decodeLogin(const json::Node& node) {
  json::Fields f(node);
  LoginFacts login;
  if (auto n = f.optional("linux")) login.linux_login = decodeLinux(*n);
  if (auto n = f.optional("windows")) login.windows_login = decodeWindows(*n);
  f.finish();
  if (login.linux_login.has_value() == login.windows_login.has_value()) {
    node.fail("must hold exactly one of \"linux\" and \"windows\"");
  }
  return login;
}

}  // namespace mamori::policy::detail
