#include "collector_server.hpp"

#include <Poco/ConsoleChannel.h>
#include <Poco/FormattingChannel.h>
#include <Poco/Logger.h>
#include <Poco/PatternFormatter.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "collector_state.hpp"
#include "https_server.hpp"
#include "mamori/collector/service.hpp"
#include "mamori/protocol/atomic_file.hpp"
#include "tuf_service.hpp"

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

void reportBundles(Poco::Logger& log,
                   const std::expected<std::vector<std::string>, Error>& loaded) {
  if (!loaded) {
    log.error("signed policies not taken, the previous ones stay: " + loaded.error().describe());
    return;
  }
  std::string list;
  for (const auto& line : *loaded) list += (list.empty() ? "" : ", ") + line;
  log.information("judging with the signed policies: " + (list.empty() ? "none" : list));
}

// The online half of TUF: publish what the admins signed, re-sign before expiry. A failure is
// logged when it starts and when it ends, not on every round.
void keepPublished(const TufService& tuf, PolicyBook& policies, std::stop_token stop) {
  auto& log = Poco::Logger::get("mamori.collector.tuf");
  std::string failing;
  std::mutex mutex;
  std::condition_variable_any wake;
  while (!stop.stop_requested()) {
    const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    // Nothing thrown here may take the collector down: the serving goes on without publishing.
    std::expected<repository::Repository::Published, Error> published;
    try {
      published = tuf.publish(now);
    } catch (const std::exception& e) {
      published = std::unexpected(makeError(ErrorCode::kIo, e.what()));
    }
    if (!published && published.error().describe() != failing) {
      failing = published.error().describe();
      log.error("cannot publish the TUF repository: " + failing);
    } else if (published) {
      if (!failing.empty()) log.information("the TUF repository is published again");
      failing.clear();
      if (published->snapshot || published->timestamp) {
        log.information(std::string("TUF repository published:") +
                        (published->snapshot ? " new snapshot" : "") +
                        (published->timestamp ? " new timestamp" : ""));
      }
      // What was published is what the collector judges with from now on.
      if (published->snapshot) reportBundles(log, policies.load(tuf.config().repository));
    }
    std::unique_lock lock(mutex);
    wake.wait_for(lock, stop, tuf.config().publish_interval, [] { return false; });
  }
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
  std::optional<TufService> tuf;
  if (config->tuf) {
    auto opened = TufService::open(*config->tuf);
    if (!opened) {
      log.fatal("mamori-collector: " + opened.error().describe());
      return EXIT_CONFIG;
    }
    tuf.emplace(std::move(*opened));
  }
  const Service service(*config, state->ca, **store, std::move(*policy), tuf ? &*tuf : nullptr);
  if (tuf) {
    // The signed bundles already published count from the first report on.
    reportBundles(Poco::Logger::get("mamori.collector.tuf"),
                  service.policies().load(config->tuf->repository));
  }
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
  std::jthread publisher;
  if (tuf) {
    publisher =
        std::jthread([&](std::stop_token stop) { keepPublished(*tuf, service.policies(), stop); });
  }
  waitForTerminationRequest();
  log.information("stopping");
  publisher = {};
  (*server)->stop();
  return EXIT_OK;
}

}  // namespace mamori::collector
