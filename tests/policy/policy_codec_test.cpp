#include "mamori/policy/policy_codec.hpp"

#include <doctest/doctest.h>

using namespace mamori;
using namespace mamori::policy;

namespace {

// A policy document whose body is `fields` (JSON members after format and version).
std::string doc(std::string_view fields) {
  std::string s = R"({"format": "mamori-policy/1", "version": 7)";
  if (!fields.empty()) s += ", " + std::string(fields);
  return s + "}";
}

// The rejection of `text`: its path and message, which every error test checks.
Error rejection(std::string_view text) {
  const auto result = parsePolicy(text);
  REQUIRE_FALSE(result.has_value());
  return result.error();
}

}  // namespace

TEST_CASE("NET-2: quarantine on the PC: fail-closed for mynumber, and the remediation hosts") {
  const auto defaults = parsePolicy(doc(""));
  REQUIRE(defaults);
  CHECK(defaults->profile(Segment::kMynumber).admission.local_quarantine ==
        LocalQuarantine::kFailClosed);
  CHECK(defaults->profile(Segment::kLgwan).admission.local_quarantine ==
        LocalQuarantine::kOnQuarantine);
  const auto p = parsePolicy(doc(R"(
    "common": {"admission": {"remediation": ["deb.debian.org:443", "[2001:db8::7]:80"]}},
    "segments": {"internet": {"admission": {"local_quarantine": "off"}}})"));
  REQUIRE_MESSAGE(p, (p ? "" : p.error().describe()));
  const auto& lgwan = p->profile(Segment::kLgwan).admission;
  CHECK(lgwan.remediation ==
        std::vector<RemediationEndpoint>{{"deb.debian.org", 443}, {"2001:db8::7", 80}});
  CHECK(p->profile(Segment::kInternet).admission.local_quarantine == LocalQuarantine::kOff);
  CHECK(localQuarantineId(LocalQuarantine::kFailClosed) == "fail_closed");
}

TEST_CASE("a minimal policy keeps every built-in default") {
  const auto p = parsePolicy(doc(""));
  REQUIRE(p.has_value());
  CHECK(p->version == 7);
  const auto builtin = builtInPolicy();
  for (auto s : kAllSegments) {
    CHECK(p->profile(s).antimalware.max_signature_age ==
          builtin.profile(s).antimalware.max_signature_age);
    CHECK(p->profile(s).usb.mode == builtin.profile(s).usb.mode);
  }
  CHECK(p->profile(Segment::kMynumber).admission.on_unknown == UnknownAction::kQuarantine);
  CHECK(p->default_segment == Segment::kLgwan);
  CHECK(p->uninstall_protection);  // issue 8: removing the agent needs an unlock code
  CHECK_FALSE(parsePolicy(doc(R"("uninstall_protection": false)"))->uninstall_protection);
}

TEST_CASE("overrides layer: built-in <- common <- segments, field by field") {
  const auto p = parsePolicy(doc(R"(
    "name": "三笠市 端末ポリシー",
    "default_segment": "mynumber",
    "common": {"antimalware": {"max_signature_age_hours": 12}, "patches": {"max_days_since_update": 10}},
    "segments": {"internet": {"antimalware": {"max_signature_age_hours": 6}}}
  )"));
  REQUIRE(p.has_value());
  CHECK(p->name == "三笠市 端末ポリシー");
  CHECK(p->default_segment == Segment::kMynumber);
  CHECK(p->profile(Segment::kLgwan).antimalware.max_signature_age == std::chrono::hours{12});
  CHECK(p->profile(Segment::kInternet).antimalware.max_signature_age == std::chrono::hours{6});
  CHECK(p->profile(Segment::kMynumber).patches.max_days_since_update == 10);
  // Untouched fields keep the layer below: mynumber's read-only default stays.
  CHECK(p->profile(Segment::kMynumber).usb.read_only_by_default);
  CHECK_FALSE(p->profile(Segment::kLgwan).usb.read_only_by_default);
}

TEST_CASE("registered media (USB-2): ids, serial, read-only default from the segment") {
  const auto p = parsePolicy(doc(R"("common": {"usb": {"allowlist": [
      {"vendor_id": "0781", "product_id": "5581", "serial": "4C530001230510117172", "label": "総務課 USB-012"},
      {"vendor_id": "0951", "product_id": "1666", "serial": "E0D55EA574C1F1A0", "read_only": false}]}})"));
  REQUIRE(p.has_value());
  const auto& mynumber = p->profile(Segment::kMynumber).usb.allowlist;
  REQUIRE(mynumber.size() == 2);
  CHECK(mynumber[0].vendor_id == 0x0781);
  CHECK(mynumber[0].product_id == 0x5581);
  CHECK(mynumber[0].label == "総務課 USB-012");
  CHECK(mynumber[0].read_only);        // mynumber: read-only unless the entry says otherwise
  CHECK_FALSE(mynumber[1].read_only);  // said otherwise
  CHECK_FALSE(p->profile(Segment::kLgwan).usb.allowlist[0].read_only);
}

