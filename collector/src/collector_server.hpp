#pragma once

#include <Poco/Util/ServerApplication.h>

#include <filesystem>

namespace mamori::collector {

/// The collector as a Poco ServerApplication: `--daemon`, `--pidfile` and SIGTERM handling come
/// from Poco; initialize() reads the configuration and fails fast with one line.
class CollectorServer : public Poco::Util::ServerApplication {
 public:
  explicit CollectorServer(std::filesystem::path config_file);

 protected:
  int main(const std::vector<std::string>& args) override;

 private:
  std::filesystem::path config_file_;
};

}  // namespace mamori::collector
