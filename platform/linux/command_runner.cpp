// The POSIX CommandRunner: posix_spawn without a shell, stdout through a pipe, a deadline.

#include "mamori/platform/command_runner.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

extern char** environ;

namespace mamori::platform {
namespace {

constexpr std::size_t kMaxOutput = 4 << 20;
constexpr std::size_t kMaxErrors = 4 << 10;
constexpr std::string_view kTimedOut = "timed out";
using Clock = std::chrono::steady_clock;

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  [[nodiscard]] int get() const { return fd_; }

 private:
  int fd_;
};

class PosixCommandRunner final : public CommandRunner {
 public:
  std::expected<CommandResult, std::string> run(const std::vector<std::string>& argv,
                                                std::chrono::milliseconds timeout) override {
    if (argv.empty()) return std::unexpected("no command given");
    int pipe_fds[2], error_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return std::unexpected(errnoText("pipe"));
    Fd read_end(pipe_fds[0]), write_end(pipe_fds[1]);
    if (::pipe2(error_fds, O_CLOEXEC) != 0) return std::unexpected(errnoText("pipe"));
    Fd error_read_end(error_fds[0]), error_write_end(error_fds[1]);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, write_end.get(), STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, error_write_end.get(), STDERR_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);

    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    // The agent blocks SIGTERM in every thread (one thread waits for it with sigwait); a child
    // must not inherit that mask, or a service stop could not end it.
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attributes, &none);
    posix_spawnattr_setsigdefault(&attributes, &all);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    pid_t pid = 0;
    const int rc =
        ::posix_spawn(&pid, argv[0].c_str(), &actions, &attributes, args.data(), environ);
    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&actions);
    write_end.reset();
    error_write_end.reset();
    if (rc != 0) return std::unexpected(argv[0] + ": " + std::strerror(rc));

    // One deadline for both: a child may close its output and still hang.
    const auto deadline = Clock::now() + timeout;
    std::string output, errors;
    int status = 0;
    auto error = readUntilClosed(read_end.get(), error_read_end.get(), output, errors, deadline);
    if (!error) error = waitForExit(pid, status, deadline);
    if (!error) readAvailable(error_read_end.get(), errors);
    if (error) {
      ::kill(pid, SIGKILL);
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      if (*error == kTimedOut) *error += " after " + std::to_string(timeout.count()) + " ms";
      return std::unexpected(argv[0] + ": " + *error);
    }
    return CommandResult{WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
                         std::move(output), std::move(errors)};
  }

 private:
  static std::string errnoText(const char* what) {
    return std::string(what) + ": " + std::strerror(errno);
  }

  static int millisecondsLeft(Clock::time_point deadline) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left > 0 ? static_cast<int>(left) : 0;
  }

  // Keeps the last kMaxErrors bytes of standard error.
  static void keepErrors(std::string& errors, const char* data, std::size_t n) {
    errors.append(data, n);
    if (errors.size() > kMaxErrors) errors.erase(0, errors.size() - kMaxErrors);
  }

  // Reads until the child closes stdout, and its stderr meanwhile (a child blocked on a full
  // stderr pipe would never close stdout); the error when the deadline or size limit is hit.
  static std::optional<std::string> readUntilClosed(int fd, int error_fd, std::string& output,
                                                    std::string& errors,
                                                    Clock::time_point deadline) {
    char buf[16384];
    for (;;) {
      const int left = millisecondsLeft(deadline);
      if (left == 0) return std::string(kTimedOut);
      pollfd p[2] = {{fd, POLLIN, 0}, {error_fd, POLLIN, 0}};
      const int ready = ::poll(p, 2, left);
      if (ready < 0 && errno == EINTR) continue;
      if (ready < 0) return errnoText("poll");
      if (ready == 0) continue;
      if (p[1].revents != 0) {
        const auto n = ::read(error_fd, buf, sizeof buf);
        if (n > 0) keepErrors(errors, buf, static_cast<std::size_t>(n));
        if (n == 0 || (n < 0 && errno != EINTR)) error_fd = -1;  // poll skips it now
      }
      if (p[0].revents == 0) continue;
      const auto n = ::read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return errnoText("read");
      if (n == 0) return std::nullopt;
      output.append(buf, static_cast<std::size_t>(n));
      if (output.size() > kMaxOutput) return "printed more than 4 MiB";
    }
  }

  // What is left in the stderr pipe once the child exited, without waiting for its end (a
  // grandchild may hold it open).
  static void readAvailable(int error_fd, std::string& errors) {
    char buf[16384];
    for (;;) {
      pollfd p{error_fd, POLLIN, 0};
      if (::poll(&p, 1, 0) <= 0) return;
      const auto n = ::read(error_fd, buf, sizeof buf);
      if (n <= 0) return;
      keepErrors(errors, buf, static_cast<std::size_t>(n));
    }
  }

  // Reaps the child before the deadline. A pidfd becomes readable when the child exits; kernels
  // without pidfd_open (before 5.3) get a short polling interval instead.
  static std::optional<std::string> waitForExit(pid_t pid, int& status,
                                                Clock::time_point deadline) {
    // Through syscall(): glibc 2.36's <sys/pidfd.h> declares pidfd_open without extern "C".
    const Fd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    for (;;) {
      const pid_t reaped = ::waitpid(pid, &status, WNOHANG);
      if (reaped == pid) return std::nullopt;
      if (reaped < 0 && errno != EINTR) return errnoText("waitpid");
      const int left = millisecondsLeft(deadline);
      if (left == 0) return std::string(kTimedOut);
      if (pidfd.get() >= 0) {
        pollfd p{pidfd.get(), POLLIN, 0};
        ::poll(&p, 1, left);
      } else {
        ::poll(nullptr, 0, std::min(left, 10));
      }
    }
  }
};

}  // namespace

std::unique_ptr<CommandRunner> makeSystemCommandRunner() {
  return std::make_unique<PosixCommandRunner>();
}

}  // namespace mamori::platform
