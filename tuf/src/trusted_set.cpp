#include "mamori/tuf/trusted_set.hpp"

#include <algorithm>
#include <vector>

namespace mamori::tuf {
namespace {

constexpr std::string_view kRootFile = "root.json";
constexpr std::string_view kTimestampFile = "timestamp.json";
constexpr std::string_view kSnapshotFile = "snapshot.json";

template <class Signed>
std::expected<Metadata<Signed>, Rejection> parsedOr(std::expected<Metadata<Signed>, Error> parsed) {
  if (!parsed) return std::unexpected(Rejection{Problem::kMalformed, std::move(parsed.error())});
  return std::move(*parsed);
}

std::string fileOf(std::string_view role) { return std::string(role) + ".json"; }

std::string v(std::int64_t version) { return "version " + std::to_string(version); }

std::expected<void, Rejection> checkNotExpired(const Header& header, TimePoint now,
                                               std::string_view file) {
  if (header.expires > now) return {};
  return std::unexpected(
      reject(Problem::kExpired, std::string(file),
             "expired at " + formatExpiry(header.expires) + " (now " + formatExpiry(now) + ")"));
}

}  // namespace

std::expected<void, Rejection> verifyThreshold(const std::vector<Signature>& signatures,
                                               std::string_view canonical_signed,
                                               const std::map<std::string, PublicKey>& keys,
                                               const RoleKeys& role, std::string_view file) {
  // Counted by the key itself, not by its id or its spelling: one key can sign only once.
  std::vector<std::string> signers;
  for (const auto& keyid : role.keyids) {
    const auto key = keys.find(keyid);
    if (key == keys.end()) continue;
    auto material = keyMaterial(key->second);
    if (material.empty() || std::ranges::find(signers, material) != signers.end()) continue;
    const bool signed_by_key = std::ranges::any_of(signatures, [&](const Signature& s) {
      return s.keyid == keyid && verifySignature(key->second, s.sig, canonical_signed);
    });
    if (signed_by_key) signers.push_back(std::move(material));
  }
  if (std::cmp_greater_equal(signers.size(), role.threshold)) return {};
  return std::unexpected(reject(Problem::kBadSignature, std::string(file),
                                std::to_string(signers.size()) +
                                    " valid signature(s) of distinct " + "keys, threshold " +
                                    std::to_string(role.threshold)));
}

std::expected<void, Rejection> checkLengthAndHashes(
    std::string_view bytes, std::optional<std::int64_t> length,
    const std::map<std::string, std::string>& hashes, std::string_view file) {
  if (length && std::cmp_not_equal(bytes.size(), *length)) {
    return std::unexpected(
        reject(Problem::kBadHash, std::string(file),
               std::to_string(bytes.size()) + " bytes, metadata says " + std::to_string(*length)));
  }
  for (const auto& [algorithm, expected] : hashes) {
    const auto actual = hexDigest(algorithm, bytes);
    if (actual.empty()) {
      return std::unexpected(reject(Problem::kBadHash, std::string(file),
                                    "unsupported hash algorithm \"" + algorithm + "\""));
    }
    if (actual != expected) {
      return std::unexpected(
          reject(Problem::kBadHash, std::string(file), algorithm + " does not match the metadata"));
    }
  }
  return {};
}

std::expected<TrustedSet, Rejection> TrustedSet::fromTrustedRoot(std::string_view bytes) {
  auto root = parsedOr(parseRoot(bytes));
  if (!root) return std::unexpected(std::move(root.error()));
  const auto& role = root->signed_.roles.at("root");
  if (auto ok = verifyThreshold(root->signatures, root->canonical_signed, root->signed_.keys, role,
                                kRootFile);
      !ok) {
    return std::unexpected(std::move(ok.error()));
  }
  return TrustedSet(std::move(*root));
}

std::expected<void, Rejection> TrustedSet::updateRoot(std::string_view bytes) {
  if (timestamp_) {
    return std::unexpected(reject(Problem::kUsage, std::string(kRootFile),
                                  "root cannot change once the timestamp is loaded"));
  }
  auto next = parsedOr(parseRoot(bytes));
  if (!next) return std::unexpected(std::move(next.error()));
  const auto file = std::to_string(next->signed_.header.version) + "." + std::string(kRootFile);
  const auto& trusted = root_.signed_;
  if (auto ok = verifyThreshold(next->signatures, next->canonical_signed, trusted.keys,
                                trusted.roles.at("root"), file);
      !ok) {
    ok.error().error.message += " (of the trusted root, " + v(trusted.header.version) + ")";
    return std::unexpected(std::move(ok.error()));
  }
  if (next->signed_.header.version != trusted.header.version + 1) {
    return std::unexpected(reject(next->signed_.header.version <= trusted.header.version
                                      ? Problem::kRollback
                                      : Problem::kMismatch,
                                  file,
                                  v(next->signed_.header.version) +
                                      " does not follow the trusted " + v(trusted.header.version)));
  }
  if (auto ok = verifyThreshold(next->signatures, next->canonical_signed, next->signed_.keys,
                                next->signed_.roles.at("root"), file);
      !ok) {
    ok.error().error.message += " (of the new root itself)";
    return std::unexpected(std::move(ok.error()));
  }
  root_ = std::move(*next);
  return {};
}

std::expected<TrustedSet::Outcome, Rejection> TrustedSet::updateTimestamp(std::string_view bytes,
                                                                          TimePoint now) {
  if (snapshot_) {
    return std::unexpected(reject(Problem::kUsage, std::string(kTimestampFile),
                                  "the timestamp cannot change once the snapshot is loaded"));
  }
  if (auto fresh = checkNotExpired(root_.signed_.header, now, kRootFile); !fresh) {
    fresh.error().error.message.insert(0, "the final root ");
    return std::unexpected(std::move(fresh.error()));
  }
  auto next = parsedOr(parseTimestamp(bytes));
  if (!next) return std::unexpected(std::move(next.error()));
  if (auto ok = verifyThreshold(next->signatures, next->canonical_signed, root_.signed_.keys,
                                root_.signed_.roles.at("timestamp"), kTimestampFile);
      !ok) {
    return std::unexpected(std::move(ok.error()));
  }
  if (timestamp_) {
    const auto& old = timestamp_->signed_;
    const auto& fresh = next->signed_;
    if (fresh.header.version < old.header.version) {
      return std::unexpected(
          reject(Problem::kRollback, std::string(kTimestampFile),
                 v(fresh.header.version) + " is older than the trusted " + v(old.header.version)));
    }
    if (fresh.header.version == old.header.version) {
      // Nothing new, but no snapshot is worth fetching under an expired timestamp either.
      if (auto final = checkTimestampFinal(now); !final) return std::unexpected(final.error());
      return Outcome::kUnchanged;
    }
    if (fresh.snapshot.version < old.snapshot.version) {
      return std::unexpected(reject(Problem::kRollback, std::string(kTimestampFile),
                                    "it names snapshot " + v(fresh.snapshot.version) +
                                        ", older than the trusted " + v(old.snapshot.version)));
    }
  }
  timestamp_ = std::move(*next);
  if (auto final = checkTimestampFinal(now); !final) return std::unexpected(final.error());
  return Outcome::kUpdated;
}

std::expected<void, Rejection> TrustedSet::checkTimestampFinal(TimePoint now) const {
  return checkNotExpired(timestamp_->signed_.header, now, kTimestampFile);
}

std::expected<void, Rejection> TrustedSet::updateSnapshot(std::string_view bytes, TimePoint now,
                                                          bool from_cache) {
  if (!timestamp_ || !targets_.empty()) {
    return std::unexpected(reject(Problem::kUsage, std::string(kSnapshotFile),
                                  "the snapshot is loaded after the timestamp, before targets"));
  }
  if (auto fresh = checkTimestampFinal(now); !fresh) return std::unexpected(fresh.error());
  const auto& meta = timestamp_->signed_.snapshot;
  if (!from_cache) {
    if (auto ok = checkLengthAndHashes(bytes, meta.length, meta.hashes, kSnapshotFile); !ok) {
      return std::unexpected(ok.error());
    }
  }
  auto next = parsedOr(parseSnapshot(bytes));
  if (!next) return std::unexpected(std::move(next.error()));
  if (auto ok = verifyThreshold(next->signatures, next->canonical_signed, root_.signed_.keys,
                                root_.signed_.roles.at("snapshot"), kSnapshotFile);
      !ok) {
    return std::unexpected(std::move(ok.error()));
  }
  if (snapshot_) {
    for (const auto& [name, old] : snapshot_->signed_.meta) {
      const auto fresh = next->signed_.meta.find(name);
      if (fresh == next->signed_.meta.end()) {
        return std::unexpected(
            reject(Problem::kRollback, std::string(kSnapshotFile), "it no longer lists " + name));
      }
      if (fresh->second.version < old.version) {
        return std::unexpected(reject(Problem::kRollback, std::string(kSnapshotFile),
                                      "it names " + name + " " + v(fresh->second.version) +
                                          ", older than the trusted " + v(old.version)));
      }
    }
  }
  snapshot_ = std::move(*next);
  return checkSnapshotFinal(now);
}

std::expected<void, Rejection> TrustedSet::checkSnapshotFinal(TimePoint now) const {
  if (auto fresh = checkNotExpired(snapshot_->signed_.header, now, kSnapshotFile); !fresh) {
    return fresh;
  }
  const auto named = timestamp_->signed_.snapshot.version;
  if (snapshot_->signed_.header.version != named) {
    return std::unexpected(
        reject(Problem::kMismatch, std::string(kSnapshotFile),
               v(snapshot_->signed_.header.version) + ", but the timestamp names " + v(named)));
  }
  return {};
}

std::expected<void, Rejection> TrustedSet::updateTargets(std::string_view bytes,
                                                         std::string_view role,
                                                         std::string_view delegator,
                                                         TimePoint now) {
  const auto file = fileOf(role);
  if (!snapshot_) {
    return std::unexpected(reject(Problem::kUsage, file, "targets are loaded after the snapshot"));
  }
  if (auto final = checkSnapshotFinal(now); !final) return std::unexpected(final.error());

  const std::map<std::string, PublicKey>* keys = nullptr;
  const RoleKeys* role_keys = nullptr;
  if (delegator == "root") {
    keys = &root_.signed_.keys;
    role_keys = &root_.signed_.roles.at("targets");
  } else if (const auto* parent = targets(delegator); parent && parent->signed_.delegations) {
    keys = &parent->signed_.delegations->keys;
    const auto& roles = parent->signed_.delegations->roles;
    const auto found = std::ranges::find(roles, role, &DelegatedRole::name);
    if (found != roles.end()) role_keys = &found->keys;
  }
  if (role_keys == nullptr) {
    return std::unexpected(
        reject(Problem::kUsage, file,
               std::string(delegator) + " does not delegate to " + std::string(role)));
  }
  const auto meta = snapshot_->signed_.meta.find(file);
  if (meta == snapshot_->signed_.meta.end()) {
    return std::unexpected(reject(Problem::kMismatch, file, "the snapshot does not list it"));
  }
  if (auto ok = checkLengthAndHashes(bytes, meta->second.length, meta->second.hashes, file); !ok) {
    return std::unexpected(ok.error());
  }
  auto next = parsedOr(parseTargets(bytes, role));
  if (!next) return std::unexpected(std::move(next.error()));
  if (auto ok = verifyThreshold(next->signatures, next->canonical_signed, *keys, *role_keys, file);
      !ok) {
    return std::unexpected(std::move(ok.error()));
  }
  if (next->signed_.header.version != meta->second.version) {
    return std::unexpected(reject(
        Problem::kMismatch, file,
        v(next->signed_.header.version) + ", but the snapshot names " + v(meta->second.version)));
  }
  if (auto fresh = checkNotExpired(next->signed_.header, now, file); !fresh) return fresh;
  targets_.insert_or_assign(std::string(role), std::move(*next));
  return {};
}

const Metadata<Timestamp>* TrustedSet::timestamp() const {
  return timestamp_ ? &*timestamp_ : nullptr;
}

const Metadata<Snapshot>* TrustedSet::snapshot() const { return snapshot_ ? &*snapshot_ : nullptr; }

const Metadata<Targets>* TrustedSet::targets(std::string_view role) const {
  const auto found = targets_.find(role);
  return found == targets_.end() ? nullptr : &found->second;
}

}  // namespace mamori::tuf
