#include <doctest/doctest.h>

#include <boost/json.hpp>

#include "mamori/tuf/canonical_json.hpp"
#include "mamori/tuf/metadata.hpp"
#include "mamori/tuf/names.hpp"
#include "tuf_repository.hpp"

using namespace mamori;
using mamori::testing::TufRepository;

namespace {

const tuf::TimePoint kNow = std::chrono::sys_days{std::chrono::year{2026} / 12 / 2};

// A signed document with one field of `signed` replaced.
std::string withSigned(const std::string& bytes, std::string_view key, boost::json::value value) {
  auto document = boost::json::parse(bytes);
  document.at("signed").as_object()[key] = std::move(value);
  return boost::json::serialize(document);
}

std::string errorOf(const std::expected<tuf::Metadata<tuf::Root>, Error>& parsed) {
  REQUIRE_FALSE(parsed);
  return parsed.error().describe();
}

}  // namespace

TEST_CASE("every role's metadata reads back as the repository wrote it") {
  TufRepository repo(kNow);
  repo.delegate("department/kokumin", {"policy/kokumin/*.json"}, true);
  repo.addTarget("policy/kokumin/x.json", "{}", "department/kokumin");
  repo.publish({"targets", "department/kokumin"});

  const auto root = tuf::parseRoot(repo.rootBytes(1));
  REQUIRE(root);
  CHECK(root->signed_.header.version == 1);
  CHECK(root->signed_.header.expires == kNow + std::chrono::days(365));
  CHECK(root->signed_.consistent_snapshot);
  CHECK(root->signed_.roles.size() == 4);
  CHECK(root->signatures.size() == 1);

  const auto timestamp = tuf::parseTimestamp(repo.metadata_files.at("timestamp.json"));
  REQUIRE(timestamp);
  CHECK(timestamp->signed_.snapshot.version == 2);
  CHECK(timestamp->signed_.snapshot.hashes.contains("sha256"));

  const auto targets = tuf::parseTargets(repo.metadata_files.at("2.targets.json"));
  REQUIRE(targets);
  REQUIRE(targets->signed_.delegations);
  const auto& delegated = targets->signed_.delegations->roles.front();
  CHECK(delegated.name == "department/kokumin");
  CHECK(delegated.terminating);

  const auto department =
      tuf::parseTargets(repo.metadata_files.at("1.department/kokumin.json"), "department/kokumin");
  REQUIRE(department);
  CHECK(department->signed_.targets.at("policy/kokumin/x.json").length == 2);
}

TEST_CASE("the signed bytes are the canonical form of what arrived, unknown fields included") {
  TufRepository repo(kNow);
  const auto bytes = withSigned(repo.rootBytes(1), "x-city", "中央区");
  const auto root = tuf::parseRoot(bytes);
  REQUIRE(root);
  CHECK(root->canonical_signed.find("\"x-city\":\"中央区\"") != std::string::npos);
  CHECK(root->canonical_signed == *tuf::canonicalJson(boost::json::parse(bytes).at("signed")));
}

TEST_CASE("metadata that breaks the specification is refused with the file and the field") {
  TufRepository repo(kNow);
  const auto& good = repo.rootBytes(1);
  CHECK(errorOf(tuf::parseRoot(withSigned(good, "_type", "targets"))) ==
        R"(root.json: $.signed._type: "targets" is not "root")");
  CHECK(
      errorOf(tuf::parseRoot(withSigned(good, "expires", "2027-12-02"))) ==
      R"(root.json: $.signed.expires: "2027-12-02" is not an expiry of the form YYYY-MM-DDTHH:MM:SSZ)");
  CHECK(errorOf(tuf::parseRoot(withSigned(good, "spec_version", "2.0.0"))) ==
        R"(root.json: $.signed.spec_version: "2.0.0" is not a 1.x specification version)");
  CHECK(errorOf(tuf::parseRoot(withSigned(good, "version", 0))).find("out of range") !=
        std::string::npos);
  CHECK(errorOf(tuf::parseRoot(withSigned(good, "roles", boost::json::object{}))) ==
        "root.json: $.signed.roles: {} must name exactly the roles root, snapshot, targets and "
        "timestamp");
  CHECK(errorOf(tuf::parseRoot(withSigned(good, "x", 1.5))) ==
        "root.json: $.signed.x: a floating-point number has no canonical JSON form (TUF allows "
        "integers "
        "only)");
  CHECK(errorOf(tuf::parseRoot("{\"signed\": ")).starts_with("root.json:1:12: invalid JSON"));
}

