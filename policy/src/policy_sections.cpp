#include "policy_sections.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "mamori/policy/debian_version.hpp"
#include "mamori/policy/usb_decision.hpp"
#include "windows_build.hpp"

namespace mamori::policy::detail {
namespace {

// ---- value decoders --------------------------------------------------------------------------

std::uint16_t decodeUsbId(const json::Node& node) {
  const auto s = node.string();
  std::uint16_t id = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), id, 16);
  if (s.size() != 4 || ec != std::errc{} || ptr != s.data() + s.size()) {
    node.fail("is not a USB id: expected 4 hexadecimal digits as lsusb shows them (\"0781\")");
  }
  return id;
}

std::string decodeVersion(const json::Node& node) {
  const auto s = node.string();
  if (auto v = parseDebianVersion(s, VersionStrictness::kStrict); !v) {
    node.fail("is not a valid version: " + v.error());
  }
  return std::string(s);
}

// Debian policy 5.6.1: lower-case letters, digits, `+ - .`; at least two characters, starting
// with an alphanumeric.
bool isPackageName(std::string_view s) {
  const auto ok = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
  };
  return s.size() >= 2 && std::ranges::all_of(s, ok) && s.front() != '+' && s.front() != '-' &&
         s.front() != '.';
}

std::optional<int> decodeOptionalDays(const json::Node& node) {
  if (node.isNull()) return std::nullopt;  // null: the policy does not check this
  return static_cast<int>(node.integer(1, 3650));
}

// ---- sections --------------------------------------------------------------------------------

RegisteredMedium decodeMedium(const json::Node& node, bool read_only_default) {
  json::Fields f(node);
  RegisteredMedium m;
  m.vendor_id = decodeUsbId(f.required("vendor_id"));
  m.product_id = decodeUsbId(f.required("product_id"));
  // The serial is what makes it one registered medium rather than every stick of a model.
  m.serial = f.required("serial").nonEmptyString();
  if (auto n = f.optional("label")) m.label = n->nonEmptyString();
  m.read_only = read_only_default;
  if (auto n = f.optional("read_only")) m.read_only = n->boolean();
  f.finish();
  return m;
}

void applyUsb(const json::Node& node, Segment segment, UsbRules& usb) {
  json::Fields f(node);
  if (auto n = f.optional("mode")) {
    usb.mode = static_cast<UsbMode>(n->oneOf({"block_all", "allowlist", "audit"}));
    if (segment == Segment::kMynumber && usb.mode == UsbMode::kAudit) {
      n->fail(
          "is not allowed for the mynumber segment: no data may leave it on removable "
          "media (第24条(4)); use \"allowlist\" or \"block_all\"");
    }
  }
  if (auto n = f.optional("blocked_kinds")) {
    usb.blocked_kinds.clear();
    for (const auto& item : n->array()) {
      const auto kind = parseUsbKind(item.string());
      if (!kind) item.fail("is not a USB kind (storage, imaging, vendor_specific, wireless, ...)");
      if (alwaysAllowed(*kind)) {
        item.fail(
            "cannot be blocked: keyboards, mice, hubs and smart-card readers always stay usable "
            "so that staff can log in and work");
      }
      if (std::ranges::find(usb.blocked_kinds, *kind) != usb.blocked_kinds.end())
        item.fail("is listed twice");
      usb.blocked_kinds.push_back(*kind);
    }
  }
  if (auto n = f.optional("read_only_by_default")) usb.read_only_by_default = n->boolean();
  if (auto n = f.optional("allowlist")) {
    usb.allowlist.clear();
    for (const auto& item : n->array()) {
      auto medium = decodeMedium(item, usb.read_only_by_default);
      const bool duplicate = std::ranges::any_of(usb.allowlist, [&](const RegisteredMedium& m) {
        return m.vendor_id == medium.vendor_id && m.product_id == medium.product_id &&
               m.serial == medium.serial;
      });
      if (duplicate) item.fail("registers the same medium (vendor, product, serial) twice");
      usb.allowlist.push_back(std::move(medium));
    }
  }
  f.finish();
}

void applyAntiMalware(const json::Node& node, AntiMalwareRules& av) {
  json::Fields f(node);
  if (auto n = f.optional("max_signature_age_hours")) {
    av.max_signature_age = std::chrono::hours{n->integer(1, 24 * 365)};
  }
  if (auto n = f.optional("require_real_time_protection")) {
    av.require_real_time_protection = n->boolean();
  }
  if (auto n = f.optional("min_engine_versions")) {
    av.min_engine_versions.clear();
    for (const auto& [product, version] : n->members()) {
      if (product != "clamav" && product != "mdatp" && product != "defender") {
        version.fail("is listed under an unknown product (expected clamav, mdatp or defender)");
      }
      av.min_engine_versions[product] = decodeVersion(version);
    }
  }
  if (auto n = f.optional("max_days_since_full_scan")) {
    av.max_days_since_full_scan = decodeOptionalDays(*n);
  }
  f.finish();
}

