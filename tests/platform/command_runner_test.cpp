// The POSIX command runner that asks status tools (`mdatp health`) for their view (AV-1).

#include "mamori/platform/command_runner.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <string>

namespace mamori::platform {
namespace {

using namespace std::chrono_literals;

TEST_CASE("AV-1: a command's standard output and zero exit code are returned") {
  const auto runner = makeSystemCommandRunner();
  const auto result = runner->run({"/bin/echo", "hello"}, 5s);
  REQUIRE_MESSAGE(result.has_value(), result.error());
  CHECK(result->exit_code == 0);
  CHECK(result->output == "hello\n");
}

TEST_CASE("AV-1: arguments reach the program verbatim, with no shell in between") {
  const auto runner = makeSystemCommandRunner();
  const auto result = runner->run({"/bin/echo", "$HOME", "a b", ";", "*"}, 5s);
  REQUIRE_MESSAGE(result.has_value(), result.error());
  CHECK(result->output == "$HOME a b ; *\n");
}

TEST_CASE("AV-1: a non-zero exit is a result carrying the status, not an error") {
  const auto runner = makeSystemCommandRunner();
  const auto result = runner->run({"/bin/false"}, 5s);
  REQUIRE_MESSAGE(result.has_value(), result.error());
  CHECK(result->exit_code == 1);
  CHECK(result->output.empty());
}

TEST_CASE("AV-1: standard error is kept apart from the output, to say why a command failed") {
  const auto runner = makeSystemCommandRunner();
  // ls prints the listing to stdout and the complaint about the missing path to stderr.
  const auto result = runner->run({"/bin/ls", "-d", "/", "/nonexistent-mamori-path"}, 5s);
  REQUIRE_MESSAGE(result.has_value(), result.error());
  CHECK(result->exit_code != 0);
  CHECK(result->output == "/\n");
  CHECK(result->errors.find("/nonexistent-mamori-path") != std::string::npos);
}

TEST_CASE(
    "a command that fills the stderr pipe before its output ends is read to the end, and "
    "only the end of stderr is kept") {
  const auto runner = makeSystemCommandRunner();
  // 200 kB on stderr (three pipe buffers) before anything on stdout: unread, the child blocks.
  const auto result = runner->run(
      {"/bin/sh", "-c", "head -c 200000 /dev/zero | tr '\\0' e >&2; echo tail >&2; echo done"},
      10s);
  REQUIRE_MESSAGE(result.has_value(), result.error());
  CHECK(result->output == "done\n");
  CHECK(result->errors.size() == 4096);
  CHECK(result->errors.ends_with("eeetail\n"));
}

TEST_CASE("a grandchild that keeps stderr open does not hold the result back") {
  const auto runner = makeSystemCommandRunner();
  const auto started = std::chrono::steady_clock::now();
  const auto result =
      runner->run({"/bin/sh", "-c", "echo said >&2; sleep 3 >/dev/null & echo out"}, 10s);
  REQUIRE_MESSAGE(result.has_value(), result.error());
  CHECK(result->output == "out\n");
  CHECK(result->errors == "said\n");
  CHECK(std::chrono::steady_clock::now() - started < 2s);
}

TEST_CASE("AV-1: output larger than a pipe buffer is collected whole") {
  const auto runner = makeSystemCommandRunner();
  const auto result = runner->run({"/usr/bin/head", "-c", "200000", "/dev/zero"}, 10s);
  REQUIRE_MESSAGE(result.has_value(), result.error());
  CHECK(result->exit_code == 0);
  CHECK(result->output.size() == 200000);
}

TEST_CASE("AV-1: a command printing more than 4 MiB is cut off with an error, not buffered") {
  const auto runner = makeSystemCommandRunner();
  const auto result = runner->run({"/usr/bin/head", "-c", "6000000", "/dev/zero"}, 10s);
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().find("4 MiB") != std::string::npos);
}

TEST_CASE("AV-1: a command outliving its timeout is killed and reported as timed out") {
  const auto runner = makeSystemCommandRunner();
  const auto start = std::chrono::steady_clock::now();
  const auto result = runner->run({"/bin/sleep", "5"}, 200ms);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().find("timed out") != std::string::npos);
  // A bound, not a measurement: the runner must not wait for the command to finish on its own.
  CHECK(elapsed < 3s);
}

TEST_CASE("AV-1: a command that closes its output but keeps running is still killed on time") {
  const auto runner = makeSystemCommandRunner();
  const auto start = std::chrono::steady_clock::now();
  const auto result = runner->run({"/bin/sh", "-c", "exec >&-; sleep 5"}, 200ms);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK_FALSE(result.has_value());
  CHECK(elapsed < 3s);  // the timeout bounds the whole run, not only the reading of its output
}

TEST_CASE("AV-1: a program that does not exist is an error naming it") {
  const auto runner = makeSystemCommandRunner();
  const auto result = runner->run({"/nonexistent/mdatp", "health"}, 5s);
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().find("/nonexistent/mdatp") != std::string::npos);
}

TEST_CASE("AV-1: an empty command line is an error, not a crash") {
  const auto runner = makeSystemCommandRunner();
  CHECK_FALSE(runner->run({}, 5s).has_value());
}

}  // namespace
}  // namespace mamori::platform
