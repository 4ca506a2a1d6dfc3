#pragma once

#include <map>
#include <string>
#include <vector>

#include "mamori/platform/command_runner.hpp"

namespace mamori::platform::fake {

/// Answers commands from a table, and records what was asked. For unit tests of probes that
/// read command output (`mdatp health`).
class FakeCommandRunner final : public CommandRunner {
 public:
  /// `command` is argv joined by single spaces.
  void answer(std::string command, std::expected<CommandResult, std::string> result) {
    answers_.insert_or_assign(std::move(command), std::move(result));
  }

  std::expected<CommandResult, std::string> run(const std::vector<std::string>& argv,
                                                std::chrono::milliseconds) override {
    std::string command;
    for (const auto& a : argv) command += (command.empty() ? "" : " ") + a;
    calls_.push_back(command);
    const auto it = answers_.find(command);
    if (it == answers_.end()) return std::unexpected(argv.at(0) + ": No such file or directory");
    return it->second;
  }

  [[nodiscard]] const std::vector<std::string>& calls() const { return calls_; }

 private:
  std::map<std::string, std::expected<CommandResult, std::string>> answers_;
  std::vector<std::string> calls_;
};

}  // namespace mamori::platform::fake
