#pragma once

// The client's trusted metadata and the rules for changing it: the TUF client workflow's checks
// (specification v1.0, section 5), with the fetching left to the caller. Pure: bytes and the
// time in, a new trusted state or the reason for refusing out; nothing here reads a clock, a
// file or the network, so every attack is a unit test on bytes.
//
// Order is part of the protocol: root updates first, then timestamp, snapshot, and targets
// (top-level before delegated). An update out of order is refused (kUsage).

#include <expected>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "mamori/tuf/metadata.hpp"
#include "mamori/tuf/rejection.hpp"

namespace mamori::tuf {

/// Whether `signatures` over `canonical_signed` include valid ones from at least
/// `role.threshold` distinct keys of `role` (looked up in `keys`). A key id listed or used twice,
/// or two ids for the same key, count once. kBadSignature says how many were found.
std::expected<void, Rejection> verifyThreshold(const std::vector<Signature>& signatures,
                                               std::string_view canonical_signed,
                                               const std::map<std::string, PublicKey>& keys,
                                               const RoleKeys& role, std::string_view file);

class TrustedSet {
 public:
  /// From the root the client already trusts (shipped with the installer, or the last one it
  /// verified). Its own keys must sign it; its expiry is checked later (`updateTimestamp`), since
  /// an expired root is the normal starting point of a root update.
  static std::expected<TrustedSet, Rejection> fromTrustedRoot(std::string_view bytes);

  /// Root N+1, signed by the threshold of root N and of itself (5.3.4, 5.3.5).
  std::expected<void, Rejection> updateRoot(std::string_view bytes);

  enum class Outcome { kUpdated, kUnchanged };

  /// A new timestamp (5.4). kUnchanged when it is the version already trusted. An expired
  /// timestamp is kept as trusted, so it still guards against rollback, and then refused.
  std::expected<Outcome, Rejection> updateTimestamp(std::string_view bytes, TimePoint now);

  /// A new snapshot (5.5). `from_cache` is for the client's own stored copy, which is not
  /// checked against the timestamp's hashes (it predates them) but must still be the version the
  /// timestamp names to be final.
  std::expected<void, Rejection> updateSnapshot(std::string_view bytes, TimePoint now,
                                                bool from_cache = false);

  /// Targets metadata of `role` (5.6), delegated by `delegator` ("root" for "targets").
  std::expected<void, Rejection> updateTargets(std::string_view bytes, std::string_view role,
                                               std::string_view delegator, TimePoint now);

  [[nodiscard]] const Metadata<Root>& root() const { return root_; }
  [[nodiscard]] const Metadata<Timestamp>* timestamp() const;
  [[nodiscard]] const Metadata<Snapshot>* snapshot() const;
  /// A targets role already trusted in this session, or null.
  [[nodiscard]] const Metadata<Targets>* targets(std::string_view role) const;

 private:
  explicit TrustedSet(Metadata<Root> root) : root_(std::move(root)) {}

  std::expected<void, Rejection> checkTimestampFinal(TimePoint now) const;
  std::expected<void, Rejection> checkSnapshotFinal(TimePoint now) const;

  Metadata<Root> root_;
  std::optional<Metadata<Timestamp>> timestamp_;
  std::optional<Metadata<Snapshot>> snapshot_;
  std::map<std::string, Metadata<Targets>, std::less<>> targets_;
};

/// Whether `bytes` has the length and every hash `meta` gives. kBadHash otherwise.
std::expected<void, Rejection> checkLengthAndHashes(
    std::string_view bytes, std::optional<std::int64_t> length,
    const std::map<std::string, std::string>& hashes, std::string_view file);

}  // namespace mamori::tuf
