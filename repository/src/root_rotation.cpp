// Root rotation: new keys for any role, vouched for by the old root and accepted by the new one.

#include <algorithm>

#include "mamori/repository/repository.hpp"
#include "mamori/tuf/names.hpp"
#include "mamori/tuf/signing.hpp"

namespace mamori::repository {
namespace {

Error rotationError(std::string message) {
  return makeError(ErrorCode::kUsage, std::move(message));
}

}  // namespace

std::expected<std::int64_t, Error> Repository::rotateRoot(const TopLevelKeys& changes,
                                                          Keys old_root_keys, Keys new_root_keys,
                                                          TimePoint now) {
  tuf::Root next = root_;
  ++next.header.version;
  next.header.expires = now + std::chrono::floor<std::chrono::seconds>(lifetimes_.root);
  for (const auto& [role, keys] : changes.by_role) {
    const auto entry = next.roles.find(role);
    if (entry == next.roles.end() || keys.empty()) {
      return std::unexpected(rotationError("no keys for the role \"" + role + "\""));
    }
    entry->second.keyids.clear();
    for (const auto& key : keys) {
      const auto keyid = tuf::keyId(key);
      next.keys[keyid] = key;
      entry->second.keyids.push_back(keyid);
    }
  }
  for (const auto& [role, threshold] : changes.thresholds) {
    const auto entry = next.roles.find(role);
    if (entry == next.roles.end() || threshold < 1 ||
        std::cmp_greater(threshold, entry->second.keyids.size())) {
      return std::unexpected(
          rotationError("the " + role + " threshold must be between 1 and its keys"));
    }
    entry->second.threshold = threshold;
  }
  // Keys no role names any more leave root.
  std::erase_if(next.keys, [&](const auto& key) {
    return std::ranges::none_of(next.roles, [&](const auto& role) {
      return std::ranges::find(role.second.keyids, key.first) != role.second.keyids.end();
    });
  });
  if (auto ok = checkSigners(root_.keys, root_.roles.at("root"), old_root_keys, "the current root");
      !ok) {
    return std::unexpected(ok.error());
  }
  if (auto ok = checkSigners(next.keys, next.roles.at("root"), new_root_keys, "the new root");
      !ok) {
    return std::unexpected(ok.error());
  }
  std::vector<const tuf::SigningKey*> signers(old_root_keys.begin(), old_root_keys.end());
  for (const auto* key : new_root_keys) {
    const bool listed = std::ranges::any_of(
        signers, [&](const tuf::SigningKey* s) { return s->keyid() == key->keyid(); });
    if (!listed) signers.push_back(key);
  }
  auto bytes = tuf::signMetadata(tuf::toJson(next), signers);
  if (!bytes) return std::unexpected(bytes.error());
  if (auto ok = write(tuf::metadataFileName("root", next.header.version), *bytes); !ok) {
    return std::unexpected(ok.error());
  }
  if (auto ok = write("root.json", *bytes); !ok) return std::unexpected(ok.error());
  root_ = std::move(next);
  return root_.header.version;
}

}  // namespace mamori::repository
