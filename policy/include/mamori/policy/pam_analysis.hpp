#pragma once

// What a PAM auth stack really demands. `dispatch` is libpam's dispatcher
// (_pam_dispatch_aux for pam_authenticate), line for line; `analyse` runs it symbolically over
// every return code each module can give and finds the successful login that proves the
// fewest factors. Differential tests hold `dispatch` to the real libpam.

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "mamori/policy/factor.hpp"
#include "mamori/policy/pam.hpp"

namespace mamori::policy::pam {

/// The return code of pam_authenticate() when module handler i returns `codes[i]` (entries
/// for handlers that call no module are not read). `codes` has one entry per handler.
int dispatch(std::span<const Handler> handlers, std::span<const int> codes);

/// How one module line can behave, and what its success proves.
struct ModuleModel {
  std::optional<FactorKind> factor;  ///< what a success proves; nullopt: nothing
  /// Return codes it can give; one for modules whose answer is fixed (pam_permit, pam_deny).
  std::vector<int> codes;
  /// Why a success may prove nothing though the module checks a factor (`nouserok`); empty
  /// when a success always proves the factor.
  std::string weakness;
};

/// The model of a handler's module: its kind, its options, what is installed.
using Classifier = std::function<ModuleModel(const Handler&)>;

/// One handler on a path through the stack.
struct Step {
  std::size_t handler = 0;
  int code = kSuccess;
  bool proved_factor = false;
  std::vector<std::size_t> skipped;  ///< module handlers a jump or `done`/`die` passed over
};

struct Path {
  std::vector<Step> steps;
  std::uint64_t factors = 0;  ///< bit i: Analysis::factor_modules[i] proved its factor
  FactorKinds kinds = 0;      ///< the accepted kinds proved
};

struct Analysis {
  /// False when the state space outgrew the explorer's bound: nothing below may be relied on.
  bool complete = true;
  bool can_succeed = false;
  std::optional<Path> fewest_factors;       ///< a successful login proving the fewest factors
  std::optional<Path> fewest_kinds;         ///< one proving the fewest distinct kinds
  std::vector<std::string> factor_modules;  ///< module names behind Path::factors' bits

  [[nodiscard]] int factorCount(const Path& path) const;
};

/// Every outcome of every module, explored with memoised states (the stack's state space is
/// small: position, impression, status, substack frames, factors proved). Only factors of
/// `accepted` kinds count.
Analysis analyse(std::span<const Handler> handlers, const Classifier& classify,
                 FactorKinds accepted);

}  // namespace mamori::policy::pam
