#pragma once

// The four TUF roles' metadata (specification v1.0), parsed from and written to JSON. Parsing is
// strict about what the specification fixes (types, versions, thresholds, the expiry format) and
// lets unknown fields through, as the specification asks; the signatures are over the canonical
// form of `signed` as it arrived, unknown fields included, and that form travels with the parse.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <expected>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mamori/error.hpp"
#include "mamori/policy/time.hpp"
#include "mamori/tuf/keys.hpp"

namespace mamori::tuf {

using policy::TimePoint;

/// The specification version mamori writes; any 1.x is read.
inline constexpr std::string_view kSpecVersion = "1.0.31";

struct RoleKeys {
  std::vector<std::string> keyids;
  std::int64_t threshold = 1;
};

/// What every role's `signed` has.
struct Header {
  std::int64_t version = 1;
  TimePoint expires;
  std::string spec_version{kSpecVersion};
};

struct Root {
  Header header;
  bool consistent_snapshot = true;
  std::map<std::string, PublicKey> keys;  ///< by key id
  std::map<std::string, RoleKeys> roles;  ///< exactly root, timestamp, snapshot, targets
};

/// A metadata file as timestamp and snapshot describe it.
struct MetaFile {
  std::int64_t version = 1;
  std::optional<std::int64_t> length;
  std::map<std::string, std::string> hashes;  ///< algorithm -> hex; may be empty
};

struct Timestamp {
  Header header;
  MetaFile snapshot;  ///< meta["snapshot.json"]
};

struct Snapshot {
  Header header;
  std::map<std::string, MetaFile> meta;  ///< "targets.json", "<delegated role>.json"
};

struct TargetFile {
  std::int64_t length = 0;
  std::map<std::string, std::string> hashes;  ///< never empty
  boost::json::value custom;                  ///< null when absent
};

/// The policy version a mamori policy bundle announces in its signed metadata
/// (`custom.mamori.policy_version`); nothing for another target.
std::optional<std::int64_t> announcedPolicyVersion(const TargetFile& file);

/// What a mamori agent package announces in its signed metadata (`custom.mamori` with
/// `kind: agent-package`): the package, its version and the platform it is built for.
struct AnnouncedPackage {
  std::string name;      ///< `mamori-agent`
  std::string version;   ///< the package manager's (`0.2.0-1`)
  std::string platform;  ///< `debian-amd64`
};
std::optional<AnnouncedPackage> announcedPackage(const TargetFile& file);
/// The custom metadata `announcedPackage` reads.
boost::json::value packageCustom(const AnnouncedPackage& package);

struct DelegatedRole {
  std::string name;
  RoleKeys keys;
  bool terminating = false;
  /// Exactly one of the two is set.
  std::optional<std::vector<std::string>> paths;
  std::optional<std::vector<std::string>> path_hash_prefixes;

  /// Whether this role is trusted for `target_path`: a path pattern matches it segment by
  /// segment (`*` never crosses a `/`), or its SHA-256 starts with a hash prefix.
  [[nodiscard]] bool isTrustedFor(std::string_view target_path) const;
};

struct Delegations {
  std::map<std::string, PublicKey> keys;
  std::vector<DelegatedRole> roles;  ///< in priority order
};

struct Targets {
  Header header;
  std::map<std::string, TargetFile> targets;
  std::optional<Delegations> delegations;
};

struct Signature {
  std::string keyid;
  std::string sig;  ///< hex
};

/// One role's metadata file: what is signed, the signatures, and the canonical bytes they sign.
template <class Signed>
struct Metadata {
  Signed signed_;
  std::vector<Signature> signatures;
  std::string canonical_signed;
};

/// Parsers. Errors (kParse for JSON, kValidation with the JSON path otherwise) name the role.
std::expected<Metadata<Root>, Error> parseRoot(std::string_view bytes);
std::expected<Metadata<Timestamp>, Error> parseTimestamp(std::string_view bytes);
std::expected<Metadata<Snapshot>, Error> parseSnapshot(std::string_view bytes);
/// `role` names a delegated targets role in errors ("targets" for the top-level one).
std::expected<Metadata<Targets>, Error> parseTargets(std::string_view bytes,
                                                     std::string_view role = "targets");

/// A key alone, as `{"keytype", "scheme", "keyval": {"public"}}` (a `.pub` key file).
std::expected<PublicKey, Error> parsePublicKey(std::string_view bytes);

/// The `signed` object of each role, as the repository side writes it.
boost::json::object toJson(const Root& root);
boost::json::object toJson(const Timestamp& timestamp);
boost::json::object toJson(const Snapshot& snapshot);
boost::json::object toJson(const Targets& targets);

/// `2030-01-01T00:00:00Z`, the only expiry form the specification allows.
std::string formatExpiry(TimePoint t);

}  // namespace mamori::tuf
