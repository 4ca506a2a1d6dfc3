#include <algorithm>

#include "mamori/repository/repository.hpp"
#include "mamori/tuf/names.hpp"
#include "mamori/tuf/signing.hpp"
#include "mamori/tuf/trusted_set.hpp"

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

// Whether `bytes` of a role still carry the signatures `role` needs from `keys`: after a key
// rotation in root they no longer do, and must be signed again at once, not when they expire.
template <class Parse>
bool validlySigned(const std::string& bytes, Parse parse,
                   const std::map<std::string, tuf::PublicKey>& keys, const tuf::RoleKeys& role) {
  const auto parsed = parse(bytes);
  return parsed &&
         tuf::verifyThreshold(parsed->signatures, parsed->canonical_signed, keys, role, "")
             .has_value();
}

}  // namespace

std::expected<void, Error> Repository::checkTargetsSigned() const {
  for (const auto& [role, bytes] : signed_bytes_) {
    if (role == "root" || role == "snapshot" || role == "timestamp") continue;
    const auto* keys = &root_.keys;
    const tuf::RoleKeys* role_keys = nullptr;
    if (role == "targets") {
      role_keys = &root_.roles.at("targets");
    } else if (const auto top = targets_.find("targets");
               top != targets_.end() && top->second.delegations) {
      keys = &top->second.delegations->keys;
      const auto& roles = top->second.delegations->roles;
      const auto found = std::ranges::find(roles, role, &tuf::DelegatedRole::name);
      if (found != roles.end()) role_keys = &found->keys;
    }
    const auto parse = [&](std::string_view b) { return tuf::parseTargets(b, role); };
    if (role_keys == nullptr || !validlySigned(bytes, parse, *keys, *role_keys)) {
      return std::unexpected(makeError(
          ErrorCode::kValidation,
          "the " + role + " metadata is not signed by the keys " +
              (role == "targets" ? "root" : "targets") + " names for it; nothing is published",
          (dir_ / "metadata" / tuf::metadataFileName(role, targets_.at(role).header.version))
              .string()));
    }
  }
  return {};
}

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
  // Only what the offline keys really signed is published: a stray or damaged file would make
  // every client refuse the whole repository.
  if (auto ok = checkTargetsSigned(); !ok) return std::unexpected(ok.error());
  Published published;
  bool targets_changed = !snapshot_;
  for (const auto& [role, targets] : targets_) {
    if (targets_changed) break;
    const auto named = snapshot_->meta.find(role + ".json");
    targets_changed =
        named == snapshot_->meta.end() || named->second.version != targets.header.version;
  }
  const auto snapshot_signed = [&] {
    return validlySigned(signed_bytes_.at("snapshot"), tuf::parseSnapshot, root_.keys,
                         root_.roles.at("snapshot"));
  };
  if (targets_changed || nearingExpiry(snapshot_->header, lifetimes_.snapshot, now) ||
      !snapshot_signed()) {
    tuf::Snapshot next;
    next.header = {snapshot_ ? snapshot_->header.version + 1 : 1,
                   now + std::chrono::floor<std::chrono::seconds>(lifetimes_.snapshot)};
    for (const auto& [role, targets] : targets_) {
      next.meta[role + ".json"] = describe(targets.header.version, signed_bytes_.at(role));
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
      nearingExpiry(timestamp_->header, lifetimes_.timestamp, now) ||
      !validlySigned(signed_bytes_.at("timestamp"), tuf::parseTimestamp, root_.keys,
                     root_.roles.at("timestamp"))) {
    tuf::Timestamp next;
    next.header = {timestamp_ ? timestamp_->header.version + 1 : 1,
                   now + std::chrono::floor<std::chrono::seconds>(lifetimes_.timestamp)};
    next.snapshot = describe(snapshot_->header.version, signed_bytes_.at("snapshot"));
    auto bytes = tuf::signMetadata(tuf::toJson(next), timestamp_keys);
    if (!bytes) return std::unexpected(bytes.error());
    if (auto ok = write("timestamp.json", *bytes); !ok) return std::unexpected(ok.error());
    timestamp_ = std::move(next);
    signed_bytes_.insert_or_assign("timestamp", std::move(*bytes));
    published.timestamp = true;
  }
  return published;
}

}  // namespace mamori::repository
