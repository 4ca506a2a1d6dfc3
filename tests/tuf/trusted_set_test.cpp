#include "mamori/tuf/trusted_set.hpp"

#include <doctest/doctest.h>

#include <boost/json.hpp>
#include <cctype>

#include "tuf_repository.hpp"

using namespace mamori;
using mamori::testing::TufRepository;
using tuf::Problem;
using tuf::TrustedSet;

namespace {

const tuf::TimePoint kNow = std::chrono::sys_days{std::chrono::year{2026} / 12 / 2};

TrustedSet trustedFrom(const TufRepository& repo) {
  auto set = TrustedSet::fromTrustedRoot(repo.rootBytes(1));
  REQUIRE(set);
  return std::move(*set);
}

std::string snapshotOf(const TufRepository& repo) {
  return repo.metadata_files.at(std::to_string(repo.snapshot.header.version) + ".snapshot.json");
}

std::string targetsOf(const TufRepository& repo) {
  return repo.metadata_files.at(std::to_string(repo.targets.at("targets").header.version) +
                                ".targets.json");
}

// Loads the repository's current timestamp, snapshot and targets into `set`.
void loadAll(TrustedSet& set, const TufRepository& repo, tuf::TimePoint now = kNow) {
  REQUIRE(set.updateTimestamp(repo.metadata_files.at("timestamp.json"), now));
  REQUIRE(set.updateSnapshot(snapshotOf(repo), now));
  REQUIRE(set.updateTargets(targetsOf(repo), "targets", "root", now));
}

Problem problemOf(const auto& result) {
  REQUIRE_FALSE(result);
  return result.error().problem;
}

}  // namespace

TEST_CASE("a repository's metadata is trusted in the workflow's order") {
  TufRepository repo(kNow);
  repo.addTarget("policy/mynumber.json", R"({"version": 2})");
  repo.publish();
  auto set = trustedFrom(repo);
  loadAll(set, repo);
  CHECK(set.targets("targets")->signed_.targets.contains("policy/mynumber.json"));
}

TEST_CASE("root rotation needs the threshold of the old root and of the new one") {
  TufRepository repo(kNow);
  const auto old_keyid = repo.signers.at("root").front().keyid();
  repo.root.header.version = 2;
  repo.root.roles["root"].keyids = {};
  auto old_key = std::move(repo.signers.at("root"));
  repo.signers.at("root").clear();
  repo.addKey("root");

  SUBCASE("signed by the new key only: the old root's threshold is not met") {
    repo.publishRoot();
    auto set = trustedFrom(repo);
    const auto result = set.updateRoot(repo.rootBytes(2));
    CHECK(problemOf(result) == Problem::kBadSignature);
    CHECK(result.error().error.message.find("of the trusted root") != std::string::npos);
  }
  SUBCASE("signed by the old key only: the new root's own threshold is not met") {
    repo.signers.at("root") = std::move(old_key);
    repo.publishRoot();
    auto set = trustedFrom(repo);
    const auto result = set.updateRoot(repo.rootBytes(2));
    CHECK(problemOf(result) == Problem::kBadSignature);
    CHECK(result.error().error.message.find("of the new root itself") != std::string::npos);
  }
  SUBCASE("signed by both: trusted, and the old key no longer signs root") {
    repo.signers.at("root").push_back(std::move(old_key.front()));
    repo.publishRoot();
    auto set = trustedFrom(repo);
    REQUIRE(set.updateRoot(repo.rootBytes(2)));
    CHECK(set.root().signed_.header.version == 2);
    CHECK(std::ranges::find(set.root().signed_.roles.at("root").keyids, old_keyid) ==
          set.root().signed_.roles.at("root").keyids.end());
  }
}

TEST_CASE("a root that skips a version or repeats one is refused") {
  TufRepository repo(kNow);
  auto set = trustedFrom(repo);
  CHECK(problemOf(set.updateRoot(repo.rootBytes(1))) == Problem::kRollback);
  repo.root.header.version = 3;
  repo.publishRoot();
  CHECK(problemOf(set.updateRoot(repo.rootBytes(3))) == Problem::kMismatch);
}

