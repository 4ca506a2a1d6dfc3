// MFA-1..MFA-5 on Windows: the registry values and lockout policy a Windows probe reports, judged
// against the policy. Tables list one registry combination per row.

#include "login_windows.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "facts_builder.hpp"
#include "mamori/policy/evaluate.hpp"

using namespace mamori::policy;
using namespace mamori::testing;
using namespace std::chrono_literals;

namespace {

using Check = Finding (*)(const checks::Context&, const WindowsLogin&);

Finding judge(Check check, const WindowsLogin& login, const MfaRules& rules = {}) {
  const Policy policy = builtInPolicy();
  Profile profile = policy.profile(Segment::kLgwan);
  profile.mfa = rules;
  const PostureFacts facts;
  return check(checks::Context{policy, profile, Segment::kLgwan, facts, kNow}, login);
}

struct Row {
  const char* name;
  WindowsLogin login;
  Status status;
  std::string evidence_en;  ///< a part of the English evidence
  std::string fix_en = {};  ///< a part of the English remediation, when failing
  MfaRules rules = {};
};

void checkRows(Check check, const std::vector<Row>& rows) {
  for (const auto& row : rows) {
    const std::string name = row.name;
    CAPTURE(name);
    const auto f = judge(check, row.login, row.rules);
    CAPTURE(f.evidence.en);
    CHECK(f.status == row.status);
    CHECK(f.evidence.en.find(row.evidence_en) != std::string::npos);
    CHECK_FALSE(f.evidence.ja.empty());
    if (row.status == Status::kPass) {
      CHECK(f.remediation.empty());
    } else {
      CHECK_FALSE(f.remediation.ja.empty());
      CHECK(f.remediation.en.find(row.fix_en) != std::string::npos);
    }
  }
}

constexpr const char* kBypass =
    "the password credential provider {60b78e88-ead8-445c-9cfd-0b87f74ea6cd} is not excluded: a "
    "password alone logs in";
const std::vector<std::string> kNoPassword{"{60b78e88-ead8-445c-9cfd-0b87f74ea6cd}"};

MfaRules kinds(int required, std::vector<FactorKind> accepted = {
                                 kAllFactorKinds[0], kAllFactorKinds[1], kAllFactorKinds[2]}) {
  MfaRules r;
  r.required_kinds = required;
  r.accepted_kinds = std::move(accepted);
  return r;
}

MfaRules factorsNeeded(int n) {
  MfaRules r;
  r.required_factors = n;
  return r;
}

/// A PC that satisfies every Windows login check of the built-in policy.
WindowsLogin compliantPc() {
  WindowsLogin w;
  w.smart_card_required = 1;
  w.auto_admin_logon = "0";
  w.lockout_threshold = 5;
  w.inactivity_timeout_seconds = 300;
  return w;
}

}  // namespace

