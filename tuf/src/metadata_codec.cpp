#include <boost/json.hpp>

#include "mamori/policy/json_reader.hpp"
#include "mamori/tuf/canonical_json.hpp"
#include "mamori/tuf/metadata.hpp"

namespace mamori::tuf {
namespace {

namespace json = policy::json;

// Versions, lengths and thresholds stay far below overflow (2^53, JSON's safe integers), so that
// `version + 1` and sums of lengths are always defined.
constexpr std::int64_t kMaxCount = (std::int64_t{1} << 53) - 1;
constexpr std::string_view kTopLevelRoles[] = {"root", "snapshot", "targets", "timestamp"};

// YYYY-MM-DDTHH:MM:SSZ and nothing else.
TimePoint expiryOf(const json::Node& node) {
  const auto text = node.string();
  constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:ddZ";
  bool shaped = text.size() == kShape.size();
  for (std::size_t i = 0; shaped && i < text.size(); ++i) {
    shaped = kShape[i] == 'd' ? (text[i] >= '0' && text[i] <= '9') : text[i] == kShape[i];
  }
  const auto parsed = shaped ? policy::parseTimestamp(text) : std::unexpected(std::string());
  if (!parsed) node.fail("is not an expiry of the form YYYY-MM-DDTHH:MM:SSZ");
  return *parsed;
}

Header headerOf(json::Fields& fields, std::string_view type) {
  if (fields.required("_type").string() != type) {
    fields.required("_type").fail("is not \"" + std::string(type) + "\"");
  }
  Header header;
  const auto spec = fields.required("spec_version");
  header.spec_version = spec.string();
  if (!header.spec_version.starts_with("1.")) spec.fail("is not a 1.x specification version");
  header.version = fields.required("version").integer(1, kMaxCount);
  header.expires = expiryOf(fields.required("expires"));
  return header;
}

std::map<std::string, std::string> hashesOf(const json::Node& node) {
  std::map<std::string, std::string> hashes;
  for (const auto& [algorithm, value] : node.members()) {
    hashes.emplace(algorithm, std::string(value.nonEmptyString()));
  }
  return hashes;
}

PublicKey keyOf(const json::Node& node) {
  json::Fields fields(node);
  json::Fields keyval(fields.required("keyval"));
  return {std::string(fields.required("keytype").nonEmptyString()),
          std::string(fields.required("scheme").nonEmptyString()),
          std::string(keyval.required("public").nonEmptyString())};
}

std::map<std::string, PublicKey> keysOf(const json::Node& node) {
  std::map<std::string, PublicKey> keys;
  for (const auto& [keyid, key] : node.members()) keys.emplace(keyid, keyOf(key));
  return keys;
}

RoleKeys roleKeysOf(json::Fields& fields) {
  RoleKeys role;
  for (const auto& keyid : fields.required("keyids").array()) {
    role.keyids.emplace_back(keyid.nonEmptyString());
  }
  role.threshold = fields.required("threshold").integer(1, kMaxCount);
  return role;
}

MetaFile metaFileOf(const json::Node& node) {
  json::Fields fields(node);
  MetaFile meta;
  meta.version = fields.required("version").integer(1, kMaxCount);
  if (auto length = fields.optional("length")) meta.length = length->integer(0, kMaxCount);
  if (auto hashes = fields.optional("hashes")) {
    meta.hashes = hashesOf(*hashes);
    if (meta.hashes.empty()) hashes->fail("lists no hash");
  }
  return meta;
}

std::vector<std::string> stringsOf(const json::Node& node) {
  std::vector<std::string> out;
  for (const auto& item : node.array()) out.emplace_back(item.string());
  return out;
}

DelegatedRole delegatedRoleOf(const json::Node& node) {
  json::Fields fields(node);
  DelegatedRole role;
  role.name = fields.required("name").nonEmptyString();
  role.keys = roleKeysOf(fields);
  role.terminating = fields.required("terminating").boolean();
  const auto paths = fields.optional("paths");
  const auto prefixes = fields.optional("path_hash_prefixes");
  if (paths.has_value() == prefixes.has_value()) {
    node.fail("must have exactly one of \"paths\" and \"path_hash_prefixes\"");
  }
  if (paths) role.paths = stringsOf(*paths);
  if (prefixes) role.path_hash_prefixes = stringsOf(*prefixes);
  return role;
}

Delegations delegationsOf(const json::Node& node) {
  json::Fields fields(node);
  Delegations delegations;
  delegations.keys = keysOf(fields.required("keys"));
  for (const auto& role : fields.required("roles").array()) {
    auto parsed = delegatedRoleOf(role);
    const bool reserved =
        std::ranges::find(kTopLevelRoles, parsed.name) != std::end(kTopLevelRoles);
    const bool duplicate = std::ranges::any_of(
        delegations.roles, [&](const DelegatedRole& r) { return r.name == parsed.name; });
    if (reserved || duplicate)
      role.fail(reserved ? "uses a top-level role's name" : "is listed twice");
    delegations.roles.push_back(std::move(parsed));
  }
  return delegations;
}

Root rootOf(json::Fields& fields) {
  Root root;
  root.header = headerOf(fields, "root");
  root.consistent_snapshot = fields.optional("consistent_snapshot")
                                 .transform([](const json::Node& n) { return n.boolean(); })
                                 .value_or(false);
  root.keys = keysOf(fields.required("keys"));
  const auto roles = fields.required("roles");
  for (const auto& [name, role] : roles.members()) {
    json::Fields role_fields(role);
    root.roles.emplace(name, roleKeysOf(role_fields));
  }
  if (root.roles.size() != std::size(kTopLevelRoles) ||
      !std::ranges::all_of(kTopLevelRoles,
                           [&](auto n) { return root.roles.contains(std::string(n)); })) {
    roles.fail("must name exactly the roles root, snapshot, targets and timestamp");
  }
  return root;
}

Timestamp timestampOf(json::Fields& fields) {
  Timestamp timestamp;
  timestamp.header = headerOf(fields, "timestamp");
  const auto meta = fields.required("meta");
  const auto members = meta.members();
  if (members.size() != 1 || members.front().first != "snapshot.json") {
    meta.fail("must describe snapshot.json and nothing else");
  }
  timestamp.snapshot = metaFileOf(members.front().second);
  return timestamp;
}

Snapshot snapshotOf(json::Fields& fields) {
  Snapshot snapshot;
  snapshot.header = headerOf(fields, "snapshot");
  for (const auto& [name, meta] : fields.required("meta").members()) {
    snapshot.meta.emplace(name, metaFileOf(meta));
  }
  return snapshot;
}

Targets targetsOf(json::Fields& fields) {
  Targets targets;
  targets.header = headerOf(fields, "targets");
  for (const auto& [path, node] : fields.required("targets").members()) {
    json::Fields target(node);
    TargetFile file;
    file.length = target.required("length").integer(0, kMaxCount);
    const auto hashes = target.required("hashes");
    file.hashes = hashesOf(hashes);
    if (file.hashes.empty()) hashes.fail("lists no hash");
    if (auto custom = target.optional("custom")) file.custom = custom->raw();
    targets.targets.emplace(path, std::move(file));
  }
  if (auto delegations = fields.optional("delegations")) {
    targets.delegations = delegationsOf(*delegations);
  }
  return targets;
}

template <class Signed, class Decode>
std::expected<Metadata<Signed>, Error> parse(std::string_view bytes, std::string_view role,
                                             Decode decode) {
  auto parsed = json::decoded([&] {
    const auto document = json::parseText(bytes);
    const json::Node root(document);
    json::Fields fields(root);
    Metadata<Signed> metadata;
    for (const auto& entry : fields.required("signatures").array()) {
      json::Fields signature(entry);
      metadata.signatures.push_back({std::string(signature.required("keyid").nonEmptyString()),
                                     std::string(signature.required("sig").string())});
    }
    const auto signed_node = fields.required("signed");
    json::Fields signed_fields(signed_node);
    metadata.signed_ = decode(signed_fields);
    auto canonical = canonicalJson(signed_node.raw());
    if (!canonical) {
      canonical.error().field.replace(0, 1, "$.signed");
      throw json::DecodeFailure{canonical.error()};
    }
    metadata.canonical_signed = std::move(*canonical);
    return metadata;
  });
  if (!parsed) parsed.error().file = std::string(role) + ".json";
  return parsed;
}

boost::json::object headerJson(const Header& header, std::string_view type) {
  return {{"_type", type},
          {"spec_version", header.spec_version},
          {"version", header.version},
          {"expires", formatExpiry(header.expires)}};
}

boost::json::object keysJson(const std::map<std::string, PublicKey>& keys) {
  boost::json::object out;
  for (const auto& [keyid, key] : keys) out[keyid] = toJson(key);
  return out;
}

boost::json::object roleKeysJson(const RoleKeys& role) {
  boost::json::array keyids(role.keyids.begin(), role.keyids.end());
  return {{"keyids", std::move(keyids)}, {"threshold", role.threshold}};
}

boost::json::object hashesJson(const std::map<std::string, std::string>& hashes) {
  boost::json::object out;
  for (const auto& [algorithm, digest] : hashes) out[algorithm] = digest;
  return out;
}

boost::json::object metaFileJson(const MetaFile& meta) {
  boost::json::object out{{"version", meta.version}};
  if (meta.length) out["length"] = *meta.length;
  if (!meta.hashes.empty()) out["hashes"] = hashesJson(meta.hashes);
  return out;
}

boost::json::object delegationsJson(const Delegations& delegations) {
  boost::json::array roles;
  for (const auto& role : delegations.roles) {
    auto entry = roleKeysJson(role.keys);
    entry["name"] = role.name;
    entry["terminating"] = role.terminating;
    if (role.paths) entry["paths"] = boost::json::array(role.paths->begin(), role.paths->end());
    if (role.path_hash_prefixes) {
      entry["path_hash_prefixes"] =
          boost::json::array(role.path_hash_prefixes->begin(), role.path_hash_prefixes->end());
    }
    roles.push_back(std::move(entry));
  }
  return {{"keys", keysJson(delegations.keys)}, {"roles", std::move(roles)}};
}

}  // namespace

std::optional<std::int64_t> announcedPolicyVersion(const TargetFile& file) {
  if (!file.custom.is_object()) return std::nullopt;
  const auto* mamori = file.custom.as_object().if_contains("mamori");
  const auto* version =
      mamori && mamori->is_object() ? mamori->as_object().if_contains("policy_version") : nullptr;
  if (version == nullptr || !version->is_int64()) return std::nullopt;
  return version->as_int64();
}

std::optional<AnnouncedPackage> announcedPackage(const TargetFile& file) {
  if (!file.custom.is_object()) return std::nullopt;
  const auto* mamori = file.custom.as_object().if_contains("mamori");
  if (mamori == nullptr || !mamori->is_object()) return std::nullopt;
  const auto& o = mamori->as_object();
  const auto text = [&](std::string_view key) -> std::string {
    const auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
  };
  if (text("kind") != "agent-package") return std::nullopt;
  AnnouncedPackage package{text("package"), text("version"), text("platform")};
  if (package.name.empty() || package.version.empty() || package.platform.empty()) {
    return std::nullopt;
  }
  return package;
}

boost::json::value packageCustom(const AnnouncedPackage& package) {
  return boost::json::object{{"mamori", boost::json::object{{"kind", "agent-package"},
                                                            {"package", package.name},
                                                            {"version", package.version},
                                                            {"platform", package.platform}}}};
}

std::string formatExpiry(TimePoint t) { return policy::formatTimestamp(t); }

std::expected<PublicKey, Error> parsePublicKey(std::string_view bytes) {
  return json::decoded([&] {
    const auto document = json::parseText(bytes);
    return keyOf(json::Node(document));
  });
}

std::expected<Metadata<Root>, Error> parseRoot(std::string_view bytes) {
  return parse<Root>(bytes, "root", rootOf);
}
std::expected<Metadata<Timestamp>, Error> parseTimestamp(std::string_view bytes) {
  return parse<Timestamp>(bytes, "timestamp", timestampOf);
}
std::expected<Metadata<Snapshot>, Error> parseSnapshot(std::string_view bytes) {
  return parse<Snapshot>(bytes, "snapshot", snapshotOf);
}
std::expected<Metadata<Targets>, Error> parseTargets(std::string_view bytes,
                                                     std::string_view role) {
  return parse<Targets>(bytes, role, targetsOf);
}

boost::json::object toJson(const Root& root) {
  auto out = headerJson(root.header, "root");
  out["consistent_snapshot"] = root.consistent_snapshot;
  out["keys"] = keysJson(root.keys);
  boost::json::object roles;
  for (const auto& [name, role] : root.roles) roles[name] = roleKeysJson(role);
  out["roles"] = std::move(roles);
  return out;
}

boost::json::object toJson(const Timestamp& timestamp) {
  auto out = headerJson(timestamp.header, "timestamp");
  out["meta"] = boost::json::object{{"snapshot.json", metaFileJson(timestamp.snapshot)}};
  return out;
}

boost::json::object toJson(const Snapshot& snapshot) {
  auto out = headerJson(snapshot.header, "snapshot");
  boost::json::object meta;
  for (const auto& [name, file] : snapshot.meta) meta[name] = metaFileJson(file);
  out["meta"] = std::move(meta);
  return out;
}

boost::json::object toJson(const Targets& targets) {
  auto out = headerJson(targets.header, "targets");
  boost::json::object files;
  for (const auto& [path, file] : targets.targets) {
    boost::json::object entry{{"length", file.length}, {"hashes", hashesJson(file.hashes)}};
    if (!file.custom.is_null()) entry["custom"] = file.custom;
    files[path] = std::move(entry);
  }
  out["targets"] = std::move(files);
  if (targets.delegations) out["delegations"] = delegationsJson(*targets.delegations);
  return out;
}

}  // namespace mamori::tuf
