// MFA-1..MFA-5 on Windows: what the registry values and the lockout policy the probe read mean.
// Each reading cites the documentation it relies on; the values themselves are never trusted to
// be well formed (a malformed number is unknown, not a pass).

#include "login_windows.hpp"

#include <algorithm>
#include <bit>
#include <cctype>
#include <charconv>

#include "registry_values.hpp"

namespace mamori::policy::checks::windows {
namespace {

// ---- reading registry values ------------------------------------------------------------------

// The password credential provider of Windows 8 and later ("PasswordProvider" under
// HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Authentication\Credential Providers). Windows 7
// used {6f45dc1e-5384-457a-bc13-2cd81b0d28ed}; it is out of support (PATCH-2), so only this CLSID
// closes the password path. Source: the ADMX help of "Exclude credential providers" examples
// (admx.help, Centrify) and Peter van der Woude, "Excluding the password credential provider".
constexpr std::string_view kPasswordProvider = "{60b78e88-ead8-445c-9cfd-0b87f74ea6cd}";

// ExcludedCredentialProviders is free text typed by an admin: braces and case vary.
std::string clsidKey(std::string_view clsid) {
  clsid = trimmed(clsid);
  if (clsid.starts_with('{')) clsid.remove_prefix(1);
  if (clsid.ends_with('}')) clsid.remove_suffix(1);
  std::string key;
  for (const char ch : clsid)
    key += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return key;
}

bool isExcluded(const WindowsLogin& w, std::string_view clsid) {
  const auto want = clsidKey(clsid);
  return std::ranges::any_of(w.excluded_credential_providers,
                             [&](const std::string& e) { return clsidKey(e) == want; });
}

// "scforceoption 1" / "scforceoption not set": a DWORD as read, for evidence.
Text dwordText(const Text& name, const std::optional<std::uint32_t>& v) {
  const auto n = v ? std::to_string(*v) : std::string{};
  return {name.ja + " " + (v ? n : "未設定"), name.en + " " + (v ? n : "not set")};
}

// Remediation sentences, joined with a space and without repeats.
struct Fixes {
  Text text;
  void add(const Text& fix) {
    if (fix.empty() || text.ja.find(fix.ja) != std::string::npos) return;
    text.ja += fix.ja;
    text.en += (text.en.empty() ? "" : " ") + fix.en;
  }
};

// ---- MFA-1 / MFA-2: the ways past the logon screen -------------------------------------------

const Text kEnforceFix{
    "グループ ポリシー「対話型ログオン: Windows Hello for Business またはスマート カードが必要」"
    "を有効にするか、「Windows Hello for Business の使用」を有効にして「資格情報プロバイダーを"
    "除外する」にパスワード プロバイダー {60b78e88-ead8-445c-9cfd-0b87f74ea6cd} "
    "を指定してください。",
    "Enable the Group Policy \"Interactive logon: Require Windows Hello for Business or smart "
    "card\", or enable \"Use Windows Hello for Business\" and list the password provider "
    "{60b78e88-ead8-445c-9cfd-0b87f74ea6cd} in \"Exclude credential providers\" (System > Logon)."};
const Text kTpmFix{
    "「ハードウェアのセキュリティ デバイスを使用する」を有効にし、Windows Hello の鍵を TPM に"
    "保持してください。",
    "Enable \"Use a hardware security device\" so Windows Hello keys stay in the TPM."};
const Text kAtMostTwoFix{
    "Windows のログオンは最大 2 要素です。ポリシーの要素数を見直してください。",
    "Windows logon offers at most two factors: review the policy's count."};
const Text kBiometricsFix{
    "生体認証が認められていないため、「生体認証の使用を許可する」を無効にしてください。",
    "Inherence is not accepted: disable \"Allow the use of biometrics\" for Windows Hello."};
const Text kKindsFix{"認められた種類の要素を組み合わせるログオン方法にしてください。",
                     "Use a logon method that combines kinds of factor the policy accepts."};

/// One gesture that completes a logon, and the kinds of factor it is sure to demand.
struct Gesture {
  Text name;
  FactorKinds kinds = 0;
};

/// One way past the logon screen under the current configuration.
struct LogonPath {
  Text what;  ///< the configuration that opens it, with its values
  std::vector<Gesture> gestures;
  Text fix;  ///< when its factors fall short
};

struct LogonPaths {
  bool enforced = false;  ///< a password alone cannot log in
  Text note;              ///< how, when only the excluded password provider enforces it
  std::vector<LogonPath> paths;
};

constexpr FactorKinds kPossession = bitOf(FactorKind::kPossession);
constexpr FactorKinds kKnowledge = bitOf(FactorKind::kKnowledge);
constexpr FactorKinds kInherence = bitOf(FactorKind::kInherence);
constexpr FactorKinds both(FactorKinds a, FactorKinds b) { return static_cast<FactorKinds>(a | b); }

// Without enforcement, the way in that a password (or whatever else is left) opens.
LogonPath bypassPath(const WindowsLogin& w, bool no_password) {
  Text context = dwordText({"scforceoption", "scforceoption"}, w.smart_card_required);
  context = {"スマートカードは必須ではありません（" + context.ja + "）",
             "smart card not required (" + context.en + ")"};
  const Text state = !w.hello_for_business_enabled         ? Text{"未構成", "not configured"}
                     : *w.hello_for_business_enabled == 1U ? Text{"有効", "enabled"}
                                                           : Text{"無効", "disabled"};
  append(context,
         {"Windows Hello for Business は" + state.ja, "Windows Hello for Business " + state.en});
  append(context,
         no_password
             ? Text{"パスワードの資格情報プロバイダーは除外済みですが、2 要素のログオン方法が"
                    "強制されていません",
                    "the password credential provider is excluded, but no two-factor logon is "
                    "enforced"}
             : Text{"パスワードの資格情報プロバイダー " + std::string{kPasswordProvider} +
                        " が除外されていないため、パスワードだけでログオンできます",
                    "the password credential provider " + std::string{kPasswordProvider} +
                        " is not excluded: a password alone logs in"});
  const Text name = no_password ? Text{"その他の資格情報プロバイダー", "other credential providers"}
                                : Text{"パスワード", "password"};
  return {context, {{name, no_password ? FactorKinds{0} : kKnowledge}}, kEnforceFix};
}

// "Interactive logon: Require smart card" (scforceoption = 1): smart cards with a PIN give two
// factors, possession of the card and knowledge of its PIN (Microsoft, "Interactive logon: Require
// smart card - security policy setting"); since Windows 10 1703 the same policy is titled
// "Require Windows Hello for Business or smart card" and also admits Windows Hello for Business.
// Windows Hello for Business (PassportForWork\Enabled = 1) uses a key unlocked by a PIN or a
// biometric gesture; only "Use a hardware security device" (RequireSecurityDevice = 1) guarantees
// the key lives in the TPM, otherwise it "may provision ... using software" (ADMX help of
// MSPassport_RequireSecurityDevice; DISA STIG V-253400: software keys "could be used on other
// systems"), so the device no longer counts as a possession factor. Without either enforcement
// the password provider stays a single-factor way in. Convenience PIN and picture password are
// off for domain accounts by default (Microsoft, "Manage Windows Hello for Business in your
// organization") and are not in the facts.
LogonPaths logonPaths(const WindowsLogin& w) {
  const bool smart_card = w.smart_card_required == 1U;
  const bool hello = w.hello_for_business_enabled == 1U;
  const bool tpm = w.hello_require_security_device == 1U;
  const bool no_password = isExcluded(w, kPasswordProvider);

  LogonPaths out;
  out.enforced = smart_card || (hello && no_password);
  if (out.enforced && !smart_card) {
    out.note = {"パスワードの資格情報プロバイダーは除外済み",
                "password credential provider excluded"};
  }
  if (smart_card) {
    out.paths.push_back({{"スマートカード必須（scforceoption 1）: カード＋PIN",
                          "smart card required (scforceoption 1): card + PIN"},
                         {{{"スマートカード", "smart card"}, both(kPossession, kKnowledge)}},
                         kAtMostTwoFix});
  }
  if (hello) {
    const FactorKinds device = tpm ? kPossession : 0;
    const Text rsd = dwordText({"RequireSecurityDevice", "RequireSecurityDevice"},
                               w.hello_require_security_device);
    const Text how =
        tpm ? Text{"鍵は TPM 内、端末＋PIN または生体認証",
                   "key in the TPM, device + PIN or biometrics"}
            : Text{"鍵がソフトウェアに保存され得るため、確実なのは PIN または生体認証のみ",
                   "key may be kept in software, so only the PIN or biometrics is assured"};
    out.paths.push_back(
        {{"Windows Hello for Business（" + rsd.ja + "）: " + how.ja,
          "Windows Hello for Business (" + rsd.en + "): " + how.en},
         {{{"Windows Hello for Business PIN", "Windows Hello for Business PIN"},
           both(device, kKnowledge)},
          {{"Windows Hello for Business 生体認証", "Windows Hello for Business biometrics"},
           both(device, kInherence)}},
         tpm ? kAtMostTwoFix : kTpmFix});
  }
  if (!out.enforced) out.paths.insert(out.paths.begin(), bypassPath(w, no_password));
  return out;
}

Text factorsText(int n) {
  const auto s = std::to_string(n);
  return {s + "要素", s + (n == 1 ? " factor" : " factors")};
}

Text kindsText(FactorKinds kinds, FactorKinds accepted) {
  Text out;
  for (const auto kind : kAllFactorKinds) {
    if (!(kinds & bitOf(kind))) continue;
    Text t = factorKindText(kind);
    if (!(accepted & bitOf(kind))) {
      t.ja += "（対象外）";
      t.en += " (not accepted)";
    }
    out.ja += (out.ja.empty() ? "" : "・") + t.ja;
    out.en += (out.en.empty() ? "" : " + ") + t.en;
  }
  if (out.empty()) return {"なし", "none"};
  return out;
}

}  // namespace

Finding factors(const Context& c, const WindowsLogin& login) {
  constexpr std::string_view kId = "MFA-1";
  const int required = c.profile.mfa.required_factors;
  const auto paths = logonPaths(login);
  Text evidence = paths.note;
  Fixes fixes;
  for (const auto& path : paths.paths) {
    int fewest = 3;
    for (const auto& g : path.gestures) fewest = std::min(fewest, kindCount(g.kinds));
    if (fewest < required) fixes.add(path.fix);
    const Text n =
        fewest > 0 ? factorsText(fewest) : Text{"保証された要素なし", "no factor assured"};
    append(evidence, {path.what.ja + "（" + n.ja + "）", path.what.en + " (" + n.en + ")"});
  }
  const Text need = factorsText(required);
  append(evidence, {"必要 " + need.ja, "required: " + need.en});
  if (!fixes.text.empty()) return fail(kId, evidence, fixes.text);
  return pass(kId, evidence);
}

Finding factorKinds(const Context& c, const WindowsLogin& login) {
  constexpr std::string_view kId = "MFA-2";
  const auto& rules = c.profile.mfa;
  if (rules.required_kinds <= 0) {
    return pass(kId, {"この区分のポリシーは異なる種類の要素を求めていません",
                      "the policy does not require factors of distinct kinds for this segment"});
  }
  const FactorKinds accepted = rules.acceptedKindSet();

  const auto paths = logonPaths(login);
  Text evidence;
  Text shortfall;
  Fixes fixes;
  if (!paths.enforced) append(shortfall, paths.paths.front().what);
  for (const auto& path : paths.paths) {
    for (const auto& g : path.gestures) {
      const int counted = kindCount(g.kinds & accepted);
      const Text kinds = kindsText(g.kinds, accepted);
      const Text line{g.name.ja + ": " + kinds.ja, g.name.en + ": " + kinds.en};
      append(evidence, line);
      if (counted >= rules.required_kinds) continue;
      const auto n = std::to_string(counted);
      const auto need = std::to_string(rules.required_kinds);
      append(shortfall, {line.ja + "（" + n + "種類、必要 " + need + "種類）",
                         line.en + " (" + n + " of " + need + " kinds)"});
      if (kindCount(g.kinds) < rules.required_kinds) {
        fixes.add(path.fix);
      } else if ((g.kinds & kInherence) && !(accepted & kInherence)) {
        fixes.add(kBiometricsFix);
      } else {
        fixes.add(kKindsFix);
      }
    }
  }
  if (!fixes.text.empty()) return fail(kId, shortfall, fixes.text);
  return pass(kId, evidence);
}

// MFA-3: Winlogon's AutoAdminLogon (REG_SZ "0" | "1") logs DefaultUserName on at start-up with a
// password stored as DefaultPassword in plain text, or as the LSA secret "DefaultPassword"
// (Microsoft, "AutoAdminLogon" registry reference; "Protecting the Automatic Logon Password").
// No DefaultPassword value therefore does not make auto-logon harmless.
Finding autoLogin(const Context&, const WindowsLogin& login) {
  constexpr std::string_view kId = "MFA-3";
  Text fix{
      "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon の AutoAdminLogon を "
      "0 にし、DefaultPassword を削除してください。",
      "Set AutoAdminLogon to 0 and delete DefaultPassword under HKLM\\SOFTWARE\\Microsoft\\"
      "Windows NT\\CurrentVersion\\Winlogon."};
  if (!login.auto_admin_logon) {
    return pass(kId, {"自動ログオン（AutoAdminLogon）は未設定", "AutoAdminLogon not set"});
  }
  const auto value = parseNumber(*login.auto_admin_logon);
  if (!value) return unknown(kId, quoted("AutoAdminLogon", *login.auto_admin_logon), fix);
  if (*value == 0) {
    return pass(kId, {"自動ログオンは無効（AutoAdminLogon 0）", "AutoAdminLogon 0 (off)"});
  }
  const auto& user = login.default_user_name;
  const bool named = user && !trimmed(*user).empty();
  const auto on = "AutoAdminLogon " + std::to_string(*value);
  Text evidence{"自動ログオンが有効（" + on +
                    "）: " + (named ? "ユーザー「" + *user + "」" : std::string{"既定のユーザー"}) +
                    "として入力なしでログオンします",
                on + ": Windows logs in as " +
                    (named ? "\"" + *user + "\"" : std::string{"the default user"}) +
                    " without anyone typing"};
  if (login.default_password_present) {
    append(evidence, {"パスワードがレジストリ（DefaultPassword）に平文で保存されています",
                      "its password is stored in the registry (DefaultPassword) in plain text"});
    fix.ja += "保存されていたパスワードは変更してください。";
    fix.en += " Change that account's password, since it was stored.";
  } else {
    append(evidence,
           {"DefaultPassword はありませんが、パスワードは LSA シークレットに保存され得ます",
            "no DefaultPassword value, but the password may be held as an LSA secret"});
  }
  return fail(kId, evidence, fix);
}

// MFA-4: "Account lockout threshold" is 0..999 failed attempts; 0 means the account never locks
// (Microsoft, "Account lockout threshold" security policy setting).
Finding attemptsLimited(const Context& c, const WindowsLogin& login) {
  constexpr std::string_view kId = "MFA-4";
  const int limit = c.profile.mfa.max_failed_attempts;
  const auto max = std::to_string(limit);
  const Text fix{
      "「アカウント ロックアウトのしきい値」を 1〜" + max +
          " 回に設定してください（アカウント ポリシー > アカウント ロックアウトのポリシー）。",
      "Set \"Account lockout threshold\" to 1-" + max +
          " attempts (Account Policies > Account Lockout Policy)."};
  const auto& threshold = login.lockout_threshold;
  if (!threshold || *threshold == 0) {
    const Text t =
        dwordText({"アカウント ロックアウトのしきい値", "account lockout threshold"}, threshold);
    return fail(kId, {t.ja + ": アカウントはロックされません", t.en + ": accounts never lock"},
                fix);
  }
  const auto n = std::to_string(*threshold);
  const Text evidence{n + " 回の失敗でロック（上限 " + max + " 回）",
                      "accounts lock after " + n + " failed attempts (limit " + max + ")"};
  if (*threshold > static_cast<std::uint32_t>(std::max(limit, 0))) {
    return fail(kId, evidence, fix);
  }
  return pass(kId, evidence);
}

}  // namespace mamori::policy::checks::windows
