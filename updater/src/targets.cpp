#include <algorithm>
#include <set>
#include <utility>
#include <vector>

#include "mamori/protocol/atomic_file.hpp"
#include "mamori/tuf/names.hpp"
#include "mamori/updater/updater.hpp"

namespace mamori::updater {
namespace {

namespace fs = std::filesystem;
using tuf::Problem;
using tuf::reject;
using tuf::Rejection;

// The digest a consistent-snapshot repository prefixes the file name with: SHA-256 when listed.
const std::string& servedDigest(const tuf::TargetFile& file) {
  const auto sha256 = file.hashes.find("sha256");
  return sha256 != file.hashes.end() ? sha256->second : file.hashes.begin()->second;
}

}  // namespace

std::expected<TargetInfo, Rejection> Updater::targetInfo(std::string_view path, TimePoint now) {
  if (!refreshed_) {
    if (auto ok = refresh(now); !ok) return std::unexpected(ok.error());
  }
  if (!trusted_ || trusted_->targets("targets") == nullptr) {
    return std::unexpected(
        reject(Problem::kUsage, "targets.json", "no trusted targets: the refresh failed"));
  }
  // Pre-order depth-first over the delegations, as the specification orders them (5.6.7).
  std::vector<std::pair<std::string, std::string>> to_visit{{"targets", "root"}};
  std::set<std::pair<std::string, std::string>> visited;
  while (!to_visit.empty() && std::cmp_less(visited.size(), config_.max_delegations)) {
    auto [role, delegator] = std::move(to_visit.back());
    to_visit.pop_back();
    if (visited.contains({role, delegator})) continue;
    if (auto ok = loadTargets(role, delegator, now); !ok) return std::unexpected(ok.error());
    const auto& targets = trusted_->targets(role)->signed_;
    if (const auto found = targets.targets.find(std::string(path));
        found != targets.targets.end()) {
      return TargetInfo{std::string(path), found->second, role};
    }
    visited.emplace(role, delegator);
    if (!targets.delegations) continue;
    std::vector<std::pair<std::string, std::string>> children;
    for (const auto& child : targets.delegations->roles) {
      if (!child.isTrustedFor(path)) continue;
      children.emplace_back(child.name, role);
      if (child.terminating) {
        to_visit.clear();
        break;
      }
    }
    to_visit.insert(to_visit.end(), children.rbegin(), children.rend());
  }
  return std::unexpected(
      reject(Problem::kUnknownTarget, std::string(path), "no trusted targets metadata lists it"));
}

std::optional<fs::path> Updater::cachedTarget(const TargetInfo& target) const {
  const auto file = config_.target_dir / tuf::localFileName(target.path);
  auto bytes = protocol::readSmallFile(file, static_cast<std::uintmax_t>(target.file.length));
  if (!bytes ||
      !tuf::checkLengthAndHashes(*bytes, target.file.length, target.file.hashes, target.path)) {
    return std::nullopt;
  }
  return file;
}

std::expected<fs::path, Rejection> Updater::download(const TargetInfo& target) {
  if (auto cached = cachedTarget(target)) return *cached;
  const bool consistent = trusted_ && trusted_->root().signed_.consistent_snapshot;
  auto name =
      consistent ? tuf::hashPrefixedPath(target.path, servedDigest(target.file)) : target.path;
  std::string url = config_.target_url;
  if (!url.ends_with('/')) url += '/';
  auto bytes = fetcher_.fetch(url + name, std::min(static_cast<std::uint64_t>(target.file.length),
                                                   config_.target_file_max_bytes));
  if (!bytes) {
    return std::unexpected(reject(bytes.error().kind == FetchError::Kind::kTooLarge
                                      ? Problem::kTooLarge
                                      : Problem::kUnavailable,
                                  target.path, bytes.error().error.message));
  }
  if (auto ok =
          tuf::checkLengthAndHashes(*bytes, target.file.length, target.file.hashes, target.path);
      !ok) {
    return std::unexpected(ok.error());
  }
  std::error_code ec;
  fs::create_directories(config_.target_dir, ec);
  const auto file = config_.target_dir / tuf::localFileName(target.path);
  if (auto written = protocol::writeFileAtomically(file, *bytes, 0644); !written) {
    return std::unexpected(Rejection{Problem::kStorage, written.error()});
  }
  return file;
}

}  // namespace mamori::updater