void applyPatches(const json::Node& node, PatchRules& patches) {
  json::Fields f(node);
  if (auto n = f.optional("max_days_since_update")) {
    patches.max_days_since_update = decodeOptionalDays(*n);
  }
  if (auto n = f.optional("minimum_versions")) {
    patches.minimum_versions.clear();
    for (const auto& [package, version] : n->members()) {
      if (!isPackageName(package)) {
        version.fail("is listed under a key that is not a Debian package name");
      }
      patches.minimum_versions[package] = decodeVersion(version);
    }
  }
  if (auto n = f.optional("minimum_os_builds")) {
    patches.minimum_os_builds.clear();
    for (const auto& [release, build] : n->members()) {
      const auto named = parseWindowsBuild(release, 3);
      if (!named) build.fail("is listed under a key that is not a Windows release (10.0.19045)");
      const auto minimum = parseWindowsBuild(build.string(), 4);
      if (!minimum) build.fail("is not a full Windows build (10.0.19045.6456)");
      if (!sameRelease(*named, *minimum)) build.fail("is a build of another release");
      patches.minimum_os_builds[release] = std::string(build.string());
    }
  }
  if (auto n = f.optional("eos_warning_days")) {
    patches.eos_warning_days = static_cast<int>(n->integer(0, 3650));
  }
  f.finish();
}

// PAM service names are file names under /etc/pam.d.
bool isServiceName(std::string_view s) {
  return !s.empty() && s.front() != '.' && std::ranges::all_of(s, [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  });
}

template <class T, class Decode>
std::vector<T> decodeSet(const json::Node& node, Decode decode) {
  std::vector<T> out;
  for (const auto& item : node.array()) {
    T value = decode(item);
    if (std::ranges::find(out, value) != out.end()) item.fail("is listed twice");
    out.push_back(std::move(value));
  }
  if (out.empty()) node.fail("is empty: list at least one");
  return out;
}

void applyMfa(const json::Node& node, Segment segment, MfaRules& mfa) {
  json::Fields f(node);
  const auto factors = f.optional("required_factors");
  if (factors) mfa.required_factors = static_cast<int>(factors->integer(1, 3));
  const auto kinds = f.optional("required_kinds");
  if (kinds) mfa.required_kinds = static_cast<int>(kinds->integer(0, 3));
  const auto accepted = f.optional("accepted_kinds");
  if (accepted) {
    mfa.accepted_kinds = decodeSet<FactorKind>(*accepted, [](const json::Node& item) {
      const auto kind = parseFactorKind(item.string());
      if (!kind) item.fail("is not a factor kind (knowledge, possession, inherence)");
      return *kind;
    });
  }
  if (auto n = f.optional("services")) {
    mfa.services = decodeSet<std::string>(*n, [](const json::Node& item) {
      if (!isServiceName(item.string())) item.fail("is not a PAM service name (/etc/pam.d/<name>)");
      return std::string(item.string());
    });
  }
  if (auto n = f.optional("max_failed_attempts")) {
    mfa.max_failed_attempts = static_cast<int>(n->integer(1, 100));
  }
  if (auto n = f.optional("max_screen_lock_seconds")) {
    mfa.max_screen_lock_delay = std::chrono::seconds{n->integer(30, 86'400)};
  }
  f.finish();

  const json::Node& blame = kinds ? *kinds : factors ? *factors : node;
  if (segment == Segment::kMynumber && (mfa.required_kinds < 2 || mfa.required_factors < 2)) {
    blame.fail(
        "is not allowed for the mynumber segment: logins need two of knowledge, possession and "
        "inherence (第38条(4)); required_factors and required_kinds must be at least 2");
  }
  if (mfa.required_kinds > static_cast<int>(mfa.accepted_kinds.size())) {
    (accepted ? *accepted : blame)
        .fail("accepts fewer kinds than required_kinds (" + std::to_string(mfa.required_kinds) +
              ") demands");
  }
  if (mfa.required_kinds > mfa.required_factors) {
    blame.fail("asks for more kinds than factors: required_kinds must not exceed required_factors");
  }
}

// `deb.debian.org:443`, `192.0.2.7:80`, `[2001:db8::7]:443`.
RemediationEndpoint decodeRemediation(const json::Node& node) {
  const auto text = node.nonEmptyString();
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) node.fail("is not HOST:PORT");
  auto host = text.substr(0, colon);
  if (host.starts_with('[') && host.ends_with(']')) {
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    node.fail("is not HOST:PORT (write an IPv6 address in brackets)");
  }
  const bool host_ok = !host.empty() && std::ranges::all_of(host, [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':';
  });
  if (!host_ok) node.fail("does not name a host (letters, digits, dots, hyphens)");
  unsigned port = 0;
  const auto digits = text.substr(colon + 1);
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (ec != std::errc{} || end != digits.data() + digits.size() || port == 0 || port > 65535) {
    node.fail("has no port between 1 and 65535");
  }
  return {std::string(host), static_cast<std::uint16_t>(port)};
}

void applyAdmission(const json::Node& node, Segment segment, AdmissionRules& admission) {
  json::Fields f(node);
  if (auto n = f.optional("quarantine_severity")) {
    const auto severity = parseSeverity(n->string());
    if (!severity) n->fail("is not a severity (low, medium, high, critical)");
    admission.quarantine_severity = *severity;
  }
  if (auto n = f.optional("on_unknown")) {
    admission.on_unknown = static_cast<UnknownAction>(n->oneOf({"quarantine", "warn", "admit"}));
    if (segment == Segment::kMynumber && admission.on_unknown != UnknownAction::kQuarantine) {
      n->fail(
          "is not allowed for the mynumber segment: an unverified terminal stays out "
          "(fail-closed); only \"quarantine\"");
    }
  }
  if (auto n = f.optional("report_freshness_hours")) {
    admission.report_freshness = std::chrono::hours{n->integer(1, 24 * 31)};
  }
  if (auto n = f.optional("grace_hours")) {
    admission.grace.clear();
    for (const auto& [id, hours] : n->members()) {
      if (!findRequirement(id)) {
        hours.fail("is a grace period for \"" + id + "\", which is not a requirement id");
      }
      admission.grace[id] = std::chrono::hours{hours.integer(1, 24 * 31)};
    }
  }
  if (auto n = f.optional("local_quarantine")) {
    admission.local_quarantine =
        static_cast<LocalQuarantine>(n->oneOf({"off", "on_quarantine", "fail_closed"}));
    if (segment == Segment::kMynumber &&
        admission.local_quarantine != LocalQuarantine::kFailClosed) {
      n->fail(
          "is not allowed for the mynumber segment: the PC stays off the network until the "
          "collector admits it (fail-closed); only \"fail_closed\"");
    }
  }
  if (auto n = f.optional("remediation")) {
    admission.remediation.clear();
    for (const auto& item : n->array()) admission.remediation.push_back(decodeRemediation(item));
  }
  f.finish();
}

}  // namespace

