#include "collector_server.hpp"

#include <Poco/ConsoleChannel.h>
#include <Poco/FormattingChannel.h>
#include <Poco/Logger.h>
#include <Poco/PatternFormatter.h>

#include <chrono>

#include "collector_state.hpp"
#include "https_server.hpp"
#include "mamori/collector/service.hpp"
#include "mamori/protocol/atomic_file.hpp"

namespace mamori::collector {
namespace {

// Logs go to stderr, which systemd's journal collects (no timestamps: the journal adds them).
void setUpLogging() {
  Poco::AutoPtr<Poco::PatternFormatter> format(new Poco::PatternFormatter("%s [%p] %t"));
  Poco::AutoPtr<Poco::FormattingChannel> channel(
      new Poco::FormattingChannel(format, new Poco::ConsoleChannel));
  Poco::Logger::root().setChannel(channel);
  Poco::Logger::root().setLevel(Poco::Message::PRIO_INFORMATION);
}

}  // namespace

CollectorServer::CollectorServer(std::filesystem::path config_file)
    : config_file_(std::move(config_file)) {}

int CollectorServer::main(const std::vector<std::string>&) {
  setUpLogging();
  auto& log = Poco::Logger::get("mamori.collector");
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  auto config = loadCollectorConfig(config_file_);
  auto policy = config ? loadCollectorPolicy(*config) : std::unexpected(config.error());
  if (!config || !policy) {
    log.fatal("mamori-collector: " + (config ? policy.error() : config.error()).describe());
    return EXIT_CONFIG;
  }
  auto state = prepareState(*config, now);
  auto store = state ? Store::open(config->database)
                     : std::expected<std::unique_ptr<Store>, Error>(std::unexpected(state.error()));
  if (!state || !store) {
    log.fatal("mamori-collector: " + (state ? store.error() : state.error()).describe());
    return EXIT_SOFTWARE;
  }
  const Service service(*config, state->ca, **store, std::move(*policy));
  auto server = HttpsServer::start(*config, state->files, service);
  if (!server) {
    log.fatal("mamori-collector: " + server.error().describe());
    return EXIT_UNAVAILABLE;
  }
  log.information("listening on https://" + config->listen.host + ":" +
                  std::to_string((*server)->port()) + " (policy version " +
                  std::to_string(service.policy().version) + ", database " +
                  (config->database.starts_with("postgresql:") ? "PostgreSQL" : "SQLite") + ")");
  if (config->port_file) {
    // Atomic, so whoever waits for the file never reads half a number.
    const auto port = std::to_string((*server)->port()) + "\n";
    if (auto written = protocol::writeFileAtomically(*config->port_file, port, 0644); !written) {
      log.fatal("mamori-collector: " + written.error().describe());
      (*server)->stop();
      return EXIT_CANTCREAT;
    }
  }
  waitForTerminationRequest();
  log.information("stopping");
  (*server)->stop();
  return EXIT_OK;
}

}  // namespace mamori::collector