TEST_CASE("MFA-1: a password alone logs in unless smart card or Windows Hello is enforced") {
  checkRows(
      checks::windows::factors,
      {
          {"nothing configured", {}, Status::kFail, kBypass, "Exclude credential providers"},
          {"smart card forced off",
           {.smart_card_required = 0},
           Status::kFail,
           "smart card not required (scforceoption 0)"},
          {"smart card forced on",
           {.smart_card_required = 1},
           Status::kPass,
           "smart card required (scforceoption 1): card + PIN (2 factors); required: 2 factors"},
          {"Hello on, password provider still offered",
           {.hello_for_business_enabled = 1, .hello_require_security_device = 1},
           Status::kFail,
           "Windows Hello for Business enabled; " + std::string{kBypass}},
          {"Hello on with TPM, password provider excluded",
           {.hello_for_business_enabled = 1,
            .hello_require_security_device = 1,
            .excluded_credential_providers = kNoPassword},
           Status::kPass,
           "password credential provider excluded; Windows Hello for Business "
           "(RequireSecurityDevice 1): key in the TPM"},
          {"Hello on without a security device",
           {.hello_for_business_enabled = 1, .excluded_credential_providers = kNoPassword},
           Status::kFail,
           "(RequireSecurityDevice not set): key may be kept in software",
           "Use a hardware security device"},
          {"Hello with RequireSecurityDevice 0",
           {.hello_for_business_enabled = 1,
            .hello_require_security_device = 0,
            .excluded_credential_providers = kNoPassword},
           Status::kFail,
           "(RequireSecurityDevice 0)",
           "Use a hardware security device"},
          {"CLSID without braces, upper case, among others",
           {.hello_for_business_enabled = 1,
            .hello_require_security_device = 1,
            .excluded_credential_providers = {"{8FD7E19C-3BF7-489B-A72C-846AB3678C96}",
                                              " 60B78E88-EAD8-445C-9CFD-0B87F74EA6CD "}},
           Status::kPass,
           "device + PIN or biometrics (2 factors)"},
          {"only the smart card provider excluded",
           {.hello_for_business_enabled = 1,
            .hello_require_security_device = 1,
            .excluded_credential_providers = {"{8FD7E19C-3BF7-489B-A72C-846AB3678C96}"}},
           Status::kFail,
           kBypass},
          {"password excluded, nothing else enforced",
           {.excluded_credential_providers = kNoPassword},
           Status::kFail,
           "the password credential provider is excluded, but no two-factor logon is enforced (no "
           "factor assured)"},
          {"Hello disabled, password excluded",
           {.hello_for_business_enabled = 0, .excluded_credential_providers = kNoPassword},
           Status::kFail,
           "Windows Hello for Business disabled"},
          {"smart card forced but Hello keys may be in software",
           {.smart_card_required = 1, .hello_for_business_enabled = 1},
           Status::kFail,
           "only the PIN or biometrics is assured (1 factor)",
           "Use a hardware security device"},
          {"policy asks three factors, Windows gives two",
           {.smart_card_required = 1},
           Status::kFail,
           "(2 factors); required: 3 factors",
           "at most two factors",
           factorsNeeded(3)},
          {"policy asks one factor",
           {},
           Status::kPass,
           "(1 factor); required: 1 factor",
           "",
           factorsNeeded(1)},
      });
}

TEST_CASE("MFA-1: the evidence names the bypass in Japanese too") {
  const auto f = judge(checks::windows::factors, {});
  CHECK(f.evidence.ja.find("{60b78e88-ead8-445c-9cfd-0b87f74ea6cd} が除外されていないため、"
                           "パスワードだけでログオンできます") != std::string::npos);
  CHECK(f.remediation.ja.find("資格情報プロバイダーを除外する") != std::string::npos);
}

TEST_CASE("MFA-2: each enforced method must give two accepted kinds") {
  const std::vector<FactorKind> no_inherence{FactorKind::kKnowledge, FactorKind::kPossession};
  const std::vector<FactorKind> no_possession{FactorKind::kKnowledge, FactorKind::kInherence};
  const WindowsLogin hello_tpm{.hello_for_business_enabled = 1,
                               .hello_require_security_device = 1,
                               .excluded_credential_providers = kNoPassword};
  checkRows(
      checks::windows::factorKinds,
      {
          {"segment does not require kinds",
           {},
           Status::kPass,
           "the policy does not require factors of distinct kinds for this segment"},
          {"password alone",
           {},
           Status::kFail,
           std::string{kBypass} + "; password: knowledge (1 of 2 kinds)",
           "Require Windows Hello for Business or smart card",
           kinds(2)},
          {"smart card",
           {.smart_card_required = 1},
           Status::kPass,
           "smart card: knowledge + possession",
           "",
           kinds(2)},
          {"Hello with TPM", hello_tpm, Status::kPass,
           "Windows Hello for Business PIN: knowledge + possession; Windows Hello for Business "
           "biometrics: possession + inherence",
           "", kinds(2)},
          {"Hello biometrics when inherence is not accepted", hello_tpm, Status::kFail,
           "Windows Hello for Business biometrics: possession + inherence (not accepted) (1 of 2 "
           "kinds)",
           "Allow the use of biometrics", kinds(2, no_inherence)},
          {"Hello without a security device",
           {.hello_for_business_enabled = 1, .excluded_credential_providers = kNoPassword},
           Status::kFail,
           "Windows Hello for Business PIN: knowledge (1 of 2 kinds)",
           "Use a hardware security device",
           kinds(2)},
          {"smart card when possession is not accepted",
           {.smart_card_required = 1},
           Status::kFail,
           "smart card: knowledge + possession (not accepted) (1 of 2 kinds)",
           "kinds of factor the policy accepts",
           kinds(2, no_possession)},
      });
}