Segment decodeSegment(const json::Node& node) {
  const auto segment = parseSegment(node.string());
  if (!segment) node.fail("is not a segment (mynumber, lgwan, internet)");
  return *segment;
}

TimePoint decodeTimestamp(const json::Node& node) {
  auto t = parseTimestamp(node.string());
  if (!t) node.fail("is not a date: expected YYYY-MM-DD or an ISO 8601 time");
  return *t;
}

void applyProfileOverride(const json::Node& node, Segment segment, Profile& profile) {
  json::Fields f(node);
  if (auto n = f.optional("usb")) applyUsb(*n, segment, profile.usb);
  if (auto n = f.optional("antimalware")) applyAntiMalware(*n, profile.antimalware);
  if (auto n = f.optional("patches")) applyPatches(*n, profile.patches);
  if (auto n = f.optional("mfa")) applyMfa(*n, segment, profile.mfa);
  if (auto n = f.optional("admission")) applyAdmission(*n, segment, profile.admission);
  f.finish();
}

std::vector<OsSupport> decodeOsSupport(const json::Node& node) {
  std::vector<OsSupport> calendar;
  for (const auto& item : node.array()) {
    json::Fields f(item);
    OsSupport entry;
    entry.os_id = f.required("os").nonEmptyString();
    entry.version_id = f.required("version").nonEmptyString();
    entry.end_of_support = decodeTimestamp(f.required("end_of_support"));
    if (auto n = f.optional("name")) entry.name = n->nonEmptyString();
    if (auto n = f.optional("edition")) entry.edition = n->nonEmptyString();
    f.finish();
    if (std::ranges::any_of(calendar, [&](const OsSupport& e) {
          return e.os_id == entry.os_id && e.version_id == entry.version_id &&
                 e.edition == entry.edition;
        })) {
      item.fail("lists the same os, version and edition twice");
    }
    calendar.push_back(std::move(entry));
  }
  return calendar;
}

Exceptions decodeExceptions(const json::Node& node) {
  Exceptions exceptions;
  for (const auto& item : node.array()) {
    json::Fields f(item);
    Exception e;
    const auto id = f.required("id");
    e.id = id.nonEmptyString();
    if (std::ranges::find(exceptions, e.id, &Exception::id) != exceptions.end())
      id.fail("is used twice");
    const auto requirement = f.required("requirement");
    e.requirement = requirement.string();
    if (findRequirement(e.requirement) == nullptr) {
      requirement.fail("is not a requirement id (see REQUIREMENTS.md: AV-1, USB-2, ...)");
    }
    e.reason = f.required("reason").nonEmptyString();
    // 第129条: an exception without an approver is no exception.
    e.approver = f.required("approver").nonEmptyString();
    e.expires = decodeTimestamp(f.required("expires"));
    if (auto scope = f.optional("scope")) {
      json::Fields s(*scope);
      if (auto n = s.optional("segment")) e.scope.segment = decodeSegment(*n);
      if (auto n = s.optional("devices")) {
        for (const auto& d : n->array()) e.scope.devices.emplace_back(d.nonEmptyString());
      }
      s.finish();
    }
    f.finish();
    exceptions.push_back(std::move(e));
  }
  return exceptions;
}

}  // namespace mamori::policy::detail
