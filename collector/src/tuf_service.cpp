#include "tuf_service.hpp"

#include "mamori/protocol/atomic_file.hpp"
#include "mamori/repository/key_files.hpp"

namespace mamori::collector {
namespace {

// The largest file the collector serves: metadata stays far below; an agent package is the
// biggest target (a Debian package of the agent is about 2 MB, an MSI about 6).
constexpr std::uintmax_t kMaxServedBytes = 64 << 20;

}  // namespace

std::expected<TufService, Error> TufService::open(const TufConfig& config) {
  auto snapshot = repository::readSigningKey(config.snapshot_key);
  if (!snapshot) return std::unexpected(snapshot.error());
  auto timestamp = repository::readSigningKey(config.timestamp_key);
  if (!timestamp) return std::unexpected(timestamp.error());
  const auto repo = repository::Repository::open(config.repository);
  if (!repo) return std::unexpected(repo.error());
  const tuf::SigningKey* snapshot_signer[] = {&*snapshot};
  const tuf::SigningKey* timestamp_signer[] = {&*timestamp};
  const auto& root = repo->root();
  if (auto ok = repository::checkSigners(root.keys, root.roles.at("snapshot"), snapshot_signer,
                                         "snapshot");
      !ok) {
    ok.error().file = config.snapshot_key.string();
    return std::unexpected(ok.error());
  }
  if (auto ok = repository::checkSigners(root.keys, root.roles.at("timestamp"), timestamp_signer,
                                         "timestamp");
      !ok) {
    ok.error().file = config.timestamp_key.string();
    return std::unexpected(ok.error());
  }
  return TufService(config, std::move(*snapshot), std::move(*timestamp));
}

std::expected<repository::Repository::Published, Error> TufService::publish(
    tuf::TimePoint now) const {
  const std::scoped_lock lock(*mutex_);
  // An admin's mamori-policy may be writing: wait for it briefly, else publish next round.
  auto repo = repository::Repository::openForWriting(config_.repository, std::chrono::seconds(5));
  if (!repo) return std::unexpected(repo.error());
  const tuf::SigningKey* snapshot_signer[] = {&snapshot_};
  const tuf::SigningKey* timestamp_signer[] = {&timestamp_};
  return repo->publish(snapshot_signer, timestamp_signer, now);
}

std::expected<std::string, Error> TufService::read(std::string_view area,
                                                   std::string_view path) const {
  if ((area != "metadata" && area != "targets") || !repository::isPlainRelativePath(path)) {
    return std::unexpected(makeError(ErrorCode::kUsage, "not a repository path"));
  }
  return protocol::readSmallFile(config_.repository / std::string(area) / std::string(path),
                                 kMaxServedBytes);
}

}  // namespace mamori::collector
