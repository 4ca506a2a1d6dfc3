#include "postgres_cluster.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <stdexcept>
#include <vector>

namespace mamori::testing {
namespace {

const std::filesystem::path kBin = "/usr/lib/postgresql/15/bin";

std::string tail(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  return text.size() > 4000 ? text.substr(text.size() - 4000) : text;
}

// Hands `path` to the postgres user, whose tools run in it.
void giveToPostgres(const std::filesystem::path& path) {
  const passwd* user = ::getpwnam("postgres");
  if (user == nullptr) {
    throw std::runtime_error("running as root, but there is no postgres user to run initdb as");
  }
  if (::chown(path.c_str(), user->pw_uid, user->pw_gid) != 0) {
    throw std::runtime_error("cannot hand " + path.string() + " to the postgres user");
  }
}

// Only async-signal-safe calls between fork and exec: the test process may have threads.
[[noreturn]] void execIn(const char* dir, int log, char* const* argv) {
  ::dup2(log, STDOUT_FILENO);
  ::dup2(log, STDERR_FILENO);
  if (::chdir(dir) != 0) ::_exit(126);
  ::execvp(argv[0], argv);
  ::_exit(127);
}

}  // namespace

PostgresCluster::PostgresCluster() {
  if (!std::filesystem::exists(kBin / "initdb")) {
    throw std::runtime_error((kBin / "initdb").string() +
                             " is missing: PostgreSQL 15 is not installed "
                             "(scripts/install-deps.sh installs postgresql-15)");
  }
  std::string pattern = (std::filesystem::temp_directory_path() / "mamori-pg-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = pattern;
  data_ = dir_ / "data";
  as_postgres_ = ::geteuid() == 0;
  if (as_postgres_) giveToPostgres(dir_);
  // Only the Unix socket is used; the port merely names it.
  port_ = 20000 + static_cast<int>(::getpid() % 20000);
  run({(kBin / "initdb").string(), "-D", data_.string(), "-A", "trust", "-U", "mamori",
       "--no-sync"});
  run({(kBin / "pg_ctl").string(), "-D", data_.string(), "-l", (dir_ / "server.log").string(), "-o",
       "-k " + dir_.string() + " -p " + std::to_string(port_) +
           " -c listen_addresses='' -c fsync=off -c full_page_writes=off",
       "-w", "start"});
  started_ = true;
}

PostgresCluster::~PostgresCluster() {
  try {
    if (started_)
      run({(kBin / "pg_ctl").string(), "-D", data_.string(), "-m", "immediate", "stop"});
  } catch (const std::exception&) {  // removing the directory below is what matters
  }
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

PostgresCluster& PostgresCluster::shared() {
  static PostgresCluster cluster;
  return cluster;
}

std::string PostgresCluster::createDatabase() {
  const auto name = "t_" + std::to_string(++databases_);
  run({(kBin / "createdb").string(), "-h", dir_.string(), "-p", std::to_string(port_), "-U",
       "mamori", name});
  return name;
}

std::string PostgresCluster::url(std::string_view database) const {
  return "postgresql://mamori@/" + std::string(database) + "?host=" + dir_.string() +
         "&port=" + std::to_string(port_);
}

std::string PostgresCluster::keywords(std::string_view database) const {
  return "host=" + dir_.string() + " port=" + std::to_string(port_) +
         " user=mamori dbname=" + std::string(database);
}

void PostgresCluster::run(std::initializer_list<std::string> command) const {
  std::vector<std::string> argv;
  if (as_postgres_) argv = {"runuser", "-u", "postgres", "--"};
  argv.insert(argv.end(), command.begin(), command.end());
  const auto log_path = dir_ / "tools.log";
  const int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (log < 0) throw std::runtime_error("cannot write " + log_path.string());
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) execIn(dir_.c_str(), log, args.data());
  ::close(log);
  int status = 0;
  if (pid < 0 || ::waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
      WEXITSTATUS(status) != 0) {
    throw std::runtime_error(argv[as_postgres_ ? 4 : 0] + " failed:\n" + tail(log_path));
  }
}

}  // namespace mamori::testing
