#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "mamori/policy/factor.hpp"
#include "mamori/policy/requirement.hpp"
#include "mamori/policy/segment.hpp"
#include "mamori/policy/text.hpp"
#include "mamori/policy/time.hpp"
#include "mamori/policy/usb_class.hpp"

namespace mamori::policy {

// ---- Removable media (USB-1, USB-2) ---------------------------------------------------------

enum class UsbMode {
  kBlockAll,   ///< no storage-like device at all, registered or not
  kAllowlist,  ///< storage-like devices only when registered (媒体管理台帳)
  kAudit,      ///< allow, but record every attempt
};

/// A medium the city registered: identified by vendor, product and serial number.
struct RegisteredMedium {
  std::uint16_t vendor_id = 0;
  std::uint16_t product_id = 0;
  std::string serial;
  std::string label;  ///< the ledger's name for it: `総務課 USB-012`
  bool read_only = false;
  bool operator==(const RegisteredMedium&) const = default;
};

struct UsbRules {
  UsbMode mode = UsbMode::kAllowlist;
  /// Interface kinds treated as storage-like: blocked unless the device is registered. hid, hub
  /// and smart_card are never blocked (see alwaysAllowed in usb_decision.hpp); audio and video
  /// are blocked only when listed here.
  std::vector<UsbKind> blocked_kinds{UsbKind::kStorage, UsbKind::kImaging};
  /// Whether registered media are read-only unless their entry says otherwise.
  bool read_only_by_default = false;
  std::vector<RegisteredMedium> allowlist;
};

// ---- Anti-malware (AV-1..AV-5) ----------------------------------------------------------------

struct AntiMalwareRules {
  std::chrono::hours max_signature_age{72};
  bool require_real_time_protection = true;
  /// Minimum engine/product version per product id (`clamav`, `mdatp`), compared as Debian
  /// versions (which also orders plain dotted versions correctly).
  std::map<std::string, std::string, std::less<>> min_engine_versions;
  /// Longest time since the last full scan; nullopt when the policy does not require one.
  std::optional<int> max_days_since_full_scan;
};

// ---- Patches (PATCH-1, PATCH-2) ---------------------------------------------------------------

struct PatchRules {
  /// Longest time since the last package change; nullopt when not checked.
  std::optional<int> max_days_since_update = 30;
  /// Package name -> lowest acceptable version (the security baseline).
  std::map<std::string, std::string, std::less<>> minimum_versions;
  /// Windows: the lowest acceptable build per feature release, `10.0.19045` → `10.0.19045.6456`
  /// (the cumulative update of the month the city's baseline names).
  std::map<std::string, std::string, std::less<>> minimum_os_builds;
  /// How many days before an end of support PATCH-2 starts warning.
  int eos_warning_days = 180;
};

/// One line of the end-of-support calendar: `debian 11` is unsupported after 2026-08-31.
struct OsSupport {
  std::string os_id;       ///< `debian`, `ubuntu`, `windows`: os-release `ID`
  std::string version_id;  ///< os-release `VERSION_ID`: `12`, `22.04`; Windows `10.0.19045`
  TimePoint end_of_support;
  std::string name;  ///< for screens: `Debian 12 (bookworm)`
  /// Windows EditionID this date is for (`Enterprise`); empty: every edition without an entry
  /// of its own.
  std::string edition;
};

// ---- Login (MFA-1..MFA-5) ---------------------------------------------------------------------

struct MfaRules {
  /// MFA-1 (第38条(3)): distinct authenticators every successful login must pass.
  int required_factors = 2;
  /// MFA-2 (第38条(4)): the factors must also be of this many distinct kinds; 0 = not required.
  int required_kinds = 0;
  /// Kinds that count at all (a city may refuse, say, inherence).
  std::vector<FactorKind> accepted_kinds{kAllFactorKinds[0], kAllFactorKinds[1],
                                         kAllFactorKinds[2]};
  /// PAM services judged, when present: every way to log in to the PC.
  std::vector<std::string> services{"login",   "gdm-password", "gdm-smartcard", "gdm-fingerprint",
                                    "lightdm", "sddm",         "sshd",          "xrdp-sesman"};
  /// MFA-4 (第87条): failed attempts before the account locks, at most.
  int max_failed_attempts = 5;
  /// MFA-5 (第45条): idle time before the screen locks, at most.
  std::chrono::seconds max_screen_lock_delay{600};

