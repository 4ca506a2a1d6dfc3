// The repository side of signed policy distribution: what admins sign and the collector publishes
// must be exactly what a TUF client accepts.

#include "mamori/repository/repository.hpp"

#include <doctest/doctest.h>

#include "mamori/protocol/atomic_file.hpp"
#include "mamori/tuf/signing.hpp"
#include "mamori/tuf/trusted_set.hpp"
#include "temp_root.hpp"

using namespace mamori;
using mamori::testing::TempRoot;

namespace {

const tuf::TimePoint kNow = std::chrono::sys_days{std::chrono::year{2026} / 12 / 2};

tuf::SigningKey newKey() {
  return std::move(*tuf::SigningKey::generate(tuf::SigningKey::Type::kEd25519));
}

struct Keys {
  tuf::SigningKey root = newKey(), targets = newKey(), snapshot = newKey(), timestamp = newKey();

  [[nodiscard]] repository::TopLevelKeys topLevel() const {
    repository::TopLevelKeys keys;
    keys.by_role = {{"root", {root.publicKey()}},
                    {"targets", {targets.publicKey()}},
                    {"snapshot", {snapshot.publicKey()}},
                    {"timestamp", {timestamp.publicKey()}}};
    return keys;
  }
};

// A fresh repository directory, keys for every role, and the key lists the API takes.
struct Fixture {
  TempRoot dir;
  Keys keys;
  const tuf::SigningKey* root[1] = {&keys.root};
  const tuf::SigningKey* targets[1] = {&keys.targets};
  const tuf::SigningKey* snapshot[1] = {&keys.snapshot};
  const tuf::SigningKey* timestamp[1] = {&keys.timestamp};

  repository::Repository create() {
    auto repo =
        repository::Repository::create(dir.path() / "repo", keys.topLevel(), root, targets, kNow);
    REQUIRE(repo);
    return std::move(*repo);
  }
};

std::string read(const TempRoot& dir, const std::string& name) {
  return *protocol::readSmallFile(dir.path() / "repo" / "metadata" / name, 1 << 20);
}

// What a client trusting root 1 makes of the repository as it stands.
tuf::TrustedSet clientView(const TempRoot& dir, tuf::TimePoint now = kNow) {
  auto set = tuf::TrustedSet::fromTrustedRoot(read(dir, "1.root.json"));
  REQUIRE(set);
  REQUIRE(set->updateTimestamp(read(dir, "timestamp.json"), now));
  const auto snapshot = set->timestamp()->signed_.snapshot.version;
  REQUIRE(set->updateSnapshot(read(dir, std::to_string(snapshot) + ".snapshot.json"), now));
  const auto targets = set->snapshot()->signed_.meta.at("targets.json").version;
  REQUIRE(set->updateTargets(read(dir, std::to_string(targets) + ".targets.json"), "targets",
                             "root", now));
  return std::move(*set);
}

}  // namespace

TEST_CASE("an admin's signed target reaches a TUF client once the collector publishes") {
  const TempRoot dir;
  const Keys keys;
  const tuf::SigningKey* root[] = {&keys.root};
  const tuf::SigningKey* targets[] = {&keys.targets};
  const tuf::SigningKey* snapshot[] = {&keys.snapshot};
  const tuf::SigningKey* timestamp[] = {&keys.timestamp};
  auto repo =
      repository::Repository::create(dir.path() / "repo", keys.topLevel(), root, targets, kNow);
  REQUIRE(repo);
  REQUIRE(repo->publish(snapshot, timestamp, kNow));

  auto admin = repository::Repository::open(dir.path() / "repo");
  REQUIRE(admin);
  REQUIRE(admin->addTarget("targets", "policy/mynumber.json", R"({"version": 11})"));
  CHECK(*admin->signTargets("targets", targets, kNow) == 2);

  auto collector = repository::Repository::open(dir.path() / "repo");
  REQUIRE(collector);
  const auto published = collector->publish(snapshot, timestamp, kNow);
  REQUIRE(published);
  CHECK(published->snapshot);
  CHECK(published->timestamp);
  const auto view = clientView(dir);
  CHECK(view.targets("targets")->signed_.targets.contains("policy/mynumber.json"));

  // Nothing new, nothing near expiry: nothing to publish.
  const auto idle = collector->publish(snapshot, timestamp, kNow + std::chrono::hours(1));
  REQUIRE(idle);
  CHECK_FALSE(idle->snapshot);
  CHECK_FALSE(idle->timestamp);
}

