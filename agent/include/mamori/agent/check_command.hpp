#pragma once

#include <filesystem>
#include <iosfwd>
#include <memory>
#include <optional>

#include "mamori/platform/command_runner.hpp"
#include "mamori/policy/segment.hpp"
#include "mamori/policy/text.hpp"
#include "mamori/policy/time.hpp"

namespace mamori::agent {

/// Exit codes of `mamori-agent check`: a public contract, like its flags and JSON fields.
enum ExitCode : int { kCompliant = 0, kNotCompliant = 1, kError = 2 };

struct CheckOptions {
  std::filesystem::path root = "/";
  std::optional<std::filesystem::path> policy_file;  ///< none: the built-in defaults
  std::optional<policy::Segment> segment;            ///< none: the policy's default segment
  std::optional<policy::TimePoint> now;              ///< none: the system clock
  /// Where the agent service keeps agent.db, whose USB audit log USB-3 judges. None: the
  /// service's own directory when inspecting this machine (`root` is `/`), else no log.
  std::optional<std::filesystem::path> state_dir;
  bool json = false;
  policy::Lang lang = policy::Lang::kJa;
  std::size_t columns = 100;  ///< width of the human table
  /// Replaces the system's command runner (tests); null: the probe decides.
  std::unique_ptr<platform::CommandRunner> commands;
};

/// Probes the machine under `root`, evaluates it against the policy and prints the findings:
/// a table for people, or JSON. Returns an ExitCode; errors get one line on `err`.
int runCheck(CheckOptions options, std::ostream& out, std::ostream& err);

}  // namespace mamori::agent