TEST_CASE("MFA-3: AutoAdminLogon logs in without typing and fails") {
  checkRows(checks::windows::autoLogin,
            {
                {"not set", {}, Status::kPass, "AutoAdminLogon not set"},
                {"off", {.auto_admin_logon = "0"}, Status::kPass, "AutoAdminLogon 0 (off)"},
                {"on with a stored DefaultPassword",
                 {.auto_admin_logon = "1",
                  .default_user_name = "kiosk",
                  .default_password_present = true},
                 Status::kFail,
                 "AutoAdminLogon 1: Windows logs in as \"kiosk\" without anyone typing; its "
                 "password is stored in the registry (DefaultPassword) in plain text",
                 "Change that account's password"},
                {"on without DefaultPassword",
                 {.auto_admin_logon = "1", .default_user_name = "kiosk"},
                 Status::kFail,
                 "no DefaultPassword value, but the password may be held as an LSA secret",
                 "Set AutoAdminLogon to 0"},
                {"on without a user name",
                 {.auto_admin_logon = " 1 "},
                 Status::kFail,
                 "logs in as the default user"},
                {"malformed",
                 {.auto_admin_logon = "yes"},
                 Status::kUnknown,
                 "AutoAdminLogon = \"yes\" is not a number"},
            });
}

TEST_CASE("MFA-4: accounts must lock after at most the policy's failed attempts") {
  checkRows(checks::windows::attemptsLimited,
            {
                {"not set",
                 {},
                 Status::kFail,
                 "account lockout threshold not set: accounts never lock",
                 "Account lockout threshold"},
                {"0",
                 {.lockout_threshold = 0},
                 Status::kFail,
                 "account lockout threshold 0: accounts never lock",
                 "1-5 attempts"},
                {"3",
                 {.lockout_threshold = 3},
                 Status::kPass,
                 "accounts lock after 3 failed attempts (limit 5)"},
                {"5, at the limit",
                 {.lockout_threshold = 5},
                 Status::kPass,
                 "accounts lock after 5 failed attempts (limit 5)"},
                {"10",
                 {.lockout_threshold = 10},
                 Status::kFail,
                 "accounts lock after 10 failed attempts (limit 5)",
                 "1-5 attempts"},
            });
}

