#pragma once

// A TUF repository in memory for the client's tests: real metadata, really signed, whose every
// field a test can bend (versions, expiry, keys, signatures, bytes) to stage an attack. It plays
// the repository; the client under test is the real one.

#include <map>
#include <string>
#include <vector>

#include "mamori/tuf/keys.hpp"
#include "mamori/tuf/metadata.hpp"

namespace mamori::testing {

class TufRepository {
 public:
  /// A repository whose metadata expires a year after `now`: one Ed25519 key per top-level role,
  /// consistent snapshots, root version 1 published.
  explicit TufRepository(tuf::TimePoint now);

  tuf::Root root;
  tuf::Timestamp timestamp;
  tuf::Snapshot snapshot;
  std::map<std::string, tuf::Targets> targets;  ///< "targets" and delegated roles
  /// Who signs each role: "root", "timestamp", "snapshot", "targets", delegated names.
  std::map<std::string, std::vector<tuf::SigningKey>> signers;
  /// What the repository serves, by name below the metadata or targets URL
  /// ("1.root.json", "timestamp.json", "2.snapshot.json", "<sha256>.policy/mynumber.json").
  std::map<std::string, std::string> metadata_files;
  std::map<std::string, std::string> target_files;

  /// A new key that signs `role` from now on, listed in root's (or the delegation's) keys.
  const tuf::SigningKey& addKey(const std::string& role);
  /// Replaces `role`'s keys in root (or its delegation) with one new key.
  void rotateKey(const std::string& role);

  /// Signs and serves root as it is now, under `<version>.root.json`.
  void publishRoot();
  /// Adds `content` as target `path` of `role` (the role must exist).
  void addTarget(const std::string& path, const std::string& content,
                 const std::string& role = "targets", boost::json::value custom = nullptr);
  /// Delegates `paths` from "targets" to a new role `name` with its own key.
  void delegate(const std::string& name, std::vector<std::string> paths, bool terminating = false);

  /// Bumps the versions of `changed` targets roles, then snapshot and timestamp, and serves the
  /// new files. The usual "release" a repository makes.
  void publish(const std::vector<std::string>& changed = {"targets"});
  /// Serves the current timestamp (version bumped unless `bump` is false), re-signed.
  void publishTimestamp(bool bump = true);
  /// Metadata of `role` signed by its signers; `signWith` signs any `signed` with any keys.
  [[nodiscard]] std::string sign(const std::string& role) const;
  [[nodiscard]] std::string signWith(const boost::json::object& signed_object,
                                     const std::vector<const tuf::SigningKey*>& keys) const;

  /// The bytes of root `version` as served.
  [[nodiscard]] const std::string& rootBytes(std::int64_t version) const;

 private:
  void serveSnapshot();
  std::string metaName(const std::string& role, std::int64_t version) const;

  tuf::TimePoint now_;
};

}  // namespace mamori::testing
