#include "mamori/policy/json_codec.hpp"

#include <boost/json/value_from.hpp>
#include <cstdio>

namespace mamori::policy {
namespace {

namespace js = boost::json;

std::string hex(unsigned value, int digits) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%0*x", digits, value);
  return buf;
}

js::value encode(const std::string& s) { return js::string(s); }
js::value encode(bool b) { return b; }
js::value encode(TimePoint t) { return js::string(formatTimestamp(t)); }

js::value encode(const OsRelease& os);
js::value encode(const UsbInventory& usb);
js::value encode(const std::vector<AntiMalwareProduct>& products);
js::value encode(const PackageInventory& inventory);
js::value encode(const LoginFacts& login);
js::value encode(const std::vector<AutoLogin>& logins);
js::value encode(const FaillockConfig& f);
js::value encode(const ScreenLockSettings& s);
js::value encode(const std::vector<SshdSettings>& views);
js::value encode(const std::vector<std::string>& names) { return js::value_from(names); }
js::value encode(const std::vector<PendingUpdate>& updates);

js::value encode(const UsbAuditLog& log) {
  return js::object{{"events", log.events},
                    {"waiting", log.waiting},
                    {"dropped", log.dropped},
                    {"last_event", log.last_event ? encode(*log.last_event) : js::value()}};
}

template <class T>
js::value encode(const Observed<T>& o) {
  if (!o.known()) return js::object{{"unknown", o.reason()}};
  return encode(o.value());
}

js::value encode(const OsRelease& os) {
  js::object out{{"id", os.id},
                 {"version_id", os.version_id},
                 {"pretty_name", os.pretty_name},
                 {"version_codename", os.version_codename}};
  // Windows only; left out otherwise so a Linux report reads as it always did.
  if (!os.edition.empty()) out["edition"] = os.edition;
  if (!os.build.empty()) out["build"] = os.build;
  return out;
}

js::value encode(const UsbDevice& d) {
  js::array interfaces, kinds;
  for (const auto& i : d.interfaces) {
    interfaces.push_back(js::object{{"number", i.number},
                                    {"class", hex(i.interface_class, 2)},
                                    {"subclass", hex(i.subclass, 2)},
                                    {"protocol", hex(i.protocol, 2)},
                                    {"kind", usbKindId(i.kind())},
                                    {"authorized", i.authorized}});
    const js::value kind = js::string(usbKindId(i.kind()));
    if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) kinds.push_back(kind);
  }
  return js::object{{"port", d.port},
                    {"vendor_id", hex(d.vendor_id, 4)},
                    {"product_id", hex(d.product_id, 4)},
                    {"serial", d.serial},
                    {"manufacturer", d.manufacturer},
                    {"product", d.product},
                    {"device_class", hex(d.device_class, 2)},
                    {"authorized", d.authorized},
                    {"kinds", std::move(kinds)},
                    {"interfaces", std::move(interfaces)}};
}

js::value encode(const UsbInventory& usb) {
  js::array controllers, devices;
  for (const auto& c : usb.controllers) {
    js::object o{{"name", c.name}, {"authorized_default", c.authorized_default}};
    if (c.interface_authorized_default) {
      o["interface_authorized_default"] = *c.interface_authorized_default;
    }
    controllers.push_back(std::move(o));
  }
  for (const auto& d : usb.devices) devices.push_back(encode(d));
  return js::object{{"controllers", std::move(controllers)}, {"devices", std::move(devices)}};
}

js::value encode(const AntiMalwareProduct& p) {
  js::array databases;
  for (const auto& db : p.databases) {
    databases.push_back(js::object{{"file", db.file},
                                   {"built", encode(db.built)},
                                   {"version", db.version},
                                   {"signatures", db.signatures},
                                   {"functionality_level", db.functionality_level}});
  }
  js::object out{{"id", p.id},
                 {"name", p.name},
                 {"engine_version", encode(p.engine_version)},
                 {"service_running", encode(p.service_running)},
                 {"real_time_protection", encode(p.real_time_protection)},
                 {"signatures_updated", encode(p.signatures_updated)},
                 {"signature_version", encode(p.signature_version)},
                 {"last_full_scan", encode(p.last_full_scan)},
                 {"databases", std::move(databases)}};
  // Only products that report no signature date say this (Windows Security Center).
  if (p.signatures_reported_current.known()) {
    out["signatures_reported_current"] = p.signatures_reported_current.value();
  }
  return out;
}