TEST_CASE("null switches a check off, exceptions and calendar are read") {
  const auto p = parsePolicy(doc(R"(
    "common": {"patches": {"max_days_since_update": null}, "antimalware": {"max_days_since_full_scan": 7}},
    "os_support": [{"os": "debian", "version": "12", "end_of_support": "2026-06-10", "name": "Debian 12"},
                   {"os": "windows", "version": "10.0.19045", "end_of_support": "2025-10-14"}],
    "exceptions": [{"id": "EXC-2026-014", "requirement": "AV-5", "reason": "検証端末",
                    "approver": "CISO 副市長", "expires": "2027-03-31",
                    "scope": {"segment": "lgwan", "devices": ["soumu-pc-014"]}}]
  )"));
  REQUIRE(p.has_value());
  CHECK_FALSE(p->profile(Segment::kLgwan).patches.max_days_since_update.has_value());
  CHECK(p->profile(Segment::kLgwan).antimalware.max_days_since_full_scan == 7);
  // The city's date replaces the built-in one for Debian 12; Windows is added.
  int debian12 = 0;
  for (const auto& e : p->os_support) {
    if (e.os_id == "debian" && e.version_id == "12") {
      ++debian12;
      CHECK(formatDate(e.end_of_support) == "2026-06-10");
    }
  }
  CHECK(debian12 == 1);
  REQUIRE(p->exceptions.size() == 1);
  CHECK(p->exceptions[0].approver == "CISO 副市長");
  CHECK(p->exceptions[0].scope.segment == Segment::kLgwan);
  CHECK(formatDate(p->exceptions[0].expires) == "2027-03-31");
}

TEST_CASE("Windows: build baselines per release, and a calendar entry per edition") {
  const auto p = parsePolicy(doc(R"(
    "common": {"patches": {"minimum_os_builds": {"10.0.26100": "10.0.26100.7171"}}},
    "os_support": [
      {"os": "windows", "version": "10.0.22631", "end_of_support": "2025-11-11"},
      {"os": "windows", "version": "10.0.22631", "edition": "Enterprise",
       "end_of_support": "2026-11-10", "name": "Windows 11 Enterprise 23H2"}])"));
  REQUIRE(p.has_value());
  CHECK(p->profile(Segment::kLgwan).patches.minimum_os_builds.at("10.0.26100") ==
        "10.0.26100.7171");
  // The city's two entries replace the built-in ones for 10.0.22631, all editions.
  std::vector<std::string> editions;
  for (const auto& e : p->os_support) {
    if (e.os_id == "windows" && e.version_id == "10.0.22631") editions.push_back(e.edition);
  }
  CHECK(editions == std::vector<std::string>{"", "Enterprise"});
}

TEST_CASE("JSON syntax errors name line and column") {
  const auto e = rejection("{\n  \"format\": \"mamori-policy/1\",\n  \"version\": 7,,\n}");
  CHECK(e.code == ErrorCode::kParse);
  CHECK(e.line == 3);
  CHECK(e.column == 16);
  CHECK(e.message.starts_with("invalid JSON: "));
  CHECK(rejection("").code == ErrorCode::kParse);
}

TEST_CASE("every validation error names the path, the value and the reason") {
  struct Case {
    std::string text, path, message;
  };
  const Case cases[] = {
      {R"([1])", "$", "[1] is an array, expected an object"},
      {R"({"version": 1})", "$", "missing required field \"format\""},
      {R"({"format": "mamori-policy/2", "version": 1})", "$.format",
       R"("mamori-policy/2" is not a supported format (expected "mamori-policy/1"))"},
      {R"({"format": "mamori-policy/1"})", "$", "missing required field \"version\""},
      {R"({"format": "mamori-policy/1", "version": 0})", "$.version",
       "0 is out of range: expected 1 to 9007199254740992"},
      {R"({"format": "mamori-policy/1", "version": "7"})", "$.version",
       R"("7" is a string, expected a whole number)"},
      {R"({"format": "mamori-policy/1", "version": 1.5})", "$.version",
       "1.5E0 is not a whole number between 1 and 9007199254740992"},
      {doc(R"("name": "  ")"), "$.name", R"("  " must not be empty)"},
      {doc(R"("colour": "blue")"), "$.colour",
       "unknown field (expected one of: common, contact, default_segment, exceptions, format, "
       "name, os_support, segments, uninstall_protection, version)"},
      {doc(R"("uninstall_protection": "yes")"), "$.uninstall_protection",
       R"("yes" is a string, expected true or false)"},
      {doc(R"("default_segment": "city")"), "$.default_segment",
       R"("city" is not a segment (mynumber, lgwan, internet))"},
      {doc(R"("segments": {"dmz": {}})"), "$.segments.dmz",
       "unknown field (expected one of: internet, lgwan, mynumber)"},
      {doc(R"("common": {"usb": {"mode": "blok"}})"), "$.common.usb.mode",
       R"("blok" is not one of: block_all, allowlist, audit)"},
      {doc(R"("common": {"usb": {"mode": "audit"}})"), "$.common.usb.mode",
       R"("audit" is not allowed for the mynumber segment: no data may leave it on removable media (第24条(4)); use "allowlist" or "block_all")"},
      {doc(R"("common": {"usb": {"blocked_kinds": ["storage", "floppy"]}})"),
       "$.common.usb.blocked_kinds[1]",
       R"("floppy" is not a USB kind (storage, imaging, vendor_specific, wireless, ...))"},
      {doc(R"("common": {"usb": {"blocked_kinds": ["storage", "storage"]}})"),
       "$.common.usb.blocked_kinds[1]", R"("storage" is listed twice)"},
      {doc(R"("common": {"usb": {"blocked_kinds": ["storage", "smart_card"]}})"),
       "$.common.usb.blocked_kinds[1]",
       R"("smart_card" cannot be blocked: keyboards, mice, hubs and smart-card readers always stay usable so that staff can log in and work)"},
      {doc(R"("common": {"usb": {"read_only_by_default": "yes"}})"),
       "$.common.usb.read_only_by_default", R"("yes" is a string, expected true or false)"},
      {doc(R"("common": {"usb": {"allowlist": [{"vendor_id": "781", "product_id": "5581", "serial": "X"}]}})"),
       "$.common.usb.allowlist[0].vendor_id",
       R"("781" is not a USB id: expected 4 hexadecimal digits as lsusb shows them ("0781"))"},
      {doc(R"("common": {"usb": {"allowlist": [{"vendor_id": "0781", "product_id": "55g1", "serial": "X"}]}})"),
       "$.common.usb.allowlist[0].product_id",
       R"("55g1" is not a USB id: expected 4 hexadecimal digits as lsusb shows them ("0781"))"},
      {doc(R"("common": {"usb": {"allowlist": [{"vendor_id": "0781", "product_id": "5581"}]}})"),
       "$.common.usb.allowlist[0]", R"(missing required field "serial")"},
      {doc(R"("common": {"usb": {"allowlist": [{"vendor_id": "0781", "product_id": "5581", "serial": "X", "owner": "me"}]}})"),
       "$.common.usb.allowlist[0].owner",
       "unknown field (expected one of: label, product_id, read_only, serial, vendor_id)"},
      {doc(R"("common": {"usb": {"allowlist": [{"vendor_id": "0781", "product_id": "5581", "serial": "X"}, {"vendor_id": "0781", "product_id": "5581", "serial": "X"}]}})"),
       "$.common.usb.allowlist[1]",
       R"({"vendor_id":"0781","product_id":"5581","serial":"X"} registers the same medium (vendor, product, serial) twice)"},
      {doc(R"("common": {"antimalware": {"max_signature_age_hours": 0}})"),
       "$.common.antimalware.max_signature_age_hours", "0 is out of range: expected 1 to 8760"},
      {doc(R"("common": {"antimalware": {"require_real_time_protection": 1}})"),
       "$.common.antimalware.require_real_time_protection",
       "1 is a number, expected true or false"},
      {doc(R"("common": {"antimalware": {"min_engine_versions": {"norton": "22.0"}}})"),
       "$.common.antimalware.min_engine_versions.norton",
       R"("22.0" is listed under an unknown product (expected clamav, mdatp or defender))"},
      {doc(R"("common": {"antimalware": {"min_engine_versions": {"clamav": "1.0 .7"}}})"),
       "$.common.antimalware.min_engine_versions.clamav",
       R"("1.0 .7" is not a valid version: version string has embedded spaces)"},
      {doc(R"("common": {"antimalware": {"max_days_since_full_scan": -1}})"),
       "$.common.antimalware.max_days_since_full_scan", "-1 is out of range: expected 1 to 3650"},
      {doc(R"("common": {"patches": {"minimum_versions": {"OpenSSL": "3.0.15-1~deb12u1"}}})"),
       "$.common.patches.minimum_versions.OpenSSL",
       R"("3.0.15-1~deb12u1" is listed under a key that is not a Debian package name)"},
      {doc(R"("common": {"patches": {"minimum_versions": {"openssl": "v3"}}})"),
       "$.common.patches.minimum_versions.openssl",
       R"("v3" is not a valid version: version number does not start with digit)"},
      {doc(R"("common": {"patches": {"eos_warning_days": -5}})"),
       "$.common.patches.eos_warning_days", "-5 is out of range: expected 0 to 3650"},
      {doc(R"("common": {"admission": {"quarantine_severity": "severe"}})"),
       "$.common.admission.quarantine_severity",
       R"("severe" is not a severity (low, medium, high, critical))"},
      {doc(R"("common": {"admission": {"report_freshness_hours": 0}})"),
       "$.common.admission.report_freshness_hours", "0 is out of range: expected 1 to 744"},
      {doc(R"("common": {"admission": {"grace_hours": {"AV-9": 24}}})"),
       "$.common.admission.grace_hours.AV-9",
       R"(24 is a grace period for "AV-9", which is not a requirement id)"},
      {doc(R"("common": {"admission": {"grace_hours": {"PATCH-1": 1000}}})"),
       "$.common.admission.grace_hours.PATCH-1", "1000 is out of range: expected 1 to 744"},
      {doc(R"("segments": {"mynumber": {"admission": {"on_unknown": "admit"}}})"),
       "$.segments.mynumber.admission.on_unknown",
       R"("admit" is not allowed for the mynumber segment: an unverified terminal stays out (fail-closed); only "quarantine")"},
      {doc(R"("segments": {"mynumber": {"admission": {"local_quarantine": "on_quarantine"}}})"),
       "$.segments.mynumber.admission.local_quarantine",
       R"("on_quarantine" is not allowed for the mynumber segment: the PC stays off the network until the collector admits it (fail-closed); only "fail_closed")"},
      {doc(R"("common": {"admission": {"remediation": ["deb.debian.org"]}})"),
       "$.common.admission.remediation[0]", R"("deb.debian.org" is not HOST:PORT)"},
      {doc(R"("common": {"admission": {"remediation": ["deb.debian.org:0"]}})"),
       "$.common.admission.remediation[0]",
       R"("deb.debian.org:0" has no port between 1 and 65535)"},
      {doc(R"("common": {"admission": {"remediation": ["2001:db8::7:443"]}})"),
       "$.common.admission.remediation[0]",
       R"("2001:db8::7:443" is not HOST:PORT (write an IPv6 address in brackets))"},
      {doc(R"("common": {"admission": {"remediation": ["mirror/x:80"]}})"),
       "$.common.admission.remediation[0]",
       R"("mirror/x:80" does not name a host (letters, digits, dots, hyphens))"},
      {doc(R"("segments": {"mynumber": {"mfa": {"required_kinds": 1}}})"),
       "$.segments.mynumber.mfa.required_kinds",
       "1 is not allowed for the mynumber segment: logins need two of knowledge, possession and "
       "inherence (第38条(4)); required_factors and required_kinds must be at least 2"},
      {doc(R"("common": {"mfa": {"accepted_kinds": ["knowledge", "password"]}})"),
       "$.common.mfa.accepted_kinds[1]",
       R"("password" is not a factor kind (knowledge, possession, inherence))"},
      {doc(R"("segments": {"mynumber": {"mfa": {"accepted_kinds": ["knowledge"]}}})"),
       "$.segments.mynumber.mfa.accepted_kinds",
       R"(["knowledge"] accepts fewer kinds than required_kinds (2) demands)"},
      {doc(R"("common": {"mfa": {"services": ["login", "../shadow"]}})"),
       "$.common.mfa.services[1]", R"("../shadow" is not a PAM service name (/etc/pam.d/<name>))"},
      {doc(R"("common": {"mfa": {"services": []}})"), "$.common.mfa.services",
       "[] is empty: list at least one"},
      {doc(R"("common": {"mfa": {"max_screen_lock_seconds": 5}})"),
       "$.common.mfa.max_screen_lock_seconds", "5 is out of range: expected 30 to 86400"},
      {doc(R"("common": {"login": {}})"), "$.common.login",
       "unknown field (expected one of: admission, antimalware, mfa, patches, usb)"},
      {doc(R"("os_support": [{"os": "debian", "version": "12", "end_of_support": "2028-02-30"}])"),
       "$.os_support[0].end_of_support",
       R"("2028-02-30" is not a date: expected YYYY-MM-DD or an ISO 8601 time)"},
      {doc(R"("os_support": [{"os": "debian", "version": "12", "end_of_support": "2028-06-30"}, {"os": "debian", "version": "12", "end_of_support": "2029-06-30"}])"),
       "$.os_support[1]",
       R"({"os":"debian","version":"12","end_of_support":"2029-06-30"} lists the same os, version and edition twice)"},
      {doc(R"("common": {"patches": {"minimum_os_builds": {"19045": "10.0.19045.6456"}}})"),
       "$.common.patches.minimum_os_builds.19045",
       R"("10.0.19045.6456" is listed under a key that is not a Windows release (10.0.19045))"},
      {doc(R"("common": {"patches": {"minimum_os_builds": {"10.0.19045": "10.0.19045"}}})"),
       "$.common.patches.minimum_os_builds.10.0.19045",
       R"("10.0.19045" is not a full Windows build (10.0.19045.6456))"},
      {doc(R"("common": {"patches": {"minimum_os_builds": {"10.0.19045": "10.0.22631.4460"}}})"),
       "$.common.patches.minimum_os_builds.10.0.19045",
       R"("10.0.22631.4460" is a build of another release)"},
      {doc(R"("exceptions": [{"id": "E1", "requirement": "AV-9", "reason": "r", "approver": "a", "expires": "2027-01-01"}])"),
       "$.exceptions[0].requirement",
       R"("AV-9" is not a requirement id (see REQUIREMENTS.md: AV-1, USB-2, ...))"},
      {doc(R"("exceptions": [{"id": "E1", "requirement": "AV-5", "reason": "r", "expires": "2027-01-01"}])"),
       "$.exceptions[0]", R"(missing required field "approver")"},
      {doc(R"("exceptions": [{"id": "E1", "requirement": "AV-5", "reason": "", "approver": "a", "expires": "2027-01-01"}])"),
       "$.exceptions[0].reason", R"("" must not be empty)"},
      {doc(R"("exceptions": [{"id": "E1", "requirement": "AV-5", "reason": "r", "approver": "a", "expires": "soon"}])"),
       "$.exceptions[0].expires",
       R"("soon" is not a date: expected YYYY-MM-DD or an ISO 8601 time)"},
      {doc(R"("exceptions": [{"id": "E1", "requirement": "AV-5", "reason": "r", "approver": "a", "expires": "2027-01-01"}, {"id": "E1", "requirement": "AV-2", "reason": "r", "approver": "a", "expires": "2027-01-01"}])"),
       "$.exceptions[1].id", R"("E1" is used twice)"},
      {doc(R"("exceptions": [{"id": "E1", "requirement": "AV-5", "reason": "r", "approver": "a", "expires": "2027-01-01", "scope": {"department": "総務課"}}])"),
       "$.exceptions[0].scope.department", "unknown field (expected one of: devices, segment)"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.text);
    const auto e = rejection(c.text);
    CHECK(e.code == ErrorCode::kValidation);
    CHECK(e.field == c.path);
    CHECK(e.message == c.message);
  }
}

TEST_CASE("an error describes itself in one line with file, place, path and reason") {
  auto e = rejection(doc(R"("common": {"usb": {"mode": "blok"}})"));
  e.file = "/etc/mamori/policy.json";
  CHECK(
      e.describe() ==
      R"(/etc/mamori/policy.json: $.common.usb.mode: "blok" is not one of: block_all, allowlist, audit)");
  auto syntax = rejection("{\"format\": }");
  syntax.file = "policy.json";
  CHECK(syntax.describe().starts_with("policy.json:1:12: invalid JSON: "));
}

TEST_CASE("the help desk staff are told to ask is read in both languages") {
  const auto p = parsePolicy(doc(
      R"j("contact": {"ja": "ヘルプデスク（内線 2345）", "en": "the help desk (ext. 2345)"})j"));
  REQUIRE(p.has_value());
  CHECK(p->contact == Text{"ヘルプデスク（内線 2345）", "the help desk (ext. 2345)"});
  CHECK(parsePolicy(doc("")).value().contact.empty());
  const auto missing = rejection(doc(R"("contact": {"ja": "ヘルプデスク"})"));
  CHECK(missing.field == "$.contact");
  CHECK(missing.message.find("\"en\"") != std::string::npos);
}
