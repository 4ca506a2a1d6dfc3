#pragma once

// The collector's side of signed policy distribution (issue 9): it serves the TUF repository
// the admins sign into (`GET /v1/tuf/metadata/<file>`, `GET /v1/tuf/targets/<path>`) to enrolled
// agents, and holds the online snapshot and timestamp keys with which it publishes what the
// admins signed and re-signs before anything expires. Root and targets keys never come here.

#include <chrono>
#include <expected>
#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>

#include "mamori/collector/config.hpp"
#include "mamori/error.hpp"
#include "mamori/repository/repository.hpp"
#include "mamori/tuf/keys.hpp"

namespace mamori::collector {

class TufService {
 public:
  /// Reads the online keys and checks that root lists them for their roles: a collector holding
  /// the wrong keys fails at start, not at the first publication.
  static std::expected<TufService, Error> open(const TufConfig& config);

  /// Publishes what changed (a new snapshot for newly signed targets, a timestamp re-signed
  /// before it expires). Thread-safe; called on the collector's publishing timer.
  std::expected<repository::Repository::Published, Error> publish(tuf::TimePoint now) const;

  /// A repository file for `GET /v1/tuf/<area>/<path>`; kUsage for a path outside the repository,
  /// kIo when there is no such file.
  std::expected<std::string, Error> read(std::string_view area, std::string_view path) const;

  [[nodiscard]] const TufConfig& config() const { return config_; }

 private:
  TufService(TufConfig config, tuf::SigningKey snapshot, tuf::SigningKey timestamp)
      : config_(std::move(config)),
        snapshot_(std::move(snapshot)),
        timestamp_(std::move(timestamp)),
        mutex_(std::make_unique<std::mutex>()) {}

  TufConfig config_;
  tuf::SigningKey snapshot_;
  tuf::SigningKey timestamp_;
  std::unique_ptr<std::mutex> mutex_;  ///< one publication at a time
};

}  // namespace mamori::collector
