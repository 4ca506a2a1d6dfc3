#include "mamori/policy/pam.hpp"

#include <algorithm>
#include <array>

namespace mamori::policy::pam {
namespace {

// libpam's _pam_token_returns (pam_tokens.h, Linux-PAM 1.5), in return-code order.
constexpr std::array<std::string_view, kReturnValues> kReturnNames{
    "success",
    "open_err",
    "symbol_err",
    "service_err",
    "system_err",
    "buf_err",
    "perm_denied",
    "auth_err",
    "cred_insufficient",
    "authinfo_unavail",
    "user_unknown",
    "maxtries",
    "new_authtok_reqd",
    "acct_expired",
    "session_err",
    "cred_unavail",
    "cred_expired",
    "cred_err",
    "no_module_data",
    "conv_err",
    "authtok_err",
    "authtok_recover_err",
    "authtok_lock_busy",
    "authtok_disable_aging",
    "try_again",
    "ignore",
    "abort",
    "authtok_expired",
    "module_unknown",
    "bad_item",
    "conv_again",
    "incomplete",
};

// `pam_unix.so` of `/lib/x86_64-linux-gnu/security/pam_unix.so`.
std::string_view baseName(std::string_view path) {
  const auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace

std::string_view returnCodeName(int code) {
  if (code < 0 || code >= kReturnValues) return "";
  return kReturnNames[static_cast<std::size_t>(code)];
}

std::string Handler::moduleName() const {
  std::string_view name = baseName(module);
  if (const auto dot = name.rfind('.'); dot != std::string_view::npos) name = name.substr(0, dot);
  return std::string(name);
}

bool Handler::hasArgument(std::string_view argument) const {
  return std::ranges::find(arguments, argument) != arguments.end();
}

std::string Handler::argumentValue(std::string_view key) const {
  for (const auto& a : arguments) {
    if (a.size() > key.size() && a.starts_with(key) && a[key.size()] == '=') {
      return a.substr(key.size() + 1);
    }
  }
  return {};
}

std::string Handler::where() const {
  return std::string(baseName(file)) + ":" + std::to_string(line);
}

}  // namespace mamori::policy::pam
