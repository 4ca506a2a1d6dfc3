#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "mamori/platform/command_runner.hpp"
#include "mamori/policy/facts.hpp"

namespace mamori::platform {

struct ProbeOptions {
  /// Every file is read below this directory, so a probe runs unchanged on a fixture tree.
  std::filesystem::path root = "/";
  /// Runs status commands. When null: the system's runner if `root` is `/`; otherwise none,
  /// since a command would describe this machine rather than the tree under `root`.
  std::unique_ptr<CommandRunner> commands;
  /// PAM services whose login stacks are read (the policy's MFA services).
  std::vector<std::string> login_services;
};

/// Observes the posture of this machine: USB inventory, anti-malware, packages, OS, identity.
class PostureProbe {
 public:
  virtual ~PostureProbe() = default;

  /// Never throws for what the machine holds: a fact that cannot be read is recorded as unknown
  /// with the reason. `now` stamps the facts. Not thread-safe; one collection at a time.
  virtual policy::PostureFacts collect(policy::TimePoint now) = 0;
};

/// The probe of the platform mamori was built for.
std::unique_ptr<PostureProbe> makePostureProbe(ProbeOptions options);

}  // namespace mamori::platform
