#pragma once

// A Linux-PAM `auth` stack as libpam loads it: the flat list of handlers that
// _pam_dispatch_aux() walks, with substack levels and the 32-entry action table per line.
// Built by platform's PAM decoder from /etc/pam.d, judged by pam_analysis.hpp.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mamori::policy::pam {

// libpam's return codes (security/_pam_types.h); they index a handler's actions.
inline constexpr int kSuccess = 0;
inline constexpr int kServiceErr = 3;
inline constexpr int kPermDenied = 6;
inline constexpr int kAuthErr = 7;
inline constexpr int kUserUnknown = 10;
inline constexpr int kIgnore = 25;
inline constexpr int kModuleUnknown = 28;
inline constexpr int kIncomplete = 31;
inline constexpr int kReturnValues = 32;  ///< _PAM_RETURN_VALUES

/// The name libpam's control syntax uses for a return code (`auth_err`), "" when out of range.
std::string_view returnCodeName(int code);

// What the dispatcher does with a return code (pam_private.h). Positive values jump over that
// many handlers of the same stack level.
inline constexpr int kActionIgnore = 0;
inline constexpr int kActionOk = -1;
inline constexpr int kActionDone = -2;
inline constexpr int kActionBad = -3;
inline constexpr int kActionDie = -4;
inline constexpr int kActionReset = -5;
inline constexpr int kActionUndef = -6;

using Actions = std::array<int, kReturnValues>;

enum class HandlerKind : std::uint8_t {
  kModule,    ///< calls a module (a missing module returns PAM_MODULE_UNKNOWN)
  kMustFail,  ///< a broken line: libpam installs it and fails it with PAM_PERM_DENIED
  kSubstack,  ///< marks where a substack starts; the dispatcher skips it
};

struct Handler {
  HandlerKind kind = HandlerKind::kModule;
  int stack_level = 0;  ///< 0 = the service's own stack, +1 per `substack`
  Actions actions{};
  std::string module;  ///< as written: `pam_unix.so` or an absolute path
  std::vector<std::string> arguments;
  bool installed = true;  ///< false: libpam cannot load it, so it returns PAM_MODULE_UNKNOWN
  std::string control;    ///< as written, for evidence: `[success=1 default=ignore]`
  std::string file;       ///< where the line is: `/etc/pam.d/common-auth`
  int line = 0;

  /// `pam_unix` for `/lib/x86_64-linux-gnu/security/pam_unix.so`: what classification uses.
  [[nodiscard]] std::string moduleName() const;
  [[nodiscard]] bool hasArgument(std::string_view argument) const;
  /// `deny=3` -> "3"; empty when absent.
  [[nodiscard]] std::string argumentValue(std::string_view key) const;
  /// `common-auth:17`, for evidence.
  [[nodiscard]] std::string where() const;
};

/// One service's `auth` handlers.
struct Stack {
  std::string service;  ///< `gdm-password`
  std::vector<Handler> auth;
  /// Non-empty when libpam cannot load the configuration at all (an `@include` it cannot
  /// open): then every authentication through the service fails.
  std::string load_error;
  /// Non-empty when the configuration expands beyond what mamori analyses (includes of
  /// includes, multiplying): the stack is not judged.
  std::string too_large;
  bool from_other = false;  ///< the service has no auth lines; /etc/pam.d/other's are used
};

}  // namespace mamori::policy::pam
