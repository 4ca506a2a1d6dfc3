#include "mamori/repository/repository.hpp"

#include <algorithm>
#include <charconv>

#include "mamori/protocol/atomic_file.hpp"
#include "mamori/tuf/names.hpp"
#include "mamori/tuf/signing.hpp"

namespace mamori::repository {
namespace {

namespace fs = std::filesystem;

constexpr mode_t kPublicMode = 0644;
constexpr std::uintmax_t kMaxMetadataBytes = 5'000'000;

Error usage(std::string message) { return makeError(ErrorCode::kUsage, std::move(message)); }

// "12.targets.json" -> (12, "targets"); nullopt for "timestamp.json", "root.json" and strangers.
std::optional<std::pair<std::int64_t, std::string>> versionedName(const std::string& name) {
  if (!name.ends_with(".json")) return std::nullopt;
  const auto dot = name.find('.');
  std::int64_t version = 0;
  const auto [end, ec] = std::from_chars(name.data(), name.data() + dot, version);
  if (ec != std::errc() || end != name.data() + dot || version < 1) return std::nullopt;
  return std::pair{version, name.substr(dot + 1, name.size() - dot - 1 - 5)};
}

// Role names become file names as they are: keep them to a portable alphabet.
bool isPlainRoleName(std::string_view role) {
  return !role.empty() && role.size() <= 64 && std::ranges::all_of(role, [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
}

std::expected<std::string, Error> signedBytes(const boost::json::object& signed_object, Keys keys) {
  return tuf::signMetadata(signed_object, keys);
}

}  // namespace

bool isPlainRelativePath(std::string_view path) {
  if (path.empty() || path.front() == '/' || path.find('\\') != std::string_view::npos ||
      path.find('\0') != std::string_view::npos) {
    return false;
  }
  std::size_t start = 0;
  while (start <= path.size()) {
    const auto slash = std::min(path.find('/', start), path.size());
    const auto segment = path.substr(start, slash - start);
    if (segment.empty() || segment == "." || segment == "..") return false;
    start = slash + 1;
  }
  return true;
}

std::expected<void, Error> checkSigners(const std::map<std::string, tuf::PublicKey>& known,
                                        const tuf::RoleKeys& role, Keys keys,
                                        std::string_view role_name) {
  std::vector<std::string> counted;
  for (const auto* key : keys) {
    const bool listed = std::ranges::find(role.keyids, key->keyid()) != role.keyids.end() &&
                        known.contains(key->keyid());
    if (listed && std::ranges::find(counted, key->keyid()) == counted.end()) {
      counted.push_back(key->keyid());
    }
  }
  if (std::cmp_greater_equal(counted.size(), role.threshold)) return {};
  return std::unexpected(usage(std::string(role_name) + " needs " + std::to_string(role.threshold) +
                               " of its keys; " + std::to_string(counted.size()) + " given"));
}

std::expected<Repository, Error> Repository::create(const fs::path& dir, const TopLevelKeys& keys,
                                                    Keys root_keys, Keys targets_keys,
                                                    TimePoint now, Lifetimes lifetimes) {
  std::error_code ec;
  if (fs::exists(dir / "metadata" / "1.root.json", ec)) {
    return std::unexpected(usage(dir.string() + " already holds a repository"));
  }
  Repository repo(dir, lifetimes);
  repo.root_.header = {1, now + std::chrono::floor<std::chrono::seconds>(lifetimes.root)};
  repo.root_.consistent_snapshot = true;
  for (const std::string role : {"root", "targets", "snapshot", "timestamp"}) {
    const auto found = keys.by_role.find(role);
    if (found == keys.by_role.end() || found->second.empty()) {
      return std::unexpected(usage("no key for the " + role + " role"));
    }
    auto& entry = repo.root_.roles[role];
    for (const auto& key : found->second) {
      const auto keyid = tuf::keyId(key);
      repo.root_.keys[keyid] = key;
      entry.keyids.push_back(keyid);
    }
    const auto threshold = keys.thresholds.find(role);
    entry.threshold = threshold == keys.thresholds.end() ? 1 : threshold->second;
    if (entry.threshold < 1 || std::cmp_greater(entry.threshold, entry.keyids.size())) {
      return std::unexpected(usage("the " + role + " threshold must be between 1 and its " +
                                   std::to_string(entry.keyids.size()) + " key(s)"));
    }
  }
  if (auto ok = checkSigners(repo.root_.keys, repo.root_.roles.at("root"), root_keys, "root");
      !ok) {
    return std::unexpected(ok.error());
  }
  auto root_bytes = signedBytes(tuf::toJson(repo.root_), root_keys);
  if (!root_bytes) return std::unexpected(root_bytes.error());
  fs::create_directories(dir / "metadata", ec);
  fs::create_directories(dir / "targets", ec);
  if (auto ok = repo.write(tuf::metadataFileName("root", 1), *root_bytes); !ok) {
    return std::unexpected(ok.error());
  }
  if (auto ok = repo.write("root.json", *root_bytes); !ok) return std::unexpected(ok.error());
  repo.pending_["targets"] = tuf::Targets{};
  if (auto ok = repo.signTargets("targets", targets_keys, now); !ok) {
    return std::unexpected(ok.error());
  }
  return repo;
}

std::expected<Repository, Error> Repository::open(const fs::path& dir, Lifetimes lifetimes) {
  Repository repo(dir, lifetimes);
  if (auto ok = repo.load(); !ok) return std::unexpected(ok.error());
  return repo;
}

std::expected<Repository, Error> Repository::openForWriting(const fs::path& dir,
                                                            std::chrono::milliseconds wait,
                                                            Lifetimes lifetimes) {
  std::error_code ec;
  if (!fs::is_directory(dir / "metadata", ec)) {
    return std::unexpected(usage(dir.string() + " holds no repository (mamori-policy init)"));
  }
  auto lock = WriteLock::acquire(dir, wait);
  if (!lock) return std::unexpected(lock.error());
  Repository repo(dir, lifetimes);
  repo.lock_ = std::move(*lock);
  if (auto ok = repo.load(); !ok) return std::unexpected(ok.error());
  return repo;
}

std::expected<void, Error> Repository::load() {
  const auto metadata = dir_ / "metadata";
  std::error_code ec;
  std::map<std::string, std::pair<std::int64_t, std::string>> newest;  // role -> (version, file)
  // The error-code forms throughout: a listing that fails half-way is an error, not an exception.
  for (fs::directory_iterator it(metadata, ec), end; !ec && it != end; it.increment(ec)) {
    const auto name = it->path().filename().string();
    if (const auto parsed = versionedName(name)) {
      auto& best = newest[parsed->second];
      if (parsed->first > best.first) best = {parsed->first, name};
    }
  }
  if (ec || !newest.contains("root") || !newest.contains("targets") ||
      !newest.contains("snapshot") != !fs::exists(metadata / "timestamp.json")) {
    return std::unexpected(
        makeError(ErrorCode::kIo,
                  ec ? "cannot list: " + ec.message()
                     : "not a complete TUF repository (<N>.root.json, <N>.targets.json, and "
                       "snapshot with timestamp or neither)",
                  metadata.string()));
  }
  for (const auto& [role, found] : newest) {
    auto bytes = protocol::readSmallFile(metadata / found.second, kMaxMetadataBytes);
    if (!bytes) return std::unexpected(bytes.error());
    auto failed = [&](Error error) {
      error.file = (metadata / found.second).string();
      return std::unexpected(std::move(error));
    };
    if (role == "root") {
      auto parsed = tuf::parseRoot(*bytes);
      if (!parsed) return failed(parsed.error());
      root_ = std::move(parsed->signed_);
    } else if (role == "snapshot") {
      auto parsed = tuf::parseSnapshot(*bytes);
      if (!parsed) return failed(parsed.error());
      snapshot_ = std::move(parsed->signed_);
    } else {
      auto parsed = tuf::parseTargets(*bytes, role);
      if (!parsed) return failed(parsed.error());
      targets_[role] = std::move(parsed->signed_);
    }
    signed_bytes_[role] = std::move(*bytes);
  }
  if (fs::exists(metadata / "timestamp.json", ec)) {
    auto bytes = protocol::readSmallFile(metadata / "timestamp.json", kMaxMetadataBytes);
    if (!bytes) return std::unexpected(bytes.error());
    auto parsed = tuf::parseTimestamp(*bytes);
    if (!parsed) return std::unexpected(parsed.error());
    timestamp_ = std::move(parsed->signed_);
    signed_bytes_["timestamp"] = std::move(*bytes);
  }
  return {};
}

const tuf::Targets* Repository::targets(std::string_view role) const {
  const auto found = targets_.find(role);
  return found == targets_.end() ? nullptr : &found->second;
}

const tuf::TargetFile* Repository::target(std::string_view role, std::string_view path) const {
  for (const auto* source : {&pending_, &targets_}) {
    const auto found = source->find(role);
    if (found == source->end()) continue;
    const auto file = found->second.targets.find(std::string(path));
    return file == found->second.targets.end() ? nullptr : &file->second;
  }
  return nullptr;
}

std::expected<void, Error> Repository::write(const std::string& name,
                                             std::string_view bytes) const {
  return protocol::writeFileAtomically(dir_ / "metadata" / name, bytes, kPublicMode);
}

std::expected<void, Error> Repository::addTarget(std::string_view role, const std::string& path,
                                                 std::string_view content,
                                                 boost::json::value custom) {
  if (!isPlainRelativePath(path)) {
    return std::unexpected(usage("\"" + path + "\" is not a relative target path"));
  }
  auto pending = pending_.find(role);
  if (pending == pending_.end()) {
    const auto current = targets_.find(role);
    if (current == targets_.end()) {
      return std::unexpected(usage("no targets role \"" + std::string(role) + "\""));
    }
    pending = pending_.emplace(std::string(role), current->second).first;
  }
  const auto digest = tuf::hexDigest("sha256", content);
  const auto file = dir_ / "targets" / tuf::hashPrefixedPath(path, digest);
  std::error_code ec;
  fs::create_directories(file.parent_path(), ec);
  if (auto ok = protocol::writeFileAtomically(file, content, kPublicMode); !ok) return ok;
  pending->second.targets[path] = {
      static_cast<std::int64_t>(content.size()),
      {{"sha256", digest}, {"sha512", tuf::hexDigest("sha512", content)}},
      std::move(custom)};
  return {};
}

std::expected<void, Error> Repository::delegate(const std::string& role,
                                                const std::vector<tuf::PublicKey>& keys,
                                                std::vector<std::string> paths, bool terminating) {
  if (!isPlainRoleName(role) || role == "root" || role == "targets" || role == "snapshot" ||
      role == "timestamp") {
    return std::unexpected(
        usage("\"" + role + "\" cannot name a delegated role (A-Z a-z 0-9 - _)"));
  }
  if (keys.empty() || paths.empty())
    return std::unexpected(usage("a delegation needs keys and paths"));
  auto& top = pending_.try_emplace("targets", targets_.at("targets")).first->second;
  auto& delegations = top.delegations ? *top.delegations : top.delegations.emplace();
  tuf::DelegatedRole entry{role, {}, terminating, std::move(paths), std::nullopt};
  for (const auto& key : keys) {
    const auto keyid = tuf::keyId(key);
    delegations.keys[keyid] = key;
    entry.keys.keyids.push_back(keyid);
  }
  const auto existing = std::ranges::find(delegations.roles, role, &tuf::DelegatedRole::name);
  if (existing != delegations.roles.end()) {
    *existing = std::move(entry);
  } else {
    delegations.roles.push_back(std::move(entry));
  }
  if (!targets_.contains(role)) pending_.try_emplace(role);
  return {};
}

std::expected<std::int64_t, Error> Repository::signTargets(const std::string& role, Keys keys,
                                                           TimePoint now) {
  const auto pending = pending_.find(role);
  const auto current = targets_.find(role);
  if (pending == pending_.end() && current == targets_.end()) {
    return std::unexpected(usage("no targets role \"" + role + "\""));
  }
  auto next = pending != pending_.end() ? pending->second : current->second;
  if (role == "targets") {
    if (auto ok = checkSigners(root_.keys, root_.roles.at("targets"), keys, role); !ok) {
      return std::unexpected(ok.error());
    }
  } else {
    // The delegation as it will be signed (pending) or as it was.
    const auto& top =
        pending_.contains("targets") ? pending_.at("targets") : targets_.at("targets");
    const tuf::DelegatedRole* delegated = nullptr;
    if (top.delegations) {
      const auto found = std::ranges::find(top.delegations->roles, role, &tuf::DelegatedRole::name);
      if (found != top.delegations->roles.end()) delegated = &*found;
    }
    if (delegated == nullptr) {
      return std::unexpected(usage("targets does not delegate to \"" + role + "\""));
    }
    if (auto ok = checkSigners(top.delegations->keys, delegated->keys, keys, role); !ok) {
      return std::unexpected(ok.error());
    }
  }
  next.header.version = (current != targets_.end() ? current->second.header.version : 0) + 1;
  next.header.expires = now + std::chrono::floor<std::chrono::seconds>(lifetimes_.targets);
  auto bytes = signedBytes(tuf::toJson(next), keys);
  if (!bytes) return std::unexpected(bytes.error());
  if (auto ok = write(tuf::metadataFileName(role, next.header.version), *bytes); !ok) {
    return std::unexpected(ok.error());
  }
  const auto version = next.header.version;
  targets_.insert_or_assign(role, std::move(next));
  signed_bytes_.insert_or_assign(role, std::move(*bytes));
  if (pending != pending_.end()) pending_.erase(pending);
  return version;
}

}  // namespace mamori::repository
