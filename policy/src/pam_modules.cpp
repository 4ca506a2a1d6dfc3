#include "pam_modules.hpp"

#include <algorithm>
#include <array>
#include <string_view>

namespace mamori::policy::checks::linux_login {
namespace {

using enum FactorKind;

struct KnownModule {
  std::string_view name;
  FactorKind kind;
};

// Modules whose success proves a factor. pam_sss and pam_ldap ask for the directory password;
// pam_sss with `require_cert_auth` asks for the smart card instead (see moduleModel).
constexpr std::array kFactorModules{
    KnownModule{"pam_unix", kKnowledge},
    KnownModule{"pam_unix2", kKnowledge},
    KnownModule{"pam_sss", kKnowledge},
    KnownModule{"pam_ldap", kKnowledge},
    KnownModule{"pam_krb5", kKnowledge},
    KnownModule{"pam_winbind", kKnowledge},
    KnownModule{"pam_userdb", kKnowledge},
    KnownModule{"pam_u2f", kPossession},
    KnownModule{"pam_pkcs11", kPossession},
    KnownModule{"pam_p11", kPossession},
    KnownModule{"pam_google_authenticator", kPossession},
    KnownModule{"pam_oath", kPossession},
    KnownModule{"pam_yubico", kPossession},
    KnownModule{"pam_fprintd", kInherence},
    KnownModule{"pam_howdy", kInherence},
};

// Every code a module may return but PAM_INCOMPLETE (a conversation in progress), the usual
// ones first so counterexamples read naturally.
std::vector<int> anyCode() {
  std::vector<int> codes{pam::kSuccess, pam::kAuthErr, pam::kUserUnknown, pam::kIgnore};
  for (int c = 0; c < pam::kIncomplete; ++c) {
    if (std::ranges::find(codes, c) == codes.end()) codes.push_back(c);
  }
  return codes;
}

std::optional<FactorKind> factorOf(const pam::Handler& h, std::string_view name) {
  if (name == "pam_sss" && h.hasArgument("require_cert_auth")) return kPossession;
  // Howdy's classic packaging runs as a Python PAM script.
  if (name == "pam_python" &&
      std::ranges::any_of(h.arguments, [](const auto& a) { return a.contains("howdy"); }))
    return kInherence;
  const auto* known = std::ranges::find(kFactorModules, name, &KnownModule::name);
  if (known == kFactorModules.end()) return std::nullopt;
  return known->kind;
}

// Options documented to let a user through without the factor.
std::string weaknessOf(const pam::Handler& h, std::string_view name, const LinuxLogin& login) {
  if (name == "pam_u2f" && h.hasArgument("nouserok"))
    return "nouserok: a user with no registered key passes without one";
  if ((name == "pam_google_authenticator" || name == "pam_yubico") && h.hasArgument("nullok"))
    return "nullok: a user with no token configured passes without one";
  if (name == "pam_unix" && (h.hasArgument("nullok") || h.hasArgument("nullok_secure"))) {
    // nullok matters only for accounts whose password is empty; unknown counts as some.
    const auto& empty = login.empty_password_accounts;
    if (!empty.known()) return "nullok, and /etc/shadow could not be read: " + empty.reason();
    if (!empty.value().empty()) {
      std::string names;
      for (const auto& n : empty.value()) names += (names.empty() ? "" : ", ") + n;
      return "nullok: accounts with an empty password (" + names + ") log in without one";
    }
  }
  return {};
}

}  // namespace

pam::ModuleModel moduleModel(const pam::Handler& h, const LinuxLogin& login) {
  using pam::ModuleModel;
  const auto name = h.moduleName();
  if (name == "pam_permit") return {std::nullopt, {pam::kSuccess}, {}};
  if (name == "pam_deny") return {std::nullopt, {pam::kAuthErr}, {}};
  if (name == "pam_u2f" && h.hasArgument("alwaysok"))
    return {kPossession, {pam::kSuccess}, "alwaysok: every attempt succeeds"};
  ModuleModel model{factorOf(h, name), anyCode(), weaknessOf(h, name, login)};
  // A module that checks a factor answers success or an error. PAM_IGNORE is the answer of a
  // module with nothing to check, which for a factor module is exactly its weakness (nullok).
  if (model.factor && model.weakness.empty()) std::erase(model.codes, pam::kIgnore);
  return model;
}

}  // namespace mamori::policy::checks::linux_login
