#pragma once

// The TUF client workflow (specification v1.0, section 5) over a Fetcher and a metadata
// directory: root rotation, timestamp, snapshot, targets with delegations, and targets
// downloaded, checked and cached. The checks themselves are tuf::TrustedSet's; this class decides
// what to fetch, with which limits, and what to keep.
//
// The metadata directory holds the trusted metadata under non-versioned names (`root.json`,
// `timestamp.json`, `snapshot.json`, `targets.json`, `<role>.json`) and `trusted-time`, the
// latest clock reading at which metadata was verified: a clock that reads earlier than that is
// refused (kClockBackwards), since expiry checks are only as good as the clock.

#include <chrono>
#include <cstdint>
#include <expected>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "mamori/tuf/rejection.hpp"
#include "mamori/tuf/trusted_set.hpp"
#include "mamori/updater/fetcher.hpp"

namespace mamori::updater {

using tuf::TimePoint;

struct UpdaterConfig {
  std::filesystem::path metadata_dir;
  std::string metadata_url;  ///< base URL of the metadata (`.../metadata`)
  std::string target_url;    ///< base URL of the targets (`.../targets`); may be empty
  std::filesystem::path target_dir;
  // Caps where metadata gives no length (python-tuf's defaults).
  std::uint64_t root_max_bytes = 512'000;
  std::uint64_t timestamp_max_bytes = 16'384;
  std::uint64_t snapshot_max_bytes = 2'000'000;
  std::uint64_t targets_max_bytes = 5'000'000;
  /// Targets themselves: the signed length, up to this (an agent package is tens of MB).
  std::uint64_t target_file_max_bytes = 512ull << 20;
  int max_root_rotations = 256;
  int max_delegations = 32;
  /// How far the clock may step back before it is refused (an NTP correction is not an attack).
  std::chrono::seconds clock_tolerance{std::chrono::minutes(5)};
};

/// A target the trusted metadata lists, with the role that listed it.
struct TargetInfo {
  std::string path;
  tuf::TargetFile file;
  std::string role;
};

class Updater {
 public:
  /// Writes `root_bytes` as the trusted root (the `init` of the conformance protocol). It must be
  /// root metadata signed by its own threshold; an existing trusted root is replaced.
  static std::expected<void, tuf::Rejection> initialize(const std::filesystem::path& metadata_dir,
                                                        std::string_view root_bytes);

  Updater(UpdaterConfig config, Fetcher& fetcher);

  /// The top-level metadata brought up to date: root (through every version the repository has),
  /// timestamp, snapshot, targets. Each accepted file is stored before the next is fetched.
  std::expected<void, tuf::Rejection> refresh(TimePoint now);

  /// The target `path` from the targets metadata and its delegations (pre-order, depth-first,
  /// at most `max_delegations` roles). Refreshes first if this Updater has not.
  std::expected<TargetInfo, tuf::Rejection> targetInfo(std::string_view path, TimePoint now);

  /// The local copy of `target` when one exists with the length and hashes the metadata gives.
  [[nodiscard]] std::optional<std::filesystem::path> cachedTarget(const TargetInfo& target) const;

  /// Downloads `target` (unless cached), checks its length and hashes, and stores it in the
  /// target directory as its percent-encoded path. Returns where.
  std::expected<std::filesystem::path, tuf::Rejection> download(const TargetInfo& target);

  /// The trusted set of the last refresh (null before one succeeded).
  [[nodiscard]] const tuf::TrustedSet* trusted() const { return trusted_ ? &*trusted_ : nullptr; }

 private:
  std::expected<void, tuf::Rejection> checkClock(TimePoint now) const;
  std::expected<void, tuf::Rejection> loadRoot();
  std::expected<void, tuf::Rejection> loadTimestamp(TimePoint now);
  std::expected<void, tuf::Rejection> loadSnapshot(TimePoint now);
  std::expected<void, tuf::Rejection> loadTargets(const std::string& role,
                                                  const std::string& delegator, TimePoint now);
  std::expected<std::string, tuf::Rejection> fetchMetadata(std::string_view role,
                                                           std::optional<std::int64_t> version,
                                                           std::uint64_t max_bytes);
  std::optional<std::string> readLocal(std::string_view role) const;
  std::expected<void, tuf::Rejection> persist(std::string_view role, std::string_view bytes) const;

  UpdaterConfig config_;
  Fetcher& fetcher_;
  std::optional<tuf::TrustedSet> trusted_;
  bool refreshed_ = false;
};

}  // namespace mamori::updater
