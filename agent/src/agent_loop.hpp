#pragma once

#include <Poco/Util/ServerApplication.h>

#include "mamori/agent/service_commands.hpp"

namespace mamori::agent {

/// `mamori-agent run` as a Poco ServerApplication (a systemd service or, on Windows, an SCM
/// service with no extra code): the cycles run on a worker thread, the main thread waits for
/// the termination request and then stops the worker between two steps.
class AgentService : public Poco::Util::ServerApplication {
 public:
  explicit AgentService(RunOptions options);

 protected:
  int main(const std::vector<std::string>& args) override;

 private:
  RunOptions options_;
};

}  // namespace mamori::agent
