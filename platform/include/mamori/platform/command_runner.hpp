#pragma once

#include <chrono>
#include <expected>
#include <memory>
#include <string>
#include <vector>

namespace mamori::platform {

struct CommandResult {
  int exit_code = 0;
  std::string output;  ///< standard output
  std::string errors;  ///< the end of standard error (its last 4 KiB), to say why it failed
};

/// Runs external status commands (`mdatp health`). Tests replace it with platform/fake's.
class CommandRunner {
 public:
  virtual ~CommandRunner() = default;

  /// Runs `argv` directly (no shell; argv[0] is an absolute path) and collects its standard
  /// output. Errors (as text): the program could not be started, it outlived `timeout` (it is
  /// then killed), or it printed more than 4 MiB. A non-zero exit is a result, not an error.
  virtual std::expected<CommandResult, std::string> run(const std::vector<std::string>& argv,
                                                        std::chrono::milliseconds timeout) = 0;
};

/// The real runner of this platform.
std::unique_ptr<CommandRunner> makeSystemCommandRunner();

}  // namespace mamori::platform