TEST_CASE("MFA-5: the screen must lock within the limit by inactivity limit or secure saver") {
  const auto saver = [](const char* active, const char* secure, const char* timeout) {
    WindowsLogin w;
    if (active) w.screen_saver_active = active;
    if (secure) w.screen_saver_secure = secure;
    if (timeout) w.screen_saver_timeout = timeout;
    return w;
  };
  auto idle_ok_bad_saver = saver("1", "1", "ten minutes");
  idle_ok_bad_saver.inactivity_timeout_seconds = 300;
  auto idle_long_bad_saver = saver("1", "1", "ten minutes");
  idle_long_bad_saver.inactivity_timeout_seconds = 900;
  constexpr const char* kFix = "Interactive logon: Machine inactivity limit";
  checkRows(checks::windows::screenLock,
            {
                {"nothing set: Windows defaults never lock",
                 {},
                 Status::kFail,
                 "machine inactivity limit not set; screen saver not enforced by policy, limit 600 "
                 "s (10 min)",
                 kFix},
                {"inactivity 300 s (5 min)",
                 {.inactivity_timeout_seconds = 300},
                 Status::kPass,
                 "machine inactivity limit 300 s (5 min), limit 600 s (10 min)"},
                {"inactivity 600 s (10 min), at the limit",
                 {.inactivity_timeout_seconds = 600},
                 Status::kPass,
                 "machine inactivity limit 600 s (10 min)"},
                {"inactivity too long",
                 {.inactivity_timeout_seconds = 900},
                 Status::kFail,
                 "machine inactivity limit 900 s (15 min); screen saver not enforced by policy, "
                 "limit 600 s (10 min)",
                 kFix},
                {"inactivity 0 is off",
                 {.inactivity_timeout_seconds = 0},
                 Status::kFail,
                 "machine inactivity limit 0 (off)",
                 kFix},
                {"secure saver within the limit", saver("1", "1", "600"), Status::kPass,
                 "screen saver locks after 600 s (10 min), limit 600 s (10 min)"},
                {"secure saver too late", saver("1", "1", "900"), Status::kFail,
                 "machine inactivity limit not set; screen saver locks after 900 s (15 min), limit "
                 "600 s (10 min)",
                 kFix},
                {"saver without password", saver("1", "0", "300"), Status::kFail,
                 "screen saver does not ask for a password", kFix},
                {"saver password not enforced", saver("1", nullptr, "300"), Status::kFail,
                 "screen saver password not enforced by policy", kFix},
                {"saver disabled", saver("0", "1", "300"), Status::kFail,
                 "screen saver disabled by policy", kFix},
                {"saver timeout 0", saver("1", "1", "0"), Status::kFail,
                 "screen saver timeout 0 (never starts)", kFix},
                {"saver timeout unset", saver("1", "1", nullptr), Status::kFail,
                 "screen saver timeout not set by policy", kFix},
                {"saver timeout with blanks", saver(" 1", "1 ", " 300 "), Status::kPass,
                 "screen saver locks after 300 s (5 min)"},
                {"malformed timeout", saver("1", "1", "abc"), Status::kUnknown,
                 "ScreenSaveTimeOut = \"abc\" is not a number", kFix},
                {"malformed flag", saver("on", "1", "300"), Status::kUnknown,
                 "ScreenSaveActive = \"on\" is not a number", kFix},
                {"flag neither 0 nor 1", saver("1", "2", "300"), Status::kUnknown,
                 "ScreenSaverIsSecure = \"2\" is neither 0 nor 1", kFix},
                {"malformed flag but no password anyway", saver("on", "0", "300"), Status::kFail,
                 "screen saver does not ask for a password", kFix},
                {"inactivity locks, saver malformed", idle_ok_bad_saver, Status::kPass,
                 "machine inactivity limit 300 s (5 min), limit 600 s (10 min)"},
                {"inactivity too long, saver malformed", idle_long_bad_saver, Status::kUnknown,
                 "machine inactivity limit 900 s (15 min); ScreenSaveTimeOut = \"ten minutes\" is "
                 "not a number",
                 kFix},
            });
}

TEST_CASE("MFA-5: a stricter segment limit turns the same PC into a failure") {
  MfaRules strict;
  strict.max_screen_lock_delay = 120s;
  const auto f = judge(checks::windows::screenLock, {.inactivity_timeout_seconds = 300}, strict);
  CHECK(f.status == Status::kFail);
  CHECK(f.evidence.en ==
        "machine inactivity limit 300 s (5 min); screen saver not enforced by policy, limit 120 s "
        "(2 min)");
  CHECK(f.evidence.ja.find("上限 120秒") != std::string::npos);
}

TEST_CASE("MFA-1..5: evaluate() judges Windows login facts through check_login") {
  auto facts = healthyFacts();
  facts.login = LoginFacts{.windows_login = compliantPc()};
  for (const auto* id : {"MFA-1", "MFA-2", "MFA-3", "MFA-4", "MFA-5"}) {
    CAPTURE(id);
    CHECK(findingOf(facts, id).status == Status::kPass);
  }

  auto broken = compliantPc();
  broken.smart_card_required = 0;
  broken.auto_admin_logon = "1";
  broken.default_user_name = "madoguchi";
  broken.default_password_present = true;
  facts.login = LoginFacts{.windows_login = broken};
  const auto mfa1 = findingOf(facts, "MFA-1");
  CHECK(mfa1.status == Status::kFail);
  CHECK(mfa1.evidence.en.find(kBypass) != std::string::npos);
  CHECK(mfa1.severity == Severity::kHigh);
  const auto mfa3 = findingOf(facts, "MFA-3");
  CHECK(mfa3.status == Status::kFail);
  CHECK(mfa3.evidence.en.find("\"madoguchi\"") != std::string::npos);
  CHECK(findingOf(facts, "MFA-4").status == Status::kPass);

  auto mynumber = builtInPolicy();
  mynumber.profile(Segment::kMynumber).mfa.required_kinds = 2;
  const auto mfa2 = findingOf(facts, "MFA-2", mynumber, Segment::kMynumber);
  CHECK(mfa2.status == Status::kFail);
  CHECK(mfa2.evidence.en.find("password: knowledge (1 of 2 kinds)") != std::string::npos);
}
