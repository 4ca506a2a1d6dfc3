#pragma once

// The Linux-PAM configuration decoder: reads /etc/pam.d the way libpam 1.5 (Debian 12) does,
// and produces the `auth` handler list its dispatcher walks. Pure: files come from a source.

#include <optional>
#include <string>
#include <string_view>

#include "mamori/policy/pam.hpp"

namespace mamori::platform {

/// Where the configuration comes from.
class PamConfigSource {
 public:
  virtual ~PamConfigSource() = default;
  /// The text of /etc/pam.d/`name`, or of `name` itself when it is an absolute path; nullopt
  /// when it cannot be opened.
  [[nodiscard]] virtual std::optional<std::string> read(std::string_view name) const = 0;
  /// Whether libpam can load `module` as written on a line (relative names are looked up in
  /// the system's security module directory).
  [[nodiscard]] virtual bool moduleInstalled(std::string_view module) const = 0;
};

/// `service`'s auth stack as libpam builds it: `include`/`@include` inlined, `substack` one
/// level deeper, broken lines as must-fail handlers, /etc/pam.d/other when the service has no
/// auth lines. Never throws for what the files hold.
policy::pam::Stack loadAuthStack(std::string_view service, const PamConfigSource& source);

}  // namespace mamori::platform