TEST_CASE("the collector re-signs the timestamp and snapshot before they expire") {
  Fixture f;
  auto repo = f.create();
  REQUIRE(repo.publish(f.snapshot, f.timestamp, kNow));
  // Past half of the timestamp's day, but well within the snapshot's week.
  const auto later = kNow + std::chrono::hours(13);
  const auto renewed = repo.publish(f.snapshot, f.timestamp, later);
  REQUIRE(renewed);
  CHECK(renewed->timestamp);
  CHECK_FALSE(renewed->snapshot);
  // A client a day later still trusts the repository: the expiry moved with the re-signing.
  CHECK(clientView(f.dir, kNow + std::chrono::hours(30)).timestamp()->signed_.header.version == 2);
  const auto week = repo.publish(f.snapshot, f.timestamp, kNow + std::chrono::days(4));
  REQUIRE(week);
  CHECK(week->snapshot);
}

TEST_CASE("signing needs the role's own keys, to its threshold") {
  Fixture f;
  const auto& [dir, keys, root, targets, snapshot, timestamp] = f;
  const tuf::SigningKey* wrong[] = {&keys.snapshot};
  auto refused =
      repository::Repository::create(dir.path() / "repo", keys.topLevel(), wrong, targets, kNow);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message == "root needs 1 of its keys; 0 given");
  auto repo = f.create();
  const auto wrong_targets = repo.signTargets("targets", wrong, kNow);
  REQUIRE_FALSE(wrong_targets);
  CHECK(wrong_targets.error().message == "targets needs 1 of its keys; 0 given");
  const tuf::SigningKey* twice[] = {&keys.targets, &keys.targets};
  repository::TopLevelKeys two = keys.topLevel();
  two.thresholds["root"] = 2;
  CHECK_FALSE(repository::Repository::create(dir.path() / "other", two, root, targets, kNow));
  CHECK(repo.signTargets("targets", twice, kNow));  // the same key twice counts once: 1 of 1
}

TEST_CASE("a target path must stay inside the repository") {
  Fixture f;
  auto repo = f.create();
  for (const auto* path : {"../escape.json", "/etc/passwd", "policy//x.json", "policy/./x.json",
                           "policy\\x.json", ""}) {
    CHECK_FALSE(repo.addTarget("targets", path, "{}"));
  }
  CHECK(repository::isPlainRelativePath("policy/mynumber.json"));
}

TEST_CASE("a repository is created once") {
  const TempRoot dir;
  const Keys keys;
  const tuf::SigningKey* root[] = {&keys.root};
  const tuf::SigningKey* targets[] = {&keys.targets};
  REQUIRE(
      repository::Repository::create(dir.path() / "repo", keys.topLevel(), root, targets, kNow));
  const auto again =
      repository::Repository::create(dir.path() / "repo", keys.topLevel(), root, targets, kNow);
  REQUIRE_FALSE(again);
  CHECK(again.error().code == ErrorCode::kUsage);
}

TEST_CASE("a rotated root is accepted by a client that trusts the old one") {
  Fixture f;
  auto repo = f.create();
  const auto new_root = newKey();
  const tuf::SigningKey* new_signers[] = {&new_root};
  repository::TopLevelKeys changes;
  changes.by_role["root"] = {new_root.publicKey()};
  const auto version = repo.rotateRoot(changes, f.root, new_signers, kNow);
  REQUIRE(version);
  CHECK(*version == 2);
  auto client = tuf::TrustedSet::fromTrustedRoot(read(f.dir, "1.root.json"));
  REQUIRE(client);
  REQUIRE(client->updateRoot(read(f.dir, "2.root.json")));
  CHECK(client->root().signed_.keys.size() == 4);  // the old root key left root
  CHECK(read(f.dir, "root.json") == read(f.dir, "2.root.json"));
  // Without the current root's keys there is no rotation.
  const auto stranger = newKey();
  const tuf::SigningKey* strangers[] = {&stranger};
  const auto refused = repo.rotateRoot(changes, strangers, new_signers, kNow);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message == "the current root needs 1 of its keys; 0 given");
}