TEST_CASE("a threshold below one is refused: a role nobody needs to sign is no role") {
  TufRepository repo(kNow);
  auto document = boost::json::parse(repo.rootBytes(1));
  document.at("signed").at("roles").at("timestamp").as_object()["threshold"] = 0;
  const auto parsed = tuf::parseRoot(boost::json::serialize(document));
  REQUIRE_FALSE(parsed);
  CHECK(parsed.error().field == "$.signed.roles.timestamp.threshold");
}

TEST_CASE("a delegation's path patterns match segment by segment") {
  tuf::DelegatedRole role;
  role.paths = std::vector<std::string>{"policy/*.json", "packages/mamori-agent_?.?.?_*.deb",
                                        "files/[a-c]*"};
  CHECK(role.isTrustedFor("policy/mynumber.json"));
  CHECK_FALSE(role.isTrustedFor("policy/sub/mynumber.json"));  // `*` never crosses a `/`
  CHECK_FALSE(role.isTrustedFor("policy/mynumber.json.sig"));
  CHECK(role.isTrustedFor("packages/mamori-agent_0.2.0_amd64.deb"));
  CHECK_FALSE(role.isTrustedFor("packages/mamori-agent_0.10.0_amd64.deb"));
  CHECK(role.isTrustedFor("files/beta"));
  CHECK_FALSE(role.isTrustedFor("files/delta"));
}

TEST_CASE("a delegation by hash prefix trusts the paths whose SHA-256 starts with a prefix") {
  tuf::DelegatedRole role;
  const auto digest = tuf::hexDigest("sha256", "policy/mynumber.json");
  role.path_hash_prefixes = std::vector<std::string>{digest.substr(0, 2)};
  CHECK(role.isTrustedFor("policy/mynumber.json"));
  role.path_hash_prefixes = std::vector<std::string>{digest[0] == 'f' ? "0" : "f"};
  CHECK_FALSE(role.isTrustedFor("policy/mynumber.json"));
}

TEST_CASE("path patterns with several stars match as fnmatch does, without backtracking blow-up") {
  tuf::DelegatedRole role;
  role.paths = std::vector<std::string>{"*a*a*a*a*a*a*a*a*a*a*b"};
  CHECK_FALSE(role.isTrustedFor(std::string(190, 'a')));  // linear: returns at once
  CHECK(role.isTrustedFor(std::string(20, 'a') + "b"));
  role.paths = std::vector<std::string>{"*.json", "x?z", "[!a-c]*"};
  CHECK(role.isTrustedFor(".json"));
  CHECK(role.isTrustedFor("xyz"));
  CHECK_FALSE(role.isTrustedFor("cz"));
  CHECK(role.isTrustedFor("dog"));
  CHECK_FALSE(role.isTrustedFor("cat"));
}

TEST_CASE("names become URLs and file names that stay where they are put") {
  CHECK(tuf::percentEncoded("policy/市民課.json") == "policy%2F%E5%B8%82%E6%B0%91%E8%AA%B2.json");
  CHECK(tuf::localFileName("..") == "%2E.");
  CHECK(tuf::localFileName(".") == "%2E");
  CHECK(tuf::localFileName(".hidden") == "%2Ehidden");
  CHECK(tuf::localFileName("policy/a.json") == "policy%2Fa.json");
  CHECK(tuf::metadataFileName("targets", 3) == "3.targets.json");
  CHECK(tuf::hashPrefixedPath("policy/a.json", "ab") == "policy/ab.a.json");
}

TEST_CASE("a target announces a mamori package or a policy version only through custom.mamori") {
  tuf::TargetFile file{3, {{"sha256", std::string(64, 'a')}}, nullptr};
  CHECK_FALSE(tuf::announcedPackage(file));
  file.custom = tuf::packageCustom({"mamori-agent", "1:0.2.0-1", "debian-amd64"});
  const auto package = tuf::announcedPackage(file);
  REQUIRE(package);
  CHECK(package->name == "mamori-agent");
  CHECK(package->version == "1:0.2.0-1");
  CHECK(package->platform == "debian-amd64");
  CHECK_FALSE(tuf::announcedPolicyVersion(file));
  // A policy bundle is no package, and a package announcement needs every field.
  file.custom = boost::json::parse(R"({"mamori":{"kind":"policy","policy_version":7}})");
  CHECK_FALSE(tuf::announcedPackage(file));
  CHECK(tuf::announcedPolicyVersion(file) == 7);
  file.custom = boost::json::parse(
      R"({"mamori":{"kind":"agent-package","package":"mamori-agent","version":"0.2.0-1"}})");
  CHECK_FALSE(tuf::announcedPackage(file));
}