js::value encode(const std::vector<AntiMalwareProduct>& products) {
  js::array out;
  for (const auto& p : products) out.push_back(encode(p));
  return out;
}

js::value encode(const PackageInventory& inventory) {
  js::array installed;
  installed.reserve(inventory.packages.size());
  for (const auto& p : inventory.packages) {
    installed.push_back(
        js::object{{"name", p.name}, {"version", p.version}, {"architecture", p.architecture}});
  }
  js::object out{{"manager", inventory.manager},
                 {"count", inventory.packages.size()},
                 {"last_change", encode(inventory.last_change)},
                 {"installed", std::move(installed)}};
  if (inventory.pending_security_updates) {
    out["pending_security_updates"] = encode(*inventory.pending_security_updates);
  }
  return out;
}

js::value encode(const std::vector<PendingUpdate>& updates) {
  js::array out;
  for (const auto& u : updates) {
    out.push_back(js::object{{"title", u.title}, {"released", encode(u.released)}});
  }
  return out;
}

// ---- login -----------------------------------------------------------------------------------

template <class T>
js::value optional(const std::optional<T>& v) {
  if (!v) return nullptr;
  return js::value_from(*v);
}

js::value encode(const pam::Handler& h) {
  static constexpr const char* kKinds[] = {"module", "must_fail", "substack"};
  js::array actions;
  for (const int a : h.actions) actions.push_back(a);
  return js::object{{"kind", kKinds[static_cast<int>(h.kind)]},
                    {"level", h.stack_level},
                    {"control", h.control},
                    {"actions", std::move(actions)},
                    {"module", h.module},
                    {"arguments", js::value_from(h.arguments)},
                    {"installed", h.installed},
                    {"file", h.file},
                    {"line", h.line}};
}

js::value encode(const pam::Stack& stack) {
  js::array auth;
  for (const auto& h : stack.auth) auth.push_back(encode(h));
  return js::object{{"service", stack.service},
                    {"auth", std::move(auth)},
                    {"load_error", stack.load_error},
                    {"too_large", stack.too_large},
                    {"from_other", stack.from_other}};
}

js::value encode(const std::vector<AutoLogin>& logins) {
  js::array out;
  for (const auto& a : logins) {
    out.push_back(js::object{{"display_manager", a.display_manager},
                             {"file", a.file},
                             {"user", a.user},
                             {"timed", a.timed}});
  }
  return out;
}

js::value encode(const FaillockConfig& f) {
  return js::object{{"deny", optional(f.deny)}, {"unlock_time", optional(f.unlock_time)}};
}

js::value encode(const ScreenLockSettings& s) {
  return js::object{{"idle_delay_seconds", optional(s.idle_delay_seconds)},
                    {"lock_enabled", optional(s.lock_enabled)},
                    {"lock_delay_seconds", optional(s.lock_delay_seconds)},
                    {"idle_delay_locked", s.idle_delay_locked},
                    {"lock_enabled_locked", s.lock_enabled_locked},
                    {"lock_delay_locked", s.lock_delay_locked}};
}

js::value encode(const std::vector<SshdSettings>& views) {
  js::array out;
  for (const auto& v : views) {
    out.push_back(
        js::object{{"condition", v.condition},
                   {"authentication_methods", optional(v.authentication_methods)},
                   {"pubkey_authentication", optional(v.pubkey_authentication)},
                   {"password_authentication", optional(v.password_authentication)},
                   {"kbd_interactive_authentication", optional(v.kbd_interactive_authentication)},
                   {"hostbased_authentication", optional(v.hostbased_authentication)},
                   {"gssapi_authentication", optional(v.gssapi_authentication)},
                   {"permit_empty_passwords", optional(v.permit_empty_passwords)},
                   {"use_pam", optional(v.use_pam)}});
  }
  return out;
}

