#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace mamori::testing {

/// A throwaway PostgreSQL 15 cluster for storage tests: `initdb` in a private temporary
/// directory, a server that listens only on a Unix socket in that directory (no TCP port, so
/// parallel test processes never collide), and everything stopped and removed when destroyed.
/// initdb refuses to run as root: a root test process runs the server tools as the `postgres`
/// system user (the temporary directory is handed to it); anyone else runs them as themselves.
class PostgresCluster {
 public:
  /// Throws std::runtime_error with the reason and the tool's output when the cluster cannot be
  /// started, e.g. when PostgreSQL 15 is not installed (scripts/install-deps.sh installs it).
  PostgresCluster();
  PostgresCluster(const PostgresCluster&) = delete;
  PostgresCluster& operator=(const PostgresCluster&) = delete;
  ~PostgresCluster();

  /// The cluster of this test process, started at first use and removed at exit.
  static PostgresCluster& shared();

  /// Creates a new empty database (`t_1`, `t_2`, ...) and returns its name.
  std::string createDatabase();

  /// `postgresql://mamori@/NAME?host=SOCKET_DIR&port=PORT`: the libpq URI of a database.
  [[nodiscard]] std::string url(std::string_view database) const;
  /// The same as libpq `key=value` pairs, for clients that do not take URIs.
  [[nodiscard]] std::string keywords(std::string_view database) const;

 private:
  void run(std::initializer_list<std::string> command) const;

  std::filesystem::path dir_;
  std::filesystem::path data_;
  int port_ = 0;
  bool as_postgres_ = false;
  bool started_ = false;
  int databases_ = 0;
};

}  // namespace mamori::testing
