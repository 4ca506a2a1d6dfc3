#include "tuf_repository.hpp"

#include <boost/json.hpp>
#include <stdexcept>

#include "mamori/tuf/signing.hpp"

namespace mamori::testing {
namespace {

constexpr auto kYear = std::chrono::days(365);

tuf::SigningKey newKey() {
  auto key = tuf::SigningKey::generate(tuf::SigningKey::Type::kEd25519);
  if (!key) throw std::runtime_error(key.error().describe());
  return std::move(*key);
}

tuf::MetaFile describe(std::int64_t version, const std::string& bytes) {
  return {version,
          static_cast<std::int64_t>(bytes.size()),
          {{"sha256", tuf::hexDigest("sha256", bytes)}}};
}

bool isTopLevel(const std::string& role) {
  return role == "root" || role == "timestamp" || role == "snapshot" || role == "targets";
}

}  // namespace

TufRepository::TufRepository(tuf::TimePoint now) : now_(now) {
  for (const std::string role : {"root", "timestamp", "snapshot", "targets"}) {
    root.roles[role] = {};
    root.roles[role].keyids.clear();
    addKey(role);
  }
  root.header.expires = now + kYear;
  timestamp.header = {0, now + kYear};
  snapshot.header = {0, now + kYear};
  targets["targets"].header = {0, now + kYear};
  publishRoot();
  publish();
}

const tuf::SigningKey& TufRepository::addKey(const std::string& role) {
  auto& key = signers[role].emplace_back(newKey());
  if (isTopLevel(role)) {
    root.keys[key.keyid()] = key.publicKey();
    root.roles[role].keyids.push_back(key.keyid());
  } else {
    auto& delegations = *targets["targets"].delegations;
    delegations.keys[key.keyid()] = key.publicKey();
    for (auto& delegated : delegations.roles) {
      if (delegated.name == role) delegated.keys.keyids.push_back(key.keyid());
    }
  }
  return key;
}

void TufRepository::rotateKey(const std::string& role) {
  signers[role].clear();
  if (isTopLevel(role)) {
    root.roles[role].keyids.clear();
  } else {
    for (auto& delegated : targets["targets"].delegations->roles) {
      if (delegated.name == role) delegated.keys.keyids.clear();
    }
  }
  addKey(role);
}

std::string TufRepository::signWith(const boost::json::object& signed_object,
                                    const std::vector<const tuf::SigningKey*>& keys) const {
  auto bytes = tuf::signMetadata(signed_object, keys);
  if (!bytes) throw std::runtime_error(bytes.error().describe());
  return std::move(*bytes);
}

std::string TufRepository::sign(const std::string& role) const {
  std::vector<const tuf::SigningKey*> keys;
  if (const auto found = signers.find(role); found != signers.end()) {
    for (const auto& key : found->second) keys.push_back(&key);
  }
  if (role == "root") return signWith(tuf::toJson(root), keys);
  if (role == "timestamp") return signWith(tuf::toJson(timestamp), keys);
  if (role == "snapshot") return signWith(tuf::toJson(snapshot), keys);
  return signWith(tuf::toJson(targets.at(role)), keys);
}

void TufRepository::publishRoot() {
  metadata_files[std::to_string(root.header.version) + ".root.json"] = sign("root");
}

const std::string& TufRepository::rootBytes(std::int64_t version) const {
  return metadata_files.at(std::to_string(version) + ".root.json");
}

std::string TufRepository::metaName(const std::string& role, std::int64_t version) const {
  return (root.consistent_snapshot ? std::to_string(version) + "." : std::string()) + role +
         ".json";
}

void TufRepository::addTarget(const std::string& path, const std::string& content,
                              const std::string& role, boost::json::value custom) {
  targets.at(role).targets[path] = {static_cast<std::int64_t>(content.size()),
                                    {{"sha256", tuf::hexDigest("sha256", content)}},
                                    std::move(custom)};
  const auto slash = path.rfind('/');
  const auto dir = slash == std::string::npos ? std::string() : path.substr(0, slash + 1);
  const auto name = root.consistent_snapshot
                        ? dir + tuf::hexDigest("sha256", content) + "." + path.substr(dir.size())
                        : path;
  target_files[name] = content;
}

void TufRepository::delegate(const std::string& name, std::vector<std::string> paths,
                             bool terminating) {
  auto& top = targets["targets"];
  if (!top.delegations) top.delegations.emplace();
  tuf::DelegatedRole role;
  role.name = name;
  role.terminating = terminating;
  role.paths = std::move(paths);
  top.delegations->roles.push_back(std::move(role));
  targets[name].header = {0, now_ + kYear};
  addKey(name);
}

void TufRepository::publish(const std::vector<std::string>& changed) {
  for (const auto& role : changed) {
    auto& metadata = targets.at(role);
    ++metadata.header.version;
    const auto bytes = sign(role);
    metadata_files[metaName(role, metadata.header.version)] = bytes;
    snapshot.meta[role + ".json"] = describe(metadata.header.version, bytes);
  }
  serveSnapshot();
  publishTimestamp();
}

void TufRepository::serveSnapshot() {
  ++snapshot.header.version;
  const auto bytes = sign("snapshot");
  metadata_files[metaName("snapshot", snapshot.header.version)] = bytes;
  timestamp.snapshot = describe(snapshot.header.version, bytes);
}

void TufRepository::publishTimestamp(bool bump) {
  if (bump) ++timestamp.header.version;
  metadata_files["timestamp.json"] = sign("timestamp");
}

}  // namespace mamori::testing
