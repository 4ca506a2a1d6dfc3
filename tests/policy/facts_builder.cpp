#include "facts_builder.hpp"

#include <doctest/doctest.h>

#include "mamori/policy/evaluate.hpp"

namespace mamori::testing {

using namespace std::chrono_literals;

policy::TimePoint at(std::string_view iso8601) {
  const auto t = policy::parseTimestamp(iso8601);
  REQUIRE_MESSAGE(t.has_value(), iso8601);
  return *t;
}

policy::AntiMalwareProduct clamav(policy::TimePoint signatures_built) {
  policy::AntiMalwareProduct p;
  p.id = "clamav";
  p.name = "ClamAV";
  p.engine_version = std::string("1.0.7+dfsg-1~deb12u1");
  p.service_running = true;
  p.real_time_protection = true;
  p.signatures_updated = signatures_built;
  p.signature_version = std::string("27462");
  p.last_full_scan =
      policy::Observed<policy::TimePoint>::unknown("ClamAV keeps no record of full scans");
  return p;
}

policy::UsbDevice usbDevice(std::string port, std::uint16_t vid, std::uint16_t pid,
                            std::string serial, std::uint8_t interface_class) {
  policy::UsbDevice d;
  d.port = std::move(port);
  d.vendor_id = vid;
  d.product_id = pid;
  d.serial = std::move(serial);
  d.interfaces.push_back({0, interface_class, 0, 0, true});
  return d;
}

policy::PostureFacts healthyFacts() {
  policy::PostureFacts f;
  f.collected_at = kNow;
  f.device = {"soumu-pc-014", "3d1219c7c4c5404aaa1f6d2a48adfda4"};
  f.os = policy::OsRelease{"debian", "12", "Debian GNU/Linux 12 (bookworm)", "bookworm"};

  policy::UsbInventory usb;
  usb.controllers = {{"usb1", 0, std::nullopt}, {"usb2", 0, std::nullopt}};
  usb.devices.push_back(usbDevice("1-1", 0x046d, 0xc31c, "", 0x03));  // keyboard
  f.usb = usb;
  f.usb_audit = policy::UsbAuditLog{3, 0, 0, kNow - 2h};

  f.antimalware = std::vector{clamav(kNow - 12h)};

  policy::PackageInventory packages;
  packages.manager = "dpkg";
  packages.packages = {{"libc6", "2.36-9+deb12u9", "amd64"},
                       {"libc6", "2.36-9+deb12u9", "i386"},
                       {"openssl", "3.0.15-1~deb12u1", "amd64"}};
  packages.last_change = kNow - std::chrono::days{3};
  f.packages = packages;

  policy::pam::Stack login;
  login.service = "login";
  login.auth = {pamRequired("pam_faillock.so", {"preauth"}), pamRequired("pam_unix.so"),
                pamRequired("pam_u2f.so", {"cue"}), pamRequired("pam_faillock.so", {"authfail"})};
  policy::LinuxLogin linux_login;
  linux_login.services = {login};
  linux_login.empty_password_accounts = std::vector<std::string>{};
  linux_login.auto_logins = std::vector<policy::AutoLogin>{};
  linux_login.faillock = policy::FaillockConfig{3, 600};
  linux_login.screen_lock = policy::ScreenLockSettings{300, true, 0, true, true, true};
  linux_login.graphical_login = true;
  f.login = policy::LoginFacts{linux_login, std::nullopt};
  return f;
}

policy::pam::Handler pamRequired(std::string module, std::vector<std::string> arguments) {
  namespace pam = policy::pam;
  static int line = 0;
  pam::Handler h;
  h.actions.fill(pam::kActionBad);
  h.actions[pam::kSuccess] = pam::kActionOk;
  h.actions[12] = pam::kActionOk;  // PAM_NEW_AUTHTOK_REQD
  h.actions[pam::kIgnore] = pam::kActionIgnore;
  h.control = "required";
  h.module = std::move(module);
  h.arguments = std::move(arguments);
  h.file = "/etc/pam.d/login";
  h.line = ++line;
  return h;
}

policy::Finding findingOf(const policy::PostureFacts& facts, std::string_view id,
                          const policy::Policy& policy, policy::Segment segment) {
  const auto verdict = policy::evaluate(policy, segment, facts, {}, kNow);
  const auto* f = verdict.find(id);
  REQUIRE_MESSAGE(f != nullptr, "no finding ", id);
  return *f;
}

policy::Policy policyWithRegisteredStick() {
  auto p = policy::builtInPolicy();
  for (auto s : policy::kAllSegments) {
    p.profile(s).usb.allowlist.push_back(
        {0x0781, 0x5581, "4C530001230510117172", "総務課 USB-012", false});
  }
  return p;
}

}  // namespace mamori::testing
