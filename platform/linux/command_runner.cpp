// The POSIX CommandRunner: posix_spawn without a shell, stdout through a pipe, a deadline.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include "mamori/platform/command_runner.hpp"

extern char** environ;

namespace mamori::platform {
namespace {

constexpr std::size_t kMaxOutput = 4 << 20;

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
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return std::unexpected(errnoText("pipe"));
    Fd read_end(pipe_fds[0]), write_end(pipe_fds[1]);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, write_end.get(), STDOUT_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);

    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = 0;
    const int rc = ::posix_spawn(&pid, argv[0].c_str(), &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    write_end.reset();
    if (rc != 0) return std::unexpected(argv[0] + ": " + std::strerror(rc));

    std::string output;
    const auto error = readUntilClosed(read_end.get(), output, timeout);
    if (error) ::kill(pid, SIGKILL);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (error) return std::unexpected(argv[0] + ": " + *error);
    return CommandResult{WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
                         std::move(output)};
  }

 private:
  static std::string errnoText(const char* what) {
    return std::string(what) + ": " + std::strerror(errno);
  }

  // Reads until the child closes stdout; the error when the deadline or size limit is hit.
  static std::optional<std::string> readUntilClosed(int fd, std::string& output,
                                                    std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    char buf[16384];
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return "timed out after " + std::to_string(timeout.count()) + " ms";
      pollfd p{fd, POLLIN, 0};
      const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
      if (ready < 0 && errno == EINTR) continue;
      if (ready < 0) return errnoText("poll");
      if (ready == 0) continue;
      const auto n = ::read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return errnoText("read");
      if (n == 0) return std::nullopt;
      output.append(buf, static_cast<std::size_t>(n));
      if (output.size() > kMaxOutput) return "printed more than 4 MiB";
    }
  }
};

}  // namespace

std::unique_ptr<CommandRunner> makeSystemCommandRunner() {
  return std::make_unique<PosixCommandRunner>();
}

}  // namespace mamori::platform
