#pragma once

// A TUF repository on disk, as mamori's admins and collectors keep it:
//   <dir>/metadata/<N>.root.json, root.json (the newest root, for installers)
//   <dir>/metadata/<N>.targets.json, <N>.<delegated role>.json, <N>.snapshot.json
//   <dir>/metadata/timestamp.json
//   <dir>/targets/<path dir>/<sha256>.<file name>
// Consistent snapshots throughout: a file, once written, never changes, so a client reading while
// a new version is published sees either the old set or the new one.
//
// Who signs what: root and targets keys stay offline with the admins (`mamori-policy`); the
// snapshot and timestamp keys are online on the collector, which re-signs both before they
// expire and publishes a new snapshot when an admin has signed new targets.

#include <chrono>
#include <expected>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mamori/error.hpp"
#include "mamori/repository/write_lock.hpp"
#include "mamori/tuf/keys.hpp"
#include "mamori/tuf/metadata.hpp"

namespace mamori::repository {

using tuf::TimePoint;

/// How long each role's metadata stays valid when signed (python-tuf's customary defaults).
struct Lifetimes {
  std::chrono::seconds root = std::chrono::days(365);
  std::chrono::seconds targets = std::chrono::days(90);
  std::chrono::seconds snapshot = std::chrono::days(7);
  std::chrono::seconds timestamp = std::chrono::days(1);
};

/// The public keys of a new repository's top-level roles, one or more each.
struct TopLevelKeys {
  std::map<std::string, std::vector<tuf::PublicKey>>
      by_role;                                     ///< root, targets, snapshot, timestamp
  std::map<std::string, std::int64_t> thresholds;  ///< default 1
};

using Keys = std::span<const tuf::SigningKey* const>;

class Repository {
 public:
  /// Creates `dir` with root version 1 (signed by `root_keys`, which must meet its threshold)
  /// and empty targets version 1 (signed by `targets_keys`). Snapshot and timestamp follow with
  /// the first `publish`. Error kUsage when `dir` already holds a repository.
  static std::expected<Repository, Error> create(const std::filesystem::path& dir,
                                                 const TopLevelKeys& keys, Keys root_keys,
                                                 Keys targets_keys, TimePoint now,
                                                 Lifetimes lifetimes = {});

  /// The repository at `dir`, each role at its newest version, to read.
  static std::expected<Repository, Error> open(const std::filesystem::path& dir,
                                               Lifetimes lifetimes = {});
  /// The same, to change: holds the repository's WriteLock (waiting up to `wait` for another
  /// writer) as long as it lives, and reads the roles once it has it.
  static std::expected<Repository, Error> openForWriting(
      const std::filesystem::path& dir, std::chrono::milliseconds wait = std::chrono::seconds(10),
      Lifetimes lifetimes = {});

  [[nodiscard]] const tuf::Root& root() const { return root_; }
  /// Every targets role at its newest signed version.
  [[nodiscard]] const std::map<std::string, tuf::Targets, std::less<>>& allTargets() const {
    return targets_;
  }
  [[nodiscard]] const std::optional<tuf::Snapshot>& snapshot() const { return snapshot_; }
  [[nodiscard]] const std::optional<tuf::Timestamp>& timestamp() const { return timestamp_; }
  /// A targets role at its newest signed version (nullptr when there is none).
  [[nodiscard]] const tuf::Targets* targets(std::string_view role) const;
  /// The target `path` of `role` as it will be or was signed, with its bytes' location.
  [[nodiscard]] const tuf::TargetFile* target(std::string_view role, std::string_view path) const;

  /// Stores `content` under targets/ and lists it as `path` in `role`; nothing is signed yet.
  std::expected<void, Error> addTarget(std::string_view role, const std::string& path,
                                       std::string_view content,
                                       boost::json::value custom = nullptr);
  /// Lets `role` be signed by `keys` for `paths` (a delegation from "targets"); not signed yet.
  std::expected<void, Error> delegate(const std::string& role,
                                      const std::vector<tuf::PublicKey>& keys,
                                      std::vector<std::string> paths, bool terminating);
  /// Signs `role`'s targets as its next version with `keys` (which must meet its threshold).
  std::expected<std::int64_t, Error> signTargets(const std::string& role, Keys keys, TimePoint now);

  /// Root version N+1 with new keys (or thresholds) for the roles `changes` names; the others
  /// keep theirs. Signed by `old_root_keys` (to the current root's threshold: clients trust the
  /// new root only because the old one vouches for it) and by `new_root_keys` (to the new root's
  /// threshold). Written as `<N+1>.root.json` and `root.json`.
  std::expected<std::int64_t, Error> rotateRoot(const TopLevelKeys& changes, Keys old_root_keys,
                                                Keys new_root_keys, TimePoint now);

  /// What `publish` did.
  struct Published {
    bool snapshot = false;   ///< a new snapshot (new targets, or the old one nearing expiry)
    bool timestamp = false;  ///< a new timestamp
  };
  /// The online half: a new snapshot when a targets role has a version the snapshot does not
  /// name or the snapshot has less than half its lifetime left, then a new timestamp when the
  /// snapshot changed or the timestamp has less than half its lifetime left.
  std::expected<Published, Error> publish(Keys snapshot_keys, Keys timestamp_keys, TimePoint now);

  [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }

  /// Whether every targets role's newest file carries the signatures its delegator requires
  /// (root for targets, the delegation for the others); the error names the first that does not.
  [[nodiscard]] std::expected<void, Error> checkTargetsSigned() const;

 private:
  Repository(std::filesystem::path dir, Lifetimes lifetimes)
      : dir_(std::move(dir)), lifetimes_(lifetimes) {}

  std::expected<void, Error> write(const std::string& name, std::string_view bytes) const;

  std::expected<void, Error> load();

  std::filesystem::path dir_;
  Lifetimes lifetimes_;
  tuf::Root root_;
  std::map<std::string, tuf::Targets, std::less<>> targets_;  ///< as signed, newest
  std::map<std::string, tuf::Targets, std::less<>> pending_;  ///< changed, not yet signed
  /// The newest bytes of each role's file ("timestamp" included).
  std::map<std::string, std::string, std::less<>> signed_bytes_;
  std::optional<tuf::Snapshot> snapshot_;
  std::optional<tuf::Timestamp> timestamp_;
  std::optional<WriteLock> lock_;  ///< held by a Repository opened for writing
};

/// Whether `path` is a relative path of plain segments (no empty, `.` or `..` segment, no
/// backslash or NUL): one that cannot leave the directory it is resolved in.
bool isPlainRelativePath(std::string_view path);

/// Whether `keys` meet `role`'s threshold in `root` (or in the "targets" delegation).
std::expected<void, Error> checkSigners(const std::map<std::string, tuf::PublicKey>& known,
                                        const tuf::RoleKeys& role, Keys keys,
                                        std::string_view role_name);

}  // namespace mamori::repository