js::value encode(const LinuxLogin& l) {
  js::array services;
  for (const auto& s : l.services) services.push_back(encode(s));
  return js::object{{"services", std::move(services)},
                    {"empty_password_accounts", encode(l.empty_password_accounts)},
                    {"auto_logins", encode(l.auto_logins)},
                    {"faillock", encode(l.faillock)},
                    {"screen_lock", encode(l.screen_lock)},
                    {"graphical_login", l.graphical_login},
                    {"sshd", encode(l.sshd)}};
}

js::value encode(const WindowsLogin& w) {
  // DefaultPassword's value is never collected: only whether one is stored.
  return js::object{
      {"smart_card_required", optional(w.smart_card_required)},
      {"hello_for_business_enabled", optional(w.hello_for_business_enabled)},
      {"hello_require_security_device", optional(w.hello_require_security_device)},
      {"excluded_credential_providers", js::value_from(w.excluded_credential_providers)},
      {"auto_admin_logon", optional(w.auto_admin_logon)},
      {"default_user_name", optional(w.default_user_name)},
      {"default_password_present", w.default_password_present},
      {"lockout_threshold", optional(w.lockout_threshold)},
      {"inactivity_timeout_seconds", optional(w.inactivity_timeout_seconds)},
      {"screen_saver_active", optional(w.screen_saver_active)},
      {"screen_saver_secure", optional(w.screen_saver_secure)},
      {"screen_saver_timeout", optional(w.screen_saver_timeout)}};
}

js::value encode(const LoginFacts& login) {
  js::object out;
  if (login.linux_login) out["linux"] = encode(*login.linux_login);
  if (login.windows_login) out["windows"] = encode(*login.windows_login);
  return out;
}

}  // namespace

js::value toJson(const UsbDevice& device) { return encode(device); }

js::value toJson(const PostureFacts& facts) {
  return js::object{
      {"collected_at", encode(facts.collected_at)},
      {"device",
       js::object{{"hostname", facts.device.hostname},
                  {"machine_id", facts.device.machine_id},
                  {"smbios_uuid", facts.device.smbios_uuid},
                  {"macs", js::array(facts.device.macs.begin(), facts.device.macs.end())}}},
      {"os", encode(facts.os)},
      {"usb", encode(facts.usb)},
      {"usb_audit", encode(facts.usb_audit)},
      {"antimalware", encode(facts.antimalware)},
      {"packages", encode(facts.packages)},
      {"login", encode(facts.login)},
  };
}

js::value toJson(const Finding& finding, Lang lang) {
  const auto* requirement = findRequirement(finding.id);
  js::object o{
      {"id", finding.id},
      {"title", requirement ? requirement->title.in(lang) : std::string()},
      {"articles", requirement ? requirement->articles : std::string_view()},
      {"status", statusId(finding.status)},
      {"severity", severityId(finding.severity)},
      {"evidence", finding.evidence.in(lang)},
      {"remediation", js::object{{"ja", finding.remediation.ja}, {"en", finding.remediation.en}}}};
  if (finding.warning) o["warning"] = true;
  if (!finding.exception_id.empty()) o["exception"] = finding.exception_id;
  return o;
}

js::object toJson(const Verdict& verdict, Lang lang) {
  js::array findings;
  for (const auto& f : verdict.findings) findings.push_back(toJson(f, lang));
  return js::object{{"compliant", verdict.compliant},
                    {"admission", admissionId(verdict.admission)},
                    {"segment", segmentId(verdict.segment)},
                    {"policy_version", verdict.policy_version},
                    {"findings", std::move(findings)}};
}

}  // namespace mamori::policy
