#pragma once

#include <iosfwd>
#include <span>
#include <string>

namespace mamori::agent {

/// The process environment the CLI depends on, passed in so tests control it.
struct Environment {
  std::string lang_env;  ///< LC_ALL, else LC_MESSAGES, else LANG (empty when none is set)
  int columns = 100;     ///< terminal width for tables
};

/// Reads the environment of this process.
Environment processEnvironment();

/// `mamori-agent <command> [options]`. Returns the process exit code.
int runCli(std::span<const char* const> args, const Environment& env, std::ostream& out,
           std::ostream& err);

}  // namespace mamori::agent
