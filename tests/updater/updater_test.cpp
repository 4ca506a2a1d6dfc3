#include "mamori/updater/updater.hpp"

#include <doctest/doctest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>

#include "repository_fetcher.hpp"
#include "temp_root.hpp"

using namespace mamori;
using mamori::testing::RepositoryFetcher;
using mamori::testing::TempRoot;
using mamori::testing::TufRepository;
using tuf::Problem;

namespace {

namespace fs = std::filesystem;
const tuf::TimePoint kNow = std::chrono::sys_days{std::chrono::year{2026} / 12 / 2};

// A client with its own metadata and target directories, initialised with root version 1.
struct Client {
  explicit Client(const TufRepository& repo) : fetcher(repo) {
    REQUIRE(updater::Updater::initialize(dir.path() / "metadata", repo.rootBytes(1)));
  }

  updater::Updater updater() {
    return updater::Updater({.metadata_dir = dir.path() / "metadata",
                             .metadata_url = std::string(RepositoryFetcher::kMetadataUrl),
                             .target_url = std::string(RepositoryFetcher::kTargetUrl),
                             .target_dir = dir.path() / "targets"},
                            fetcher);
  }
  std::expected<void, tuf::Rejection> refresh(tuf::TimePoint now = kNow) {
    return updater().refresh(now);
  }
  [[nodiscard]] std::int64_t storedVersion(const std::string& file) const {
    std::ifstream in(dir.path() / "metadata" / file);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    return boost::json::parse(text).at("signed").at("version").as_int64();
  }

  TempRoot dir;
  RepositoryFetcher fetcher;
};

Problem problemOf(const auto& result) {
  REQUIRE_FALSE(result);
  return result.error().problem;
}

}  // namespace

TEST_CASE("a refresh stores the trusted metadata under non-versioned names") {
  TufRepository repo(kNow);
  Client client(repo);
  REQUIRE(client.refresh());
  for (const auto* file : {"root.json", "timestamp.json", "snapshot.json", "targets.json"}) {
    CHECK(fs::exists(client.dir.path() / "metadata" / file));
  }
  CHECK(client.fetcher.requestsFor("2.root.json") == 1);  // the end of the root chain
  CHECK(client.fetcher.requestsFor("1.snapshot.json") == 1);
  CHECK(client.fetcher.requestsFor("1.targets.json") == 1);
}

TEST_CASE("a second refresh with nothing new fetches only the timestamp and the next root") {
  TufRepository repo(kNow);
  Client client(repo);
  REQUIRE(client.refresh());
  client.fetcher.requests.clear();
  REQUIRE(client.refresh());
  CHECK(client.fetcher.requests.size() == 2);
  CHECK(client.fetcher.requestsFor("timestamp.json") == 1);
}

TEST_CASE("the client follows a chain of root rotations, each signed by old and new keys") {
  TufRepository repo(kNow);
  Client client(repo);
  REQUIRE(client.refresh());
  for (int version = 2; version <= 4; ++version) {
    auto old_keys = std::move(repo.signers.at("root"));
    repo.signers.at("root").clear();
    repo.root.roles["root"].keyids.clear();
    repo.addKey("root");
    repo.addKey("root");
    repo.root.roles["root"].threshold = 2;
    repo.root.header.version = version;
    for (auto& key : old_keys) repo.signers.at("root").push_back(std::move(key));
    repo.publishRoot();
    // Root's own keys from here on: the two new ones.
    auto& signers = repo.signers.at("root");
    signers.erase(signers.begin() + 2, signers.end());
  }
  REQUIRE(client.refresh());
  CHECK(client.storedVersion("root.json") == 4);
  CHECK(client.fetcher.requestsFor("5.root.json") == 1);
}

TEST_CASE("a root rotation that fails stops the refresh and keeps the last good root") {
  TufRepository repo(kNow);
  Client client(repo);
  repo.root.header.version = 2;
  repo.publishRoot();  // good: same keys
  repo.root.header.version = 3;
  repo.rotateKey("root");  // signed by the new key only
  repo.publishRoot();
  const auto result = client.refresh();
  CHECK(problemOf(result) == Problem::kBadSignature);
  CHECK(result.error().error.file == "3.root.json");
  CHECK(client.storedVersion("root.json") == 2);
}

