// sshd around PAM: OpenSSH asks PAM only for password and keyboard-interactive logins (with
// UsePAM). A public key, a host key or a Kerberos ticket logs in without PAM's auth stack, so a
// PAM stack that demands two factors says nothing about `ssh -i key`. AuthenticationMethods is
// what makes sshd demand several methods in a row.

#include <algorithm>
#include <bit>
#include <cctype>
#include <string>

#include "login_strength.hpp"

namespace mamori::policy::checks::linux_login {
namespace {

// sshd_config(5) defaults of OpenSSH 9.2 (Debian 12's own file turns KbdInteractive off and
// UsePAM on; unset here means the compiled-in default).
bool enabled(const std::optional<std::string>& value, bool by_default) {
  if (!value) return by_default;
  std::string v = *value;
  for (auto& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return v == "yes";
}

Strength one(FactorKind kind, FactorKinds accepted, Text what) {
  if ((accepted & bitOf(kind)) == 0) return {0, 0, std::move(what)};
  const auto k = factorKindText(kind);
  return {1, bitOf(kind), {what.ja + "［" + k.ja + "］", what.en + " [" + k.en + "]"}};
}

std::optional<Strength> viaPam(const std::optional<Strength>& pam, const Text& what) {
  if (!pam) return std::nullopt;
  return Strength{pam->factors,
                  pam->kinds,
                  {what.ja + "（PAM: " + pam->trail.ja + "）",
                   what.en + " through PAM (" + pam->trail.en + ")"}};
}

// One method of a chain: what it proves under these settings; nullopt when it is off.
std::optional<Strength> method(std::string_view name, const SshdSettings& s,
                               const std::optional<Strength>& pam, FactorKinds accepted) {
  name = name.substr(0, name.find(':'));  // keyboard-interactive:pam
  const bool use_pam = enabled(s.use_pam, false);
  if (name == "publickey") {
    if (!enabled(s.pubkey_authentication, true)) return std::nullopt;
    return one(FactorKind::kPossession, accepted, {"公開鍵", "public key"});
  }
  if (name == "password") {
    if (!enabled(s.password_authentication, true)) return std::nullopt;
    if (use_pam) return viaPam(pam, {"パスワード", "password"});
    return one(FactorKind::kKnowledge, accepted, {"パスワード", "password"});
  }
  if (name == "keyboard-interactive") {
    if (!enabled(s.kbd_interactive_authentication, true) || !use_pam) return std::nullopt;
    return viaPam(pam, {"キーボード対話", "keyboard-interactive"});
  }
  if (name == "gssapi-with-mic") {
    if (!enabled(s.gssapi_authentication, false)) return std::nullopt;
    return one(FactorKind::kKnowledge, accepted, {"Kerberos チケット", "Kerberos ticket"});
  }
  if (name == "hostbased") {
    if (!enabled(s.hostbased_authentication, false)) return std::nullopt;
    return Strength{
        0, 0, {"ホストベース（接続元ホストの鍵）", "host-based (the client host's key)"}};
  }
  if (name == "none") {
    if (!enabled(s.permit_empty_passwords, false)) return std::nullopt;
    return Strength{0, 0, {"空のパスワード", "an empty password (PermitEmptyPasswords yes)"}};
  }
  return std::nullopt;
}

std::vector<std::vector<std::string>> chainsOf(const SshdSettings& s) {
  std::string methods = s.authentication_methods.value_or("any");
  if (methods == "any") {  // any single enabled method logs in
    return {{"publickey"},       {"password"},  {"keyboard-interactive"},
            {"gssapi-with-mic"}, {"hostbased"}, {"none"}};
  }
  std::vector<std::vector<std::string>> chains;
  for (std::size_t pos = 0; pos < methods.size();) {
    const auto end = std::min(methods.find_first_of(" \t", pos), methods.size());
    std::vector<std::string> chain;
    for (std::size_t p = pos; p < end;) {
      const auto comma = std::min(methods.find(',', p), end);
      if (comma > p) chain.push_back(methods.substr(p, comma - p));
      p = comma + 1;
    }
    if (!chain.empty()) chains.push_back(std::move(chain));
    pos = end + 1;
  }
  return chains;
}

}  // namespace

int Strength::measured(Measure m) const {
  return m == Measure::kFactors ? factors : kindCount(kinds);
}

std::optional<Strength> weakestSshLogin(const std::vector<SshdSettings>& views,
                                        const std::optional<Strength>& through_pam,
                                        FactorKinds accepted, Measure measure) {
  std::optional<Strength> weakest;
  for (const auto& view : views) {
    for (const auto& chain : chainsOf(view)) {
      Strength total;
      bool usable = true;
      for (const auto& name : chain) {
        const auto step = method(name, view, through_pam, accepted);
        if (!step) {
          usable = false;
          break;
        }
        total.factors += step->factors;
        total.kinds = static_cast<FactorKinds>(total.kinds | step->kinds);
        total.trail.ja += (total.trail.ja.empty() ? "" : " ＋ ") + step->trail.ja;
        total.trail.en += (total.trail.en.empty() ? "" : " + ") + step->trail.en;
      }
      if (!usable) continue;
      const std::string how = view.authentication_methods
                                  ? "AuthenticationMethods " + *view.authentication_methods
                                  : "AuthenticationMethods not set";
      const std::string where = view.condition.empty() ? how : view.condition + ", " + how;
      total.trail.ja += "（" + where + "）";
      total.trail.en += " (" + where + ")";
      if (!weakest || total.measured(measure) < weakest->measured(measure)) weakest = total;
    }
  }
  return weakest;
}

}  // namespace mamori::policy::checks::linux_login
