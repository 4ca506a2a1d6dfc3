#include "mamori/repository/repository.hpp"
#include "mamori/tuf/names.hpp"
#include "mamori/tuf/signing.hpp"

namespace mamori::repository {
namespace {

tuf::MetaFile describe(std::int64_t version, std::string_view bytes) {
  return {version,
          static_cast<std::int64_t>(bytes.size()),
          {{"sha256", tuf::hexDigest("sha256", bytes)}}};
}

// Re-signed once less than half of the lifetime is left: a collector that misses a few rounds
// (a restart, a failover) still keeps its clients' metadata valid.
bool nearingExpiry(const tuf::Header& header, std::chrono::seconds lifetime, TimePoint now) {
  return header.expires - now < lifetime / 2;
}

}  // namespace

std::expected<Repository::Published, Error> Repository::publish(Keys snapshot_keys,
                                                                Keys timestamp_keys,
                                                                TimePoint now) {
  if (auto ok = checkSigners(root_.keys, root_.roles.at("snapshot"), snapshot_keys, "snapshot");
      !ok) {
    return std::unexpected(ok.error());
  }
  if (auto ok = checkSigners(root_.keys, root_.roles.at("timestamp"), timestamp_keys, "timestamp");
      !ok) {
    return std::unexpected(ok.error());
  }
  Published published;
  bool targets_changed = !snapshot_;
  for (const auto& [role, targets] : targets_) {
    if (targets_changed) break;
    const auto named = snapshot_->meta.find(tuf::metadataFileName(role));
    targets_changed =
        named == snapshot_->meta.end() || named->second.version != targets.header.version;
  }
  if (targets_changed || nearingExpiry(snapshot_->header, lifetimes_.snapshot, now)) {
    tuf::Snapshot next;
    next.header = {snapshot_ ? snapshot_->header.version + 1 : 1,
                   now + std::chrono::floor<std::chrono::seconds>(lifetimes_.snapshot)};
    for (const auto& [role, targets] : targets_) {
      next.meta[tuf::metadataFileName(role)] =
          describe(targets.header.version, signed_bytes_.at(role));
    }
    auto bytes = tuf::signMetadata(tuf::toJson(next), snapshot_keys);
    if (!bytes) return std::unexpected(bytes.error());
    if (auto ok = write(tuf::metadataFileName("snapshot", next.header.version), *bytes); !ok) {
      return std::unexpected(ok.error());
    }
    snapshot_ = std::move(next);
    signed_bytes_.insert_or_assign("snapshot", std::move(*bytes));
    published.snapshot = true;
  }
  if (published.snapshot || !timestamp_ ||
      nearingExpiry(timestamp_->header, lifetimes_.timestamp, now)) {
    tuf::Timestamp next;
    next.header = {timestamp_ ? timestamp_->header.version + 1 : 1,
                   now + std::chrono::floor<std::chrono::seconds>(lifetimes_.timestamp)};
    next.snapshot = describe(snapshot_->header.version, signed_bytes_.at("snapshot"));
    auto bytes = tuf::signMetadata(tuf::toJson(next), timestamp_keys);
    if (!bytes) return std::unexpected(bytes.error());
    if (auto ok = write("timestamp.json", *bytes); !ok) return std::unexpected(ok.error());
    timestamp_ = std::move(next);
    published.timestamp = true;
  }
  return published;
}

}  // namespace mamori::repository