TEST_CASE("fast-forward recovery: after the timestamp key is rotated, a lower version is taken") {
  TufRepository repo(kNow);
  // An attacker with the old timestamp key pushed the client to timestamp version 1000.
  repo.timestamp.header.version = 999;
  repo.publishTimestamp();
  Client client(repo);
  REQUIRE(client.refresh());
  CHECK(client.storedVersion("timestamp.json") == 1000);

  // The repository rotates the timestamp key in root 2 and starts over at version 1.
  repo.rotateKey("timestamp");
  repo.root.header.version = 2;
  repo.publishRoot();
  repo.timestamp.header.version = 0;
  repo.publish({});
  REQUIRE(client.refresh());
  CHECK(client.storedVersion("timestamp.json") == 1);
}

TEST_CASE("fast-forward recovery: after the snapshot key is rotated, a lower version is taken") {
  TufRepository repo(kNow);
  repo.snapshot.header.version = 499;
  repo.publish();
  Client client(repo);
  REQUIRE(client.refresh());
  CHECK(client.storedVersion("snapshot.json") == 500);

  repo.rotateKey("snapshot");
  repo.root.header.version = 2;
  repo.publishRoot();
  repo.snapshot.header.version = 0;
  repo.publish({});
  REQUIRE(client.refresh());
  CHECK(client.storedVersion("snapshot.json") == 1);
}

TEST_CASE("rollback: an older timestamp, snapshot or targets than the client trusts is refused") {
  TufRepository repo(kNow);
  repo.publish();
  Client client(repo);
  REQUIRE(client.refresh());  // timestamp 2, snapshot 2, targets 2

  SUBCASE("timestamp") {
    repo.timestamp.header.version = 1;
    repo.publishTimestamp(false);
    CHECK(problemOf(client.refresh()) == Problem::kRollback);
    CHECK(client.storedVersion("timestamp.json") == 2);
  }
  SUBCASE("snapshot, named by a newer timestamp") {
    repo.snapshot.header.version = 0;
    repo.publish({});  // snapshot 1, timestamp 3
    CHECK(problemOf(client.refresh()) == Problem::kRollback);
  }
  SUBCASE("targets, named by a newer snapshot") {
    repo.targets["targets"].header.version = 0;
    repo.publish();  // targets 1 again, snapshot 3, timestamp 3
    CHECK(problemOf(client.refresh()) == Problem::kRollback);
  }
  CHECK(client.storedVersion("snapshot.json") == 2);
  CHECK(client.storedVersion("targets.json") == 2);
}

TEST_CASE("freeze: a repository whose timestamp is no longer re-signed stops being trusted") {
  TufRepository repo(kNow);
  repo.timestamp.header.expires = kNow + std::chrono::days(1);
  repo.publishTimestamp();
  Client client(repo);
  REQUIRE(client.refresh());
  const auto result = client.refresh(kNow + std::chrono::days(2));
  CHECK(problemOf(result) == Problem::kExpired);
  CHECK(result.error().error.file == "timestamp.json");
}

