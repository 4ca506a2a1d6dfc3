#include "mamori/updater/updater.hpp"

#include <algorithm>

#include "mamori/protocol/atomic_file.hpp"
#include "mamori/tuf/names.hpp"
#include "trusted_time.hpp"

namespace mamori::updater {
namespace {

namespace fs = std::filesystem;
using tuf::Problem;
using tuf::reject;
using tuf::Rejection;

constexpr mode_t kMetadataMode = 0644;

// A role's metadata file in the metadata directory (its name encoded: roles may hold any text).
std::string fileOf(std::string_view role) { return tuf::localFileName(role) + ".json"; }

Rejection fromFetch(const FetchError& failure, std::string_view file) {
  const auto problem =
      failure.kind == FetchError::Kind::kTooLarge ? Problem::kTooLarge : Problem::kUnavailable;
  return reject(problem, std::string(file), failure.error.file + ": " + failure.error.message);
}

bool sameKeys(const tuf::RoleKeys& a, const tuf::RoleKeys& b) {
  auto a_ids = a.keyids;
  auto b_ids = b.keyids;
  std::ranges::sort(a_ids);
  std::ranges::sort(b_ids);
  return a.threshold == b.threshold && a_ids == b_ids;
}

std::string joined(std::string_view base, std::string_view name) {
  std::string url(base);
  if (!url.ends_with('/')) url += '/';
  return url + std::string(name);
}

}  // namespace

std::expected<void, Rejection> Updater::initialize(const fs::path& metadata_dir,
                                                   std::string_view root_bytes) {
  if (auto trusted = tuf::TrustedSet::fromTrustedRoot(root_bytes); !trusted) {
    return std::unexpected(trusted.error());
  }
  std::error_code ec;
  fs::create_directories(metadata_dir, ec);
  auto written =
      protocol::writeFileAtomically(metadata_dir / "root.json", root_bytes, kMetadataMode);
  if (!written) return std::unexpected(Rejection{Problem::kStorage, written.error()});
  return {};
}

Updater::Updater(UpdaterConfig config, Fetcher& fetcher)
    : config_(std::move(config)), fetcher_(fetcher) {}

std::expected<void, Rejection> Updater::refresh(TimePoint now) {
  refreshed_ = true;
  trusted_.reset();
  const TrustedTime clock(config_.metadata_dir / "trusted-time");
  if (auto ok = clock.check(now, config_.clock_tolerance); !ok) return ok;
  if (auto ok = loadRoot(); !ok) return ok;
  if (auto ok = loadTimestamp(now); !ok) return ok;
  if (auto ok = loadSnapshot(now); !ok) return ok;
  if (auto ok = loadTargets("targets", "root", now); !ok) return ok;
  const auto verified_until = trusted_->timestamp()->signed_.header.expires;
  if (auto ok = clock.advance(std::min(now, verified_until)); !ok) {
    return std::unexpected(Rejection{Problem::kStorage, ok.error()});
  }
  return {};
}

std::expected<void, Rejection> Updater::loadRoot() {
  const auto local = readLocal("root");
  if (!local) {
    return std::unexpected(
        reject(Problem::kUsage, "root.json", "no trusted root: initialise the client first"));
  }
  auto trusted = tuf::TrustedSet::fromTrustedRoot(*local);
  if (!trusted) return std::unexpected(trusted.error());
  trusted_.emplace(std::move(*trusted));
  const auto before = trusted_->root().signed_.roles;
  const auto first = trusted_->root().signed_.header.version + 1;
  for (auto version = first; version < first + config_.max_root_rotations; ++version) {
    const auto name = tuf::metadataFileName("root", version);
    auto bytes = fetcher_.fetch(joined(config_.metadata_url, name), config_.root_max_bytes);
    if (!bytes && bytes.error().kind == FetchError::Kind::kNotFound) break;  // the newest root
    if (!bytes) return std::unexpected(fromFetch(bytes.error(), name));
    if (auto ok = trusted_->updateRoot(*bytes); !ok) return ok;
    if (auto ok = persist("root", *bytes); !ok) return ok;
  }
  // 5.3.11: new timestamp or snapshot keys void the stored timestamp and snapshot, so that
  // versions an attacker with the old keys pushed up (fast-forward) no longer hold the client.
  const auto& after = trusted_->root().signed_.roles;
  if (!sameKeys(before.at("timestamp"), after.at("timestamp")) ||
      !sameKeys(before.at("snapshot"), after.at("snapshot"))) {
    for (const auto* role : {"timestamp", "snapshot"}) {
      std::error_code ec;
      fs::remove(config_.metadata_dir / fileOf(role), ec);
      if (ec) {
        return std::unexpected(reject(Problem::kStorage, fileOf(role),
                                      "cannot remove after a key rotation: " + ec.message()));
      }
    }
  }
  return {};
}

std::expected<void, Rejection> Updater::loadTimestamp(TimePoint now) {
  // The stored timestamp, re-verified against the (possibly rotated) root: if its key changed it
  // is simply not trusted, which is how the client recovers from a fast-forward attack.
  if (const auto local = readLocal("timestamp")) (void)trusted_->updateTimestamp(*local, now);
  auto bytes = fetchMetadata("timestamp", std::nullopt, config_.timestamp_max_bytes);
  if (!bytes) return std::unexpected(bytes.error());
  auto outcome = trusted_->updateTimestamp(*bytes, now);
  if (!outcome) return std::unexpected(outcome.error());
  if (*outcome == tuf::TrustedSet::Outcome::kUnchanged) return {};
  return persist("timestamp", *bytes);
}

std::expected<void, Rejection> Updater::loadSnapshot(TimePoint now) {
  if (const auto local = readLocal("snapshot")) {
    if (trusted_->updateSnapshot(*local, now, /*from_cache=*/true)) return {};
  }
  const auto& meta = trusted_->timestamp()->signed_.snapshot;
  // The signed length, but never past the cap: a stolen online key buys no unbounded download.
  const auto limit =
      std::min(meta.length ? static_cast<std::uint64_t>(*meta.length) : config_.snapshot_max_bytes,
               config_.snapshot_max_bytes);
  const auto version =
      trusted_->root().signed_.consistent_snapshot ? std::optional(meta.version) : std::nullopt;
  auto bytes = fetchMetadata("snapshot", version, limit);
  if (!bytes) return std::unexpected(bytes.error());
  if (auto ok = trusted_->updateSnapshot(*bytes, now); !ok) return ok;
  return persist("snapshot", *bytes);
}

std::expected<void, Rejection> Updater::loadTargets(const std::string& role,
                                                    const std::string& delegator, TimePoint now) {
  if (trusted_->targets(role) != nullptr) return {};
  if (const auto local = readLocal(role)) {
    if (trusted_->updateTargets(*local, role, delegator, now)) return {};
  }
  const auto& snapshot_meta = trusted_->snapshot()->signed_.meta;
  // The snapshot names roles as they are (`<role>.json`); only URLs and local files encode them.
  const auto meta = snapshot_meta.find(role + ".json");
  if (meta == snapshot_meta.end()) {
    return std::unexpected(
        reject(Problem::kMismatch, role + ".json", "the snapshot does not list it"));
  }
  const auto limit = std::min(meta->second.length ? static_cast<std::uint64_t>(*meta->second.length)
                                                  : config_.targets_max_bytes,
                              config_.targets_max_bytes);
  const auto version = trusted_->root().signed_.consistent_snapshot
                           ? std::optional(meta->second.version)
                           : std::nullopt;
  auto bytes = fetchMetadata(role, version, limit);
  if (!bytes) return std::unexpected(bytes.error());
  if (auto ok = trusted_->updateTargets(*bytes, role, delegator, now); !ok) return ok;
  return persist(role, *bytes);
}

std::expected<std::string, Rejection> Updater::fetchMetadata(std::string_view role,
                                                             std::optional<std::int64_t> version,
                                                             std::uint64_t max_bytes) {
  const auto name = tuf::metadataFileName(role, version.value_or(0));
  auto bytes = fetcher_.fetch(joined(config_.metadata_url, name), max_bytes);
  if (!bytes) return std::unexpected(fromFetch(bytes.error(), name));
  return std::move(*bytes);
}

std::optional<std::string> Updater::readLocal(std::string_view role) const {
  auto bytes = protocol::readSmallFile(
      config_.metadata_dir / fileOf(role),
      role == "root" ? config_.root_max_bytes
                     : std::max(config_.snapshot_max_bytes, config_.targets_max_bytes));
  if (!bytes) return std::nullopt;
  return std::move(*bytes);
}

std::expected<void, Rejection> Updater::persist(std::string_view role,
                                                std::string_view bytes) const {
  auto written =
      protocol::writeFileAtomically(config_.metadata_dir / fileOf(role), bytes, kMetadataMode);
  if (!written) return std::unexpected(Rejection{Problem::kStorage, written.error()});
  return {};
}

}  // namespace mamori::updater
