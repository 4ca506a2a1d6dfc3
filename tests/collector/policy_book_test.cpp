// The collector judges each PC with the policy the PC itself was given (issue 9): its
// department's signed bundle, else its segment's, else the collector's own.

#include "mamori/collector/policy_book.hpp"

#include <doctest/doctest.h>

#include "mamori/policy/policy_codec.hpp"
#include "mamori/protocol/atomic_file.hpp"
#include "mamori/repository/repository.hpp"
#include "temp_root.hpp"

namespace mamori::collector {
namespace {

using testing::TempRoot;
const policy::TimePoint kNow = std::chrono::sys_days{std::chrono::year{2026} / 12 / 2};

std::string policyText(int version) {
  return R"({"format": "mamori-policy/1", "version": )" + std::to_string(version) + "}";
}

TEST_CASE("a PC is judged with its department's bundle, else its segment's, else the base") {
  const TempRoot dir;
  auto root = *tuf::SigningKey::generate(tuf::SigningKey::Type::kEd25519);
  auto targets = *tuf::SigningKey::generate(tuf::SigningKey::Type::kEd25519);
  repository::TopLevelKeys keys;
  keys.by_role = {{"root", {root.publicKey()}},
                  {"targets", {targets.publicKey()}},
                  {"snapshot", {root.publicKey()}},
                  {"timestamp", {root.publicKey()}}};
  const tuf::SigningKey* root_signer[] = {&root};
  const tuf::SigningKey* targets_signer[] = {&targets};
  auto repo =
      repository::Repository::create(dir.path() / "repo", keys, root_signer, targets_signer, kNow);
  REQUIRE(repo);
  REQUIRE(repo->addTarget("targets", "policy/mynumber.json", policyText(11)));
  REQUIRE(repo->addTarget("targets", "policy/mynumber/市民課.json", policyText(13)));
  REQUIRE(repo->addTarget("targets", "packages/other.bin", "not a policy"));
  REQUIRE(repo->signTargets("targets", targets_signer, kNow));

  PolicyBook book(*policy::parsePolicy(policyText(3)));
  const auto loaded = book.load(dir.path() / "repo");
  REQUIRE(loaded);
  CHECK(*loaded == std::vector<std::string>{"mynumber version 11", "mynumber/市民課 version 13"});
  CHECK(book.policyFor(policy::Segment::kMynumber, "市民課")->version == 13);
  CHECK(book.policyFor(policy::Segment::kMynumber, "総務課")->version == 11);
  CHECK(book.policyFor(policy::Segment::kLgwan, "市民課")->version == 3);

  // A bundle whose bytes no longer match the signed hashes: nothing changes.
  const auto served = dir.path() / "repo" / "targets" / "policy";
  for (const auto& entry : std::filesystem::directory_iterator(served)) {
    if (entry.path().filename().string().ends_with(".mynumber.json")) {
      REQUIRE(protocol::writeFileAtomically(entry.path(), policyText(99), 0644));
    }
  }
  CHECK_FALSE(book.load(dir.path() / "repo"));
  CHECK(book.policyFor(policy::Segment::kMynumber, "総務課")->version == 11);
}

}  // namespace
}  // namespace mamori::collector
