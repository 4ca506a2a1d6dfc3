#include "mamori/collector/config.hpp"

#include "mamori/policy/json_reader.hpp"
#include "mamori/policy/policy_codec.hpp"
#include "mamori/protocol/atomic_file.hpp"

namespace mamori::collector {
namespace {

using policy::json::Fields;
using policy::json::Node;

ListenAddress decodeListen(const Node& node) {
  Fields f(node);
  ListenAddress a;
  if (auto n = f.optional("host")) a.host = std::string(n->nonEmptyString());
  if (auto n = f.optional("port")) a.port = static_cast<std::uint16_t>(n->integer(0, 65535));
  f.finish();
  return a;
}

std::string decodeVlan(const Node& node) {
  const auto v = node.nonEmptyString();
  if (v.size() > 32) node.fail("is longer than 32 characters");
  return std::string(v);
}

RadiusConfig decodeRadius(const Node& node) {
  Fields f(node);
  RadiusConfig r;
  if (auto n = f.optional("vlans")) {
    Fields vlans(*n);
    for (const auto s : policy::kAllSegments) {
      if (auto v = vlans.optional(policy::segmentId(s))) {
        r.vlans[static_cast<std::size_t>(s)] = decodeVlan(*v);
      }
    }
    vlans.finish();
  }
  if (auto n = f.optional("quarantine_vlan")) r.quarantine_vlan = decodeVlan(*n);
  if (auto n = f.optional("unknown_device")) {
    r.quarantine_unknown = n->oneOf({"reject", "quarantine"}) == 1;
  }
  f.finish();
  return r;
}

TufConfig decodeTuf(const Node& node) {
  Fields f(node);
  TufConfig t;
  t.repository = std::string(f.required("repository").nonEmptyString());
  t.snapshot_key = std::string(f.required("snapshot_key").nonEmptyString());
  t.timestamp_key = std::string(f.required("timestamp_key").nonEmptyString());
  if (auto n = f.optional("publish_interval_seconds")) {
    t.publish_interval = std::chrono::seconds(n->integer(1, 3600));
  }
  f.finish();
  return t;
}

CollectorConfig decodeConfig(const Node& root) {
  Fields f(root);
  CollectorConfig c;
  if (auto n = f.optional("listen")) c.listen = decodeListen(*n);
  if (auto n = f.optional("server_names")) {
    c.server_names.clear();
    for (const auto& name : n->array()) c.server_names.emplace_back(name.nonEmptyString());
    if (c.server_names.empty()) n->fail("is empty: agents need a name to reach the collector");
  }
  c.state_dir = std::string(f.required("state_dir").nonEmptyString());
  if (auto n = f.optional("database")) c.database = std::string(n->nonEmptyString());
  if (c.database.empty()) c.database = "sqlite:" + (c.state_dir / "collector.db").string();
  if (auto n = f.optional("policy_file")) c.policy_file = std::string(n->nonEmptyString());
  if (auto n = f.optional("max_report_bytes")) {
    c.max_report_bytes = static_cast<std::size_t>(n->integer(4096, 64 << 20));
  }
  if (auto n = f.optional("threads")) c.threads = static_cast<int>(n->integer(1, 256));
  if (auto n = f.optional("device_certificate_days")) {
    c.device_certificate_validity = std::chrono::days{n->integer(1, 825)};
  }
  if (auto n = f.optional("radius")) c.radius = decodeRadius(*n);
  if (auto n = f.optional("port_file")) c.port_file = std::string(n->nonEmptyString());
  if (auto n = f.optional("tuf")) c.tuf = decodeTuf(*n);
  f.finish();
  return c;
}

}  // namespace

std::expected<CollectorConfig, Error> parseCollectorConfig(std::string_view json_text,
                                                           std::string_view file) {
  auto config = policy::json::decoded([&] {
    const auto root = policy::json::parseText(json_text);
    return decodeConfig(Node(root));
  });
  if (!config) config.error().file = std::string(file);
  return config;
}

std::expected<CollectorConfig, Error> loadCollectorConfig(const std::filesystem::path& file) {
  auto text = protocol::readSmallFile(file, 1 << 20);
  if (!text) return std::unexpected(text.error());
  return parseCollectorConfig(*text, file.string());
}

std::expected<policy::Policy, Error> loadCollectorPolicy(const CollectorConfig& config) {
  if (!config.policy_file) return policy::builtInPolicy();
  auto text = protocol::readSmallFile(*config.policy_file, 4 << 20);
  if (!text) return std::unexpected(text.error());
  auto parsed = policy::parsePolicy(*text);
  if (!parsed) parsed.error().file = config.policy_file->string();
  return parsed;
}

}  // namespace mamori::collector
