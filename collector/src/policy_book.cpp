#include "mamori/collector/policy_book.hpp"

#include <algorithm>

#include "mamori/policy/policy_codec.hpp"
#include "mamori/protocol/atomic_file.hpp"
#include "mamori/repository/repository.hpp"
#include "mamori/tuf/names.hpp"
#include "mamori/tuf/trusted_set.hpp"

namespace mamori::collector {
namespace {

constexpr std::uintmax_t kMaxPolicyBytes = 4 << 20;

// "policy/mynumber.json" -> "mynumber"; "policy/mynumber/市民課.json" -> "mynumber/市民課";
// empty for any other target.
std::string bundleKey(std::string_view path) {
  if (!path.starts_with("policy/") || !path.ends_with(".json")) return {};
  const auto key = path.substr(7, path.size() - 7 - 5);
  const auto segment = key.substr(0, key.find('/'));
  if (!policy::parseSegment(segment) || std::ranges::count(key, '/') > 1) return {};
  return std::string(key);
}

std::expected<policy::Policy, Error> readBundle(const std::filesystem::path& repository,
                                                const std::string& path,
                                                const tuf::TargetFile& file) {
  const auto sha256 = file.hashes.find("sha256");
  if (sha256 == file.hashes.end()) {
    return std::unexpected(makeError(ErrorCode::kValidation, "no sha256 in its metadata", path));
  }
  auto bytes = protocol::readSmallFile(
      repository / "targets" / tuf::hashPrefixedPath(path, sha256->second), kMaxPolicyBytes);
  if (!bytes) return std::unexpected(bytes.error());
  if (auto ok = tuf::checkLengthAndHashes(*bytes, file.length, file.hashes, path); !ok) {
    return std::unexpected(ok.error().error);
  }
  auto parsed = policy::parsePolicy(*bytes);
  if (!parsed) parsed.error().file = path;
  return parsed;
}

}  // namespace

PolicyBook::PolicyBook(policy::Policy base)
    : base_(std::make_shared<const policy::Policy>(std::move(base))) {}

std::shared_ptr<const policy::Policy> PolicyBook::policyFor(policy::Segment segment,
                                                            std::string_view department) const {
  const std::string segment_key(policy::segmentId(segment));
  const std::scoped_lock lock(mutex_);
  if (!department.empty()) {
    if (const auto found = bundles_.find(segment_key + "/" + std::string(department));
        found != bundles_.end()) {
      return found->second;
    }
  }
  const auto found = bundles_.find(segment_key);
  return found != bundles_.end() ? found->second : base_;
}

std::expected<std::vector<std::string>, Error> PolicyBook::load(
    const std::filesystem::path& repository) {
  const auto repo = repository::Repository::open(repository);
  if (!repo) return std::unexpected(repo.error());
  if (auto ok = repo->checkTargetsSigned(); !ok) return std::unexpected(ok.error());
  std::map<std::string, std::shared_ptr<const policy::Policy>, std::less<>> bundles;
  // The top-level targets first, then the delegated roles: the order in which the agents search.
  std::vector<std::string> roles{"targets"};
  for (const auto& [role, targets] : repo->allTargets()) {
    if (role != "targets") roles.push_back(role);
  }
  for (const auto& role : roles) {
    for (const auto& [path, file] : repo->allTargets().at(role).targets) {
      const auto key = bundleKey(path);
      if (key.empty() || bundles.contains(key)) continue;
      auto bundle = readBundle(repository, path, file);
      if (!bundle) return std::unexpected(bundle.error());
      bundles.emplace(key, std::make_shared<const policy::Policy>(std::move(*bundle)));
    }
  }
  std::vector<std::string> summary;
  for (const auto& [key, bundle] : bundles) {
    summary.push_back(key + " version " + std::to_string(bundle->version));
  }
  const std::scoped_lock lock(mutex_);
  bundles_ = std::move(bundles);
  return summary;
}

}  // namespace mamori::collector