TEST_CASE("after the timestamp key is rotated, the collector re-signs at once") {
  Fixture f;
  auto repo = f.create();
  REQUIRE(repo.publish(f.snapshot, f.timestamp, kNow));
  const auto new_timestamp = newKey();
  const tuf::SigningKey* new_signers[] = {&new_timestamp};
  repository::TopLevelKeys changes;
  changes.by_role["timestamp"] = {new_timestamp.publicKey()};
  REQUIRE(repo.rotateRoot(changes, f.root, f.root, kNow));
  const auto published = repo.publish(f.snapshot, new_signers, kNow + std::chrono::minutes(1));
  REQUIRE(published);
  CHECK(published->timestamp);
  auto client = tuf::TrustedSet::fromTrustedRoot(read(f.dir, "1.root.json"));
  REQUIRE(client);
  REQUIRE(client->updateRoot(read(f.dir, "2.root.json")));
  CHECK(client->updateTimestamp(read(f.dir, "timestamp.json"), kNow + std::chrono::minutes(2)));
}

TEST_CASE("the collector publishes nothing over targets metadata nobody validly signed") {
  Fixture f;
  auto repo = f.create();
  REQUIRE(repo.publish(f.snapshot, f.timestamp, kNow));
  // A targets file signed by a stranger appears in the repository.
  auto stranger = repository::Repository::open(f.dir.path() / "repo");
  REQUIRE(stranger);
  const auto key = newKey();
  REQUIRE(stranger->addTarget("targets", "policy/mynumber.json", "{}"));
  const tuf::SigningKey* strangers[] = {&key};
  REQUIRE_FALSE(stranger->signTargets("targets", strangers, kNow));  // the tool refuses...
  auto forged = *repository::Repository::open(f.dir.path() / "repo");
  tuf::Targets targets = *forged.targets("targets");
  ++targets.header.version;
  const auto bytes = tuf::signMetadata(tuf::toJson(targets), strangers);
  REQUIRE(bytes);
  REQUIRE(protocol::writeFileAtomically(f.dir.path() / "repo" / "metadata" / "2.targets.json",
                                        *bytes, 0644));  // ...so it is written by hand
  auto collector = repository::Repository::open(f.dir.path() / "repo");
  REQUIRE(collector);
  const auto refused = collector->publish(f.snapshot, f.timestamp, kNow);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message.find("not signed by the keys root names") != std::string::npos);
}

TEST_CASE_FIXTURE(Fixture, "one writer at a time: a second waits for the first, then gives up") {
  (void)create();
  const auto repo_dir = dir.path() / "repo";
  {
    auto first = repository::Repository::openForWriting(repo_dir, std::chrono::milliseconds(0));
    REQUIRE(first);
    const auto second =
        repository::Repository::openForWriting(repo_dir, std::chrono::milliseconds(200));
    REQUIRE_FALSE(second);
    CHECK(second.error().file == (repo_dir / ".lock").string());
    CHECK(second.error().message.find("another writer holds the repository") != std::string::npos);
    // Readers are not held back.
    CHECK(repository::Repository::open(repo_dir));
    // The lock moves with the repository, and goes with it.
    auto moved = std::move(*first);
    CHECK_FALSE(repository::Repository::openForWriting(repo_dir, std::chrono::milliseconds(0)));
  }
  CHECK(repository::Repository::openForWriting(repo_dir, std::chrono::milliseconds(0)));
  CHECK_FALSE(repository::Repository::openForWriting(dir.path() / "nothing-here",
                                                     std::chrono::milliseconds(0)));
}
