#include "mamori/policy/policy.hpp"

namespace mamori::policy {

std::string_view localQuarantineId(LocalQuarantine mode) {
  switch (mode) {
    case LocalQuarantine::kOff: return "off";
    case LocalQuarantine::kOnQuarantine: return "on_quarantine";
    case LocalQuarantine::kFailClosed: return "fail_closed";
  }
  return "?";
}

namespace {

using namespace std::chrono_literals;

// マイナンバー利用事務系: no take-out (第24条(4)), fail-closed admission (基本方針6(3)①).
Profile mynumberProfile() {
  Profile p;
  p.usb.mode = UsbMode::kAllowlist;
  p.usb.blocked_kinds = {UsbKind::kStorage, UsbKind::kImaging, UsbKind::kVendorSpecific,
                         UsbKind::kWireless};
  p.usb.read_only_by_default = true;
  p.antimalware.max_signature_age = 24h;
  p.antimalware.max_days_since_full_scan = std::nullopt;
  p.patches.max_days_since_update = 14;
  p.mfa.required_kinds = 2;  // 知識・所持・存在 の2種類 (第38条(4), 第24条(3))
  p.mfa.max_failed_attempts = 5;
  p.mfa.max_screen_lock_delay = 300s;
  p.admission.quarantine_severity = Severity::kMedium;
  p.admission.on_unknown = UnknownAction::kQuarantine;
  p.admission.local_quarantine = LocalQuarantine::kFailClosed;
  p.admission.report_freshness = 12h;  // two missed half-day cycles are too many here
  return p;
}

// LGWAN接続系: registered media only; quarantine when non-compliant.
Profile lgwanProfile() {
  Profile p;
  p.usb.mode = UsbMode::kAllowlist;
  p.antimalware.max_signature_age = 48h;
  p.patches.max_days_since_update = 30;
  p.admission.quarantine_severity = Severity::kHigh;
  p.admission.on_unknown = UnknownAction::kWarn;
  return p;
}

// インターネット接続系: all checks, signatures fresher than on the closed segments because
// threats arrive here first.
Profile internetProfile() {
  Profile p;
  p.usb.mode = UsbMode::kAllowlist;
  p.antimalware.max_signature_age = 24h;
  p.patches.max_days_since_update = 14;
  p.admission.quarantine_severity = Severity::kHigh;
  p.admission.on_unknown = UnknownAction::kWarn;
  return p;
}

// Vendor end-of-support dates (Debian: end of LTS), so PATCH-2 can judge common systems out of
// the box. A city's own calendar in its policy file replaces or extends these.
std::vector<OsSupport> builtInCalendar() {
  const auto date = [](int y, unsigned m, unsigned d) {
    using namespace std::chrono;
    return TimePoint{sys_days{year{y} / month{m} / day{d}}};
  };
  return {
      {"debian", "10", date(2024, 6, 30), "Debian 10 (buster)"},
      {"debian", "11", date(2026, 8, 31), "Debian 11 (bullseye)"},
      {"debian", "12", date(2028, 6, 30), "Debian 12 (bookworm)"},
      {"debian", "13", date(2030, 6, 30), "Debian 13 (trixie)"},
      {"ubuntu", "20.04", date(2025, 5, 31), "Ubuntu 20.04 LTS"},
      {"ubuntu", "22.04", date(2027, 6, 1), "Ubuntu 22.04 LTS"},
      {"ubuntu", "24.04", date(2029, 5, 31), "Ubuntu 24.04 LTS"},
      // Windows by build (Microsoft's lifecycle pages). Without an edition: Home and Pro.
      // Enterprise and Education get a year longer for the second-half releases; LTSC
      // (EditionID EnterpriseS) has a calendar of its own.
      {"windows", "10.0.19044", date(2023, 6, 13), "Windows 10 21H2"},
      {"windows", "10.0.19044", date(2024, 6, 11), "Windows 10 Enterprise 21H2", "Enterprise"},
      {"windows", "10.0.19044", date(2027, 1, 12), "Windows 10 Enterprise LTSC 2021",
       "EnterpriseS"},
      {"windows", "10.0.19045", date(2025, 10, 14), "Windows 10 22H2"},
      {"windows", "10.0.22621", date(2024, 10, 8), "Windows 11 22H2"},
      {"windows", "10.0.22621", date(2025, 10, 14), "Windows 11 Enterprise 22H2", "Enterprise"},
      {"windows", "10.0.22621", date(2025, 10, 14), "Windows 11 Education 22H2", "Education"},
      {"windows", "10.0.22631", date(2025, 11, 11), "Windows 11 23H2"},
      {"windows", "10.0.22631", date(2026, 11, 10), "Windows 11 Enterprise 23H2", "Enterprise"},
      {"windows", "10.0.22631", date(2026, 11, 10), "Windows 11 Education 23H2", "Education"},
      {"windows", "10.0.26100", date(2026, 10, 13), "Windows 11 24H2"},
      {"windows", "10.0.26100", date(2027, 10, 12), "Windows 11 Enterprise 24H2", "Enterprise"},
      {"windows", "10.0.26100", date(2027, 10, 12), "Windows 11 Education 24H2", "Education"},
      {"windows", "10.0.26100", date(2029, 10, 9), "Windows 11 Enterprise LTSC 2024",
       "EnterpriseS"},
      {"windows", "10.0.26200", date(2027, 10, 12), "Windows 11 25H2"},
      {"windows", "10.0.26200", date(2028, 10, 10), "Windows 11 Enterprise 25H2", "Enterprise"},
      {"windows", "10.0.26200", date(2028, 10, 10), "Windows 11 Education 25H2", "Education"},
  };
}

}  // namespace

Policy builtInPolicy() {
  Policy policy;
  policy.version = 0;
  policy.name = "mamori built-in defaults";
  policy.default_segment = Segment::kLgwan;
  policy.profile(Segment::kMynumber) = mynumberProfile();
  policy.profile(Segment::kLgwan) = lgwanProfile();
  policy.profile(Segment::kInternet) = internetProfile();
  policy.os_support = builtInCalendar();
  return policy;
}

}  // namespace mamori::policy