  /// accepted_kinds as a set.
  [[nodiscard]] FactorKinds acceptedKindSet() const {
    FactorKinds kinds = 0;
    for (const auto k : accepted_kinds) kinds |= bitOf(k);
    return kinds;
  }
};

// ---- Admission -------------------------------------------------------------------------------

/// What an unknown finding does to admission.
enum class UnknownAction { kQuarantine, kWarn, kAdmit };

/// Quarantine on the PC itself (NET-2, for networks without 802.1X): whether the agent's own
/// firewall follows the collector's admission.
enum class LocalQuarantine {
  kOff,           ///< the network (802.1X, MAB) does it, or nobody
  kOnQuarantine,  ///< when the collector's admission says quarantine
  kFailClosed,    ///< also while the agent has no fresh admission, from boot (mynumber)
};

/// `off`, `on_quarantine`, `fail_closed`.
std::string_view localQuarantineId(LocalQuarantine mode);

/// A host the PC may still reach in quarantine, to get well again: `deb.debian.org:443`.
struct RemediationEndpoint {
  std::string host;  ///< a DNS name or a literal address
  std::uint16_t port = 0;
  bool operator==(const RemediationEndpoint&) const = default;
};

struct AdmissionRules {
  /// Failures at or above this severity quarantine; lighter ones only warn.
  Severity quarantine_severity = Severity::kHigh;
  UnknownAction on_unknown = UnknownAction::kWarn;
  /// 第85条6: a PC whose last report is older than this is stale, and the collector
  /// quarantines it as if it had failed.
  std::chrono::hours report_freshness{24};
  /// Grace periods (PacketFence-style): requirement id -> how long a new failure of it only
  /// warns before it quarantines. Requirements not listed have none.
  std::map<std::string, std::chrono::hours, std::less<>> grace;
  LocalQuarantine local_quarantine = LocalQuarantine::kOnQuarantine;
  /// Reachable in quarantine besides DNS, DHCP and the collector: update mirrors, AV pattern
  /// servers.
  std::vector<RemediationEndpoint> remediation;
};

/// Everything a segment demands. Built-in defaults per segment; a policy file overrides fields.
struct Profile {
  UsbRules usb;
  AntiMalwareRules antimalware;
  PatchRules patches;
  MfaRules mfa;
  AdmissionRules admission;
};

// ---- Exceptions (例外措置, EXC-1, 第129–131条) -------------------------------------------------

/// Where an exception applies. Empty fields match everything.
struct ExceptionScope {
  std::optional<Segment> segment;
  std::vector<std::string> devices;  ///< host names or machine ids
};

struct Exception {
  std::string id;           ///< the application's number: `EXC-2026-014`
  std::string requirement;  ///< the requirement id it waives: `AV-5`
  ExceptionScope scope;
  std::string reason;
  std::string approver;  ///< who approved (CISO or delegate)
  TimePoint expires;     ///< after this the requirement is enforced again
};

using Exceptions = std::vector<Exception>;

// ---- The policy ------------------------------------------------------------------------------

struct Policy {
  std::int64_t version = 0;  ///< monotonically increasing; 0 = the built-in defaults
  std::string name;
  /// Whom staff ask when mamori blocks something (the help desk and its extension), shown in
  /// every notice; empty: "the information system administrator".
  Text contact;
  Segment default_segment = Segment::kLgwan;
  /// An enrolled PC's agent can be removed only with an administrator's unlock code (issue 8).
  bool uninstall_protection = true;
  std::array<Profile, kAllSegments.size()> profiles;
  std::vector<OsSupport> os_support;
  Exceptions exceptions;

  [[nodiscard]] const Profile& profile(Segment s) const {
    return profiles[static_cast<std::size_t>(s)];
  }
  [[nodiscard]] Profile& profile(Segment s) { return profiles[static_cast<std::size_t>(s)]; }
};

/// The defaults mamori ships: the national model policy's reading of each segment.
Policy builtInPolicy();

}  // namespace mamori::policy