TEST_CASE("a threshold of two is not met by one key's signature given twice") {
  TufRepository repo(kNow);
  repo.root.roles["timestamp"].threshold = 2;
  auto set_root = repo.sign("root");
  auto set = TrustedSet::fromTrustedRoot(set_root);
  REQUIRE(set);
  const auto& key = repo.signers.at("timestamp").front();
  // mamori signs once per key; an attacker repeats the one signature he has.
  CHECK(boost::json::parse(repo.signWith(tuf::toJson(repo.timestamp), {&key, &key}))
            .at("signatures")
            .as_array()
            .size() == 1);
  auto document = boost::json::parse(repo.metadata_files.at("timestamp.json"));
  auto& signatures = document.at("signatures").as_array();
  signatures.push_back(signatures.front());
  const auto result = set->updateTimestamp(boost::json::serialize(document), kNow);
  CHECK(problemOf(result) == Problem::kBadSignature);
  CHECK(result.error().error.message == "1 valid signature(s) of distinct keys, threshold 2");
}

namespace {

// The timestamp key listed a second time under another id as `alias_key`, the role's threshold
// two, and the one signature given under both ids: what the client makes of it.
Problem aliasedKeyAttack(TufRepository& repo, const tuf::PublicKey& alias_key) {
  const std::string alias(64, 'a');
  repo.root.keys[alias] = alias_key;
  repo.root.roles["timestamp"].keyids.push_back(alias);
  repo.root.roles["timestamp"].threshold = 2;
  auto set = TrustedSet::fromTrustedRoot(repo.sign("root"));
  REQUIRE(set);
  auto document = boost::json::parse(repo.metadata_files.at("timestamp.json"));
  auto& signatures = document.at("signatures").as_array();
  auto copy = signatures.front();
  copy.as_object()["keyid"] = alias;
  signatures.push_back(copy);
  return problemOf(set->updateTimestamp(boost::json::serialize(document), kNow));
}

}  // namespace

TEST_CASE("a threshold of two is not met by one key listed under two key ids") {
  TufRepository repo(kNow);
  const auto key = repo.signers.at("timestamp").front().publicKey();
  CHECK(aliasedKeyAttack(repo, key) == Problem::kBadSignature);
}

TEST_CASE("a key counts once however it is spelled: an upper-case copy is the same key") {
  TufRepository repo(kNow);
  auto shouting = repo.signers.at("timestamp").front().publicKey();
  for (auto& c : shouting.public_value) c = static_cast<char>(std::toupper(c));
  CHECK(aliasedKeyAttack(repo, shouting) == Problem::kBadSignature);
}

TEST_CASE("an ECDSA key on another 256-bit curve than P-256 verifies nothing") {
  // secp256k1 (the curve of Bitcoin): 256 bits, but not the scheme's nistp256.
  const tuf::PublicKey k1{"ecdsa", "ecdsa-sha2-nistp256",
                          "-----BEGIN PUBLIC KEY-----\n"
                          "MFYwEAYHKoZIzj0CAQYFK4EEAAoDQgAE6Ya4iBi/DWw8LijV5wiRy+HGeRkqUcml\n"
                          "2PyQcbkPNPw8KDhB+CYHxU4bDVhpS8hUJFHXHXkDEvcjWxKuromxYQ==\n"
                          "-----END PUBLIC KEY-----\n"};
  CHECK(tuf::keyMaterial(k1).empty());
  auto p256 = tuf::SigningKey::generate(tuf::SigningKey::Type::kEcdsaP256);
  REQUIRE(p256);
  CHECK_FALSE(tuf::keyMaterial(p256->publicKey()).empty());
}

