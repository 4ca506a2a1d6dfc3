// `mamori-agent check` end to end on fixture roots: probes, policy file, evaluation, output.

#include "mamori/agent/check_command.hpp"

#include <doctest/doctest.h>

#include <boost/json.hpp>
#include <sstream>

#include "temp_root.hpp"

using namespace mamori;
using mamori::testing::fixturesDir;
using mamori::testing::TempRoot;
namespace js = boost::json;

namespace {

struct Run {
  int code;
  std::string out, err;
};

const auto kCityPolicy = fixturesDir() / "../../examples/policy/city-policy.json";

agent::CheckOptions options(const TempRoot& root, bool json, policy::Lang lang = policy::Lang::kEn,
                            std::filesystem::path policy_file = kCityPolicy) {
  agent::CheckOptions o;
  o.root = root.path();
  o.policy_file = std::move(policy_file);
  o.now = policy::parseTimestamp("2026-11-22T09:00:00Z").value();
  o.json = json;
  o.lang = lang;
  return o;
}

Run runOptions(agent::CheckOptions o) {
  std::ostringstream out, err;
  const int code = agent::runCheck(std::move(o), out, err);
  return {code, out.str(), err.str()};
}

Run check(const TempRoot& root, bool json, policy::Lang lang = policy::Lang::kEn,
          std::filesystem::path policy_file = kCityPolicy) {
  return runOptions(options(root, json, lang, std::move(policy_file)));
}

js::object finding(const Run& run, std::string_view id) {
  const auto doc = js::parse(run.out).as_object();
  for (const auto& f : doc.at("findings").as_array()) {
    if (f.at("id").as_string() == id) return f.as_object();
  }
  FAIL("no finding " << id);
  return {};
}

std::string evidence(const js::object& f) { return std::string(f.at("evidence").as_string()); }

}  // namespace

TEST_CASE("check --json: the public contract of fields, and exit 1 when not compliant") {
  const TempRoot root{"hosts/debian12"};
  const auto run = check(root, true);
  CHECK(run.code == agent::kNotCompliant);
  CHECK(run.err.empty());
  const auto doc = js::parse(run.out).as_object();
  CHECK(doc.at("compliant") == false);
  CHECK(doc.at("segment") == "lgwan");
  CHECK(doc.at("policy_version") == 12);
  CHECK(doc.at("checked_at") == "2026-11-22T09:00:00Z");
  const auto admission = std::string(doc.at("admission").as_string());
  CHECK((admission == "quarantine" || admission == "warn" || admission == "admit"));
  for (const auto& f : doc.at("findings").as_array()) {
    for (auto key : {"id", "status", "evidence", "remediation", "severity", "title"}) {
      CHECK_MESSAGE(f.as_object().contains(key), key);
    }
    CHECK(f.at("remediation").as_object().contains("ja"));
    CHECK(f.at("remediation").as_object().contains("en"));
  }
  CHECK(doc.at("facts").at("device").at("hostname") == "soumu-pc-014");
  CHECK(doc.at("facts").at("os").at("version_id") == "12");
}

TEST_CASE("check: fresh ClamAV signatures pass AV-1 and AV-2 (fixture: hosts/debian12)") {
  const TempRoot root{"hosts/debian12"};
  const auto run = check(root, true);
  CHECK(finding(run, "AV-1").at("status") == "pass");
  const auto av2 = finding(run, "AV-2");
  CHECK(av2.at("status") == "pass");
  CHECK(evidence(av2) == "ClamAV: signatures built 2026-11-21T21:00:00Z (age 12 h, limit 48 h)");
  CHECK(finding(run, "AV-3").at("status") == "pass");
}

TEST_CASE("check: stale ClamAV signatures fail AV-2 with their age in days") {
  const TempRoot root{"hosts/debian12", "overlays/clamav-stale"};
  const auto run = check(root, true);
  const auto av2 = finding(run, "AV-2");
  CHECK(av2.at("status") == "fail");
  CHECK(evidence(av2) ==
        "ClamAV: signatures built 2026-11-01T00:00:00Z (age 21 days (513 h), limit 48 h)");
  CHECK(js::parse(run.out).at("admission") == "quarantine");  // AV-2 is high: quarantine
}

TEST_CASE("check: a corrupt signature header makes AV-2 unknown, with the reason") {
  const TempRoot root{"hosts/debian12", "overlays/clamav-corrupt"};
  const auto run = check(root, true);
  const auto av2 = finding(run, "AV-2");
  CHECK(av2.at("status") == "unknown");
  CHECK(evidence(av2).starts_with("ClamAV: cannot be determined: /var/lib/clamav/daily.cld: "));
}

TEST_CASE("check: a PC without anti-malware fails AV-1") {
  const TempRoot root{"hosts/debian12-bare"};
  const auto run = check(root, true);
  const auto av1 = finding(run, "AV-1");
  CHECK(av1.at("status") == "fail");
  CHECK(evidence(av1) == "no anti-malware product is installed");
  CHECK(js::parse(run.out).at("admission") == "quarantine");
}