TEST_CASE("endless data: metadata longer than its cap or its stated length is cut off") {
  TufRepository repo(kNow);
  Client client(repo);
  SUBCASE("a timestamp over 16 KiB") {
    repo.metadata_files["timestamp.json"] += std::string(20'000, ' ');
    const auto result = client.refresh();
    CHECK(problemOf(result) == Problem::kTooLarge);
    CHECK(result.error().error.file == "timestamp.json");
  }
  SUBCASE("a root over 512 kB") {
    repo.root.header.version = 2;
    repo.publishRoot();
    repo.metadata_files["2.root.json"] += std::string(600'000, ' ');
    CHECK(problemOf(client.refresh()) == Problem::kTooLarge);
  }
  SUBCASE("a snapshot longer than the timestamp says") {
    repo.metadata_files["1.snapshot.json"] += " ";
    CHECK(problemOf(client.refresh()) == Problem::kTooLarge);
  }
}

TEST_CASE("a target is downloaded once, checked, and cached by its hashes") {
  TufRepository repo(kNow);
  repo.addTarget("policy/mynumber.json", R"({"version": 7})");
  repo.publish();
  Client client(repo);
  auto updater = client.updater();
  const auto target = updater.targetInfo("policy/mynumber.json", kNow);
  REQUIRE(target);
  CHECK(target->role == "targets");
  const auto file = updater.download(*target);
  REQUIRE(file);
  CHECK(file->filename() == "policy%2Fmynumber.json");
  CHECK(client.fetcher.requestsFor(tuf::hexDigest("sha256", R"({"version": 7})") +
                                   ".mynumber.json") == 1);
  REQUIRE(updater.download(*target));
  CHECK(client.fetcher.requestsFor(tuf::hexDigest("sha256", R"({"version": 7})") +
                                   ".mynumber.json") == 1);
}

TEST_CASE("a tampered or oversized target is refused and not stored") {
  TufRepository repo(kNow);
  repo.addTarget("policy/mynumber.json", R"({"version": 7})");
  repo.publish();
  auto& served = repo.target_files.begin()->second;
  Client client(repo);
  auto updater = client.updater();
  const auto target = updater.targetInfo("policy/mynumber.json", kNow);
  REQUIRE(target);
  SUBCASE("same length, other bytes") {
    served = R"({"version": 0})";
    CHECK(problemOf(updater.download(*target)) == Problem::kBadHash);
  }
  SUBCASE("longer than the metadata says") {
    served += std::string(1'000'000, ' ');
    CHECK(problemOf(updater.download(*target)) == Problem::kTooLarge);
  }
  CHECK_FALSE(fs::exists(client.dir.path() / "targets" / "policy%2Fmynumber.json"));
}

TEST_CASE("a target no trusted metadata lists is unknown, even if the repository serves it") {
  TufRepository repo(kNow);
  repo.target_files["policy/forged.json"] = "{}";
  Client client(repo);
  auto updater = client.updater();
  CHECK(problemOf(updater.targetInfo("policy/forged.json", kNow)) == Problem::kUnknownTarget);
}

TEST_CASE("delegations: a department's role is searched for its paths only") {
  TufRepository repo(kNow);
  repo.delegate("kokumin-hoken", {"policy/kokumin/*"}, /*terminating=*/true);
  repo.delegate("all-departments", {"policy/*/*"});
  repo.addTarget("policy/kokumin/segment.json", "A", "kokumin-hoken");
  repo.addTarget("policy/zeimu/segment.json", "B", "all-departments");
  repo.addTarget("policy/kokumin/other.json", "C", "all-departments");
  repo.publish({"targets", "kokumin-hoken", "all-departments"});
  Client client(repo);
  auto updater = client.updater();

  const auto kokumin = updater.targetInfo("policy/kokumin/segment.json", kNow);
  REQUIRE(kokumin);
  CHECK(kokumin->role == "kokumin-hoken");
  CHECK(client.fetcher.requestsFor("1.all-departments.json") == 0);

  const auto zeimu = updater.targetInfo("policy/zeimu/segment.json", kNow);
  REQUIRE(zeimu);
  CHECK(zeimu->role == "all-departments");
  // kokumin-hoken is terminating for its paths: the other role's claim on them is never asked.
  CHECK(problemOf(updater.targetInfo("policy/kokumin/other.json", kNow)) ==
        Problem::kUnknownTarget);
}

TEST_CASE("delegations: a delegated role signed by the wrong key is refused") {
  TufRepository repo(kNow);
  repo.delegate("kokumin-hoken", {"policy/kokumin/*"});
  repo.addTarget("policy/kokumin/segment.json", "A", "kokumin-hoken");
  repo.signers.at("kokumin-hoken").front() =
      std::move(*tuf::SigningKey::generate(tuf::SigningKey::Type::kEcdsaP256));
  repo.publish({"targets", "kokumin-hoken"});
  Client client(repo);
  auto updater = client.updater();
  CHECK(problemOf(updater.targetInfo("policy/kokumin/segment.json", kNow)) ==
        Problem::kBadSignature);
}

TEST_CASE("a clock set backwards past the last verification is refused") {
  TufRepository repo(kNow);
  Client client(repo);
  REQUIRE(client.refresh(kNow + std::chrono::days(10)));
  const auto result = client.refresh(kNow);
  CHECK(problemOf(result) == Problem::kClockBackwards);
  CHECK(result.error().error.message.starts_with(
      "the clock reads 2026-12-02T00:00:00Z, before 2026-12-12T00:00:00Z"));
  // A step back within the tolerance (an NTP correction) is no attack.
  CHECK(client.refresh(kNow + std::chrono::days(10) - std::chrono::minutes(4)));
}

TEST_CASE("plain HTTP is refused except to a repository on loopback") {
  auto fetcher = updater::makeHttpFetcher();
  const auto result = fetcher->fetch("http://192.0.2.1/metadata/timestamp.json", 100);
  REQUIRE_FALSE(result);
  CHECK(result.error().error.message == "only HTTPS is allowed (plain HTTP to loopback only)");
}