TEST_CASE("timestamp: an older version is a rollback, the same version changes nothing") {
  TufRepository repo(kNow);
  const auto first = repo.metadata_files.at("timestamp.json");
  repo.publishTimestamp();
  auto set = trustedFrom(repo);
  REQUIRE(set.updateTimestamp(repo.metadata_files.at("timestamp.json"), kNow));
  CHECK(problemOf(set.updateTimestamp(first, kNow)) == Problem::kRollback);
  CHECK(*set.updateTimestamp(repo.metadata_files.at("timestamp.json"), kNow) ==
        TrustedSet::Outcome::kUnchanged);
}

TEST_CASE("timestamp: naming an older snapshot than the trusted timestamp did is a rollback") {
  TufRepository repo(kNow);
  repo.publish();
  auto set = trustedFrom(repo);
  REQUIRE(set.updateTimestamp(repo.metadata_files.at("timestamp.json"), kNow));
  repo.timestamp.snapshot.version = 1;
  repo.publishTimestamp();
  const auto result = set.updateTimestamp(repo.metadata_files.at("timestamp.json"), kNow);
  CHECK(problemOf(result) == Problem::kRollback);
  CHECK(result.error().describe() ==
        "rollback: timestamp.json: it names snapshot version 1, older than the trusted version 2");
}

TEST_CASE("expired metadata at each role is refused (freeze attack)") {
  TufRepository repo(kNow);
  const auto later = kNow + std::chrono::days(30);
  SUBCASE("root") {
    repo.root.header.expires = kNow + std::chrono::days(1);
    auto set = TrustedSet::fromTrustedRoot(repo.sign("root"));
    REQUIRE(set);
    const auto result = set->updateTimestamp(repo.metadata_files.at("timestamp.json"), later);
    CHECK(problemOf(result) == Problem::kExpired);
    CHECK(
        result.error().error.message.starts_with("the final root expired at 2026-12-03T00:00:00Z"));
  }
  SUBCASE("timestamp, which is kept to guard against rollback") {
    repo.timestamp.header.expires = kNow + std::chrono::days(1);
    repo.publishTimestamp();
    auto set = trustedFrom(repo);
    CHECK(problemOf(set.updateTimestamp(repo.metadata_files.at("timestamp.json"), later)) ==
          Problem::kExpired);
    CHECK(set.timestamp()->signed_.header.version == 2);
    CHECK(problemOf(set.updateSnapshot(snapshotOf(repo), later)) == Problem::kExpired);
  }
  SUBCASE("snapshot") {
    repo.snapshot.header.expires = kNow + std::chrono::days(1);
    repo.publish({});
    repo.timestamp.header.expires = later + std::chrono::days(1);
    repo.publishTimestamp(false);
    auto set = trustedFrom(repo);
    REQUIRE(set.updateTimestamp(repo.metadata_files.at("timestamp.json"), later));
    CHECK(problemOf(set.updateSnapshot(snapshotOf(repo), later)) == Problem::kExpired);
  }
  SUBCASE("targets") {
    repo.targets["targets"].header.expires = kNow + std::chrono::days(1);
    repo.publish();
    auto set = trustedFrom(repo);
    REQUIRE(set.updateTimestamp(repo.metadata_files.at("timestamp.json"), kNow));
    REQUIRE(set.updateSnapshot(snapshotOf(repo), kNow));
    CHECK(problemOf(set.updateTargets(targetsOf(repo), "targets", "root", later)) ==
          Problem::kExpired);
  }
}

TEST_CASE("snapshot: other bytes than the timestamp describes are refused") {
  TufRepository repo(kNow);
  auto set = trustedFrom(repo);
  REQUIRE(set.updateTimestamp(repo.metadata_files.at("timestamp.json"), kNow));
  auto tampered = snapshotOf(repo);
  tampered.back() = ' ';
  CHECK(problemOf(set.updateSnapshot(tampered, kNow)) == Problem::kBadHash);
}

