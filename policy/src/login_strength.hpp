#pragma once

// What one way to log in proves: shared by the PAM analysis and the sshd methods around it.

#include <optional>
#include <vector>

#include "mamori/policy/factor.hpp"
#include "mamori/policy/login.hpp"
#include "mamori/policy/text.hpp"

namespace mamori::policy::checks::linux_login {

/// MFA-1 counts factors, MFA-2 kinds of factor.
enum class Measure { kFactors, kKinds };

struct Strength {
  int factors = 0;
  FactorKinds kinds = 0;
  Text trail;  ///< how the login goes, for evidence

  [[nodiscard]] int measured(Measure m) const;
};

/// The weakest way into sshd over all its views (global and each Match block), given the
/// weakest way through its PAM stack (nullopt: PAM never lets anyone in). A public-key login
/// skips PAM's auth stack entirely. nullopt when no method can log anyone in.
std::optional<Strength> weakestSshLogin(const std::vector<SshdSettings>& views,
                                        const std::optional<Strength>& through_pam,
                                        FactorKinds accepted, Measure measure);

}  // namespace mamori::policy::checks::linux_login