TEST_CASE("check: a package below the baseline fails PATCH-1, naming it and both versions") {
  const TempRoot root{"hosts/debian12"};
  const auto patch1 = finding(check(root, true), "PATCH-1");
  CHECK(patch1.at("status") == "fail");
  CHECK(evidence(patch1).find("openssl 3.0.11-1~deb12u2 < 3.0.15-1~deb12u1") != std::string::npos);
  CHECK(evidence(patch1).find("libssl3 3.0.11-1~deb12u2 < 3.0.15-1~deb12u1") != std::string::npos);
}

TEST_CASE("check: registered media pass USB-2, the composite stick-with-keyboard does not") {
  const TempRoot root{"hosts/debian12"};
  const auto usb2 = finding(check(root, true), "USB-2");
  CHECK(usb2.at("status") == "fail");
  const auto text = evidence(usb2);
  CHECK(text.find("registered: 0781:5581") != std::string::npos);
  CHECK(text.find("unregistered storage is usable: 1234:5678") != std::string::npos);
  CHECK(text.find("blocked: 0951:1666") != std::string::npos);
}

TEST_CASE("check --segment mynumber --json: MFA-1..MFA-5 with evidence for a hardened PC") {
  const TempRoot root{"hosts/debian12", "pam/base", "pam/u2f-required", "login/gnome-locked"};
  root.postdate("/etc/dconf/db/local");  // dconf: the compiled database must be newest
  auto o = options(root, true);
  o.segment = policy::Segment::kMynumber;
  const auto run = runOptions(std::move(o));
  CHECK(js::parse(run.out).at("segment") == "mynumber");
  for (const auto* id : {"MFA-1", "MFA-2", "MFA-3", "MFA-4", "MFA-5"}) {
    const auto f = finding(run, id);
    CAPTURE(evidence(f));
    CHECK(f.at("status") == "pass");
  }
  CHECK(evidence(finding(run, "MFA-2")) ==
        "login: every login proves 2 kinds of factor (knowledge, possession); gdm-password: "
        "every login proves 2 kinds of factor (knowledge, possession)");
  CHECK(evidence(finding(run, "MFA-4")).starts_with("login: pam_faillock locks after 3 failures"));
  const auto login = js::parse(run.out).at("facts").at("login").at("linux");
  CHECK(login.at("services").as_array().size() == 2);
  CHECK(login.at("sshd").as_array().empty());  // no SSH server on this PC
}

TEST_CASE("check --segment mynumber: Debian's default password-only login fails MFA-1 and MFA-2") {
  const TempRoot root{"hosts/debian12", "pam/base"};
  auto o = options(root, true);
  o.segment = policy::Segment::kMynumber;
  const auto run = runOptions(std::move(o));
  CHECK(run.code == agent::kNotCompliant);
  CHECK(finding(run, "MFA-1").at("status") == "fail");
  CHECK(evidence(finding(run, "MFA-2")).find("login succeeds with 1 kind (knowledge)") !=
        std::string::npos);
  CHECK(js::parse(run.out).at("admission") == "quarantine");
}

TEST_CASE("check: the table for people, in Japanese by default and in English on request") {
  const TempRoot root{"hosts/debian12", "overlays/clamav-stale"};
  const auto ja = check(root, false, policy::Lang::kJa);
  CHECK(ja.code == agent::kNotCompliant);
  CHECK(ja.out.starts_with("mamori 端末検査 — soumu-pc-014 (Debian GNU/Linux 12 (bookworm))\n"));
  CHECK(ja.out.find("区分: LGWAN接続系") != std::string::npos);
  CHECK(ja.out.find("AV-2     不合格") != std::string::npos);
  CHECK(ja.out.find("→ 対処: ウイルス定義ファイルを今すぐ更新してください") != std::string::npos);
  CHECK(ja.out.find("判定: 不適合 — ネットワーク: 隔離") != std::string::npos);

  const auto en = check(root, false, policy::Lang::kEn);
  CHECK(en.out.find("AV-2     FAIL") != std::string::npos);
  CHECK(en.out.find("Result: NOT compliant — network: quarantine") != std::string::npos);
}

TEST_CASE("check: a rejected policy exits 2 with file, field and reason on one line") {
  const TempRoot root{"hosts/debian12"};
  const auto bad = root.path() / "policy.json";
  root.write("/policy.json",
             R"({"format": "mamori-policy/1", "version": 3, "common": {"usb": {"mode": "open"}}})");
  const auto run = check(root, false, policy::Lang::kEn, bad);
  CHECK(run.code == agent::kError);
  CHECK(run.out.empty());
  CHECK(run.err == "mamori-agent: error: policy rejected: " + bad.string() +
                       R"(: $.common.usb.mode: "open" is not one of: block_all, allowlist, audit)" +
                       "\n");

  const auto missing = check(root, false, policy::Lang::kEn, root.path() / "nope.json");
  CHECK(missing.code == agent::kError);
  CHECK(missing.err.find("nope.json: No such file or directory") != std::string::npos);
}