TEST_CASE("mix-and-match: a snapshot or targets of another version than named is refused") {
  TufRepository repo(kNow);
  const auto old_snapshot = snapshotOf(repo);
  const auto old_targets = targetsOf(repo);
  repo.publish();
  SUBCASE("snapshot") {
    // A validly signed older snapshot, served under the timestamp's name without hashes.
    repo.timestamp.snapshot.hashes.clear();
    repo.timestamp.snapshot.length.reset();
    repo.publishTimestamp();
    auto set = trustedFrom(repo);
    REQUIRE(set.updateTimestamp(repo.metadata_files.at("timestamp.json"), kNow));
    CHECK(problemOf(set.updateSnapshot(old_snapshot, kNow)) == Problem::kMismatch);
  }
  SUBCASE("targets") {
    repo.snapshot.meta["targets.json"].hashes.clear();
    repo.snapshot.meta["targets.json"].length.reset();
    repo.publish({});
    auto set = trustedFrom(repo);
    REQUIRE(set.updateTimestamp(repo.metadata_files.at("timestamp.json"), kNow));
    REQUIRE(set.updateSnapshot(snapshotOf(repo), kNow));
    const auto result = set.updateTargets(old_targets, "targets", "root", kNow);
    CHECK(problemOf(result) == Problem::kMismatch);
    CHECK(result.error().describe() ==
          "mismatch: targets.json: version 1, but the snapshot names version 2");
  }
}

TEST_CASE("snapshot: naming an older targets version than the stored snapshot is a rollback") {
  TufRepository repo(kNow);
  repo.publish();
  const auto stored = snapshotOf(repo);  // names targets version 2
  repo.snapshot.meta["targets.json"].version = 1;
  repo.publish({});
  auto set = trustedFrom(repo);
  REQUIRE(set.updateTimestamp(repo.metadata_files.at("timestamp.json"), kNow));
  // The client's stored snapshot: not final (the timestamp names a newer one), but the floor.
  CHECK(problemOf(set.updateSnapshot(stored, kNow, /*from_cache=*/true)) == Problem::kMismatch);
  const auto result = set.updateSnapshot(snapshotOf(repo), kNow);
  CHECK(problemOf(result) == Problem::kRollback);
  CHECK(result.error().describe() ==
        "rollback: snapshot.json: it names targets.json version 1, older than the trusted "
        "version 2");
}

TEST_CASE("targets signed by a key root does not give the role are refused") {
  TufRepository repo(kNow);
  auto stranger = tuf::SigningKey::generate(tuf::SigningKey::Type::kEd25519);
  REQUIRE(stranger);
  repo.signers.at("targets").clear();
  repo.signers.at("targets").push_back(std::move(*stranger));
  repo.publish();
  auto set = trustedFrom(repo);
  REQUIRE(set.updateTimestamp(repo.metadata_files.at("timestamp.json"), kNow));
  REQUIRE(set.updateSnapshot(snapshotOf(repo), kNow));
  const auto result = set.updateTargets(targetsOf(repo), "targets", "root", kNow);
  CHECK(problemOf(result) == Problem::kBadSignature);
  CHECK(result.error().describe() ==
        "bad-signature: targets.json: 0 valid signature(s) of distinct keys, threshold 1");
}

TEST_CASE("updates out of the workflow's order are refused") {
  TufRepository repo(kNow);
  auto set = trustedFrom(repo);
  CHECK(problemOf(set.updateSnapshot(snapshotOf(repo), kNow)) == Problem::kUsage);
  CHECK(problemOf(set.updateTargets(targetsOf(repo), "targets", "root", kNow)) == Problem::kUsage);
  REQUIRE(set.updateTimestamp(repo.metadata_files.at("timestamp.json"), kNow));
  REQUIRE(set.updateSnapshot(snapshotOf(repo), kNow));
  CHECK(problemOf(set.updateRoot(repo.rootBytes(1))) == Problem::kUsage);
  CHECK(problemOf(set.updateTimestamp(repo.metadata_files.at("timestamp.json"), kNow)) ==
        Problem::kUsage);
}
