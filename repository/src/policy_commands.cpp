#include "policy_commands.hpp"

#include <boost/json.hpp>

#include "mamori/policy/policy_codec.hpp"
#include "mamori/policy/segment.hpp"
#include "mamori/protocol/atomic_file.hpp"
#include "mamori/repository/key_files.hpp"
#include "mamori/repository/repository.hpp"

namespace mamori::repository::tool {
namespace {

constexpr std::uintmax_t kMaxPolicyBytes = 1024 * 1024;

struct PolicyFile {
  std::string text;
  policy::Policy policy;
};

// The policy codec's own errors, with the file: what the agent would refuse, refused here first.
std::expected<PolicyFile, Error> readPolicy(const std::string& file) {
  auto text = protocol::readSmallFile(file, kMaxPolicyBytes);
  if (!text) return std::unexpected(text.error());
  auto parsed = policy::parsePolicy(*text);
  if (!parsed) {
    parsed.error().file = file;
    return std::unexpected(parsed.error());
  }
  return PolicyFile{std::move(*text), std::move(*parsed)};
}

}  // namespace

Error usageError(std::string message) { return makeError(ErrorCode::kUsage, std::move(message)); }

std::expected<std::string, Error> required(const Options& o, const char* name) {
  if (!o.contains(name)) return std::unexpected(usageError(std::string("missing --") + name));
  return o[name].as<std::string>();
}

Strings listed(const Options& o, const char* name) {
  return o.contains(name) ? o[name].as<Strings>() : Strings{};
}

std::expected<KeySet, Error> readKeys(const Strings& files, const char* option, bool private_only) {
  if (files.empty()) return std::unexpected(usageError(std::string("missing --") + option));
  KeySet keys;
  for (const auto& file : files) {
    if (auto key = readSigningKey(file)) {
      keys.public_keys.push_back(key->publicKey());
      keys.signing.push_back(std::move(*key));
    } else if (private_only) {
      return std::unexpected(key.error());
    } else if (auto pub = readPublicKey(file)) {
      keys.public_keys.push_back(std::move(*pub));
    } else {
      return std::unexpected(pub.error());
    }
  }
  return keys;
}

int fail(const Context& c, const Error& error) {
  c.err << "mamori-policy: " << error.describe() << '\n';
  return 1;
}

int keygen(const Context& c, const Options& o) {
  const auto out = required(o, "out");
  if (!out) return fail(c, out.error());
  const auto& type = o["type"].as<std::string>();
  if (type != "ed25519" && type != "ecdsa") {
    return fail(c, usageError("--type must be ed25519 or ecdsa"));
  }
  auto key = tuf::SigningKey::generate(type == "ecdsa" ? tuf::SigningKey::Type::kEcdsaP256
                                                       : tuf::SigningKey::Type::kEd25519);
  if (!key) return fail(c, key.error());
  if (auto ok = writeKeyFiles(*out, *key); !ok) return fail(c, ok.error());
  c.out << c.say("鍵を作成しました: ", "key created: ") << *out << " ("
        << c.say("公開鍵 ", "public key ") << *out << ".pub, key id " << key->keyid() << ")\n"
        << c.say("秘密鍵はオフラインの端末で保管してください。\n",
                 "keep the private key on an offline machine.\n");
  return 0;
}

int lint(const Context& c, const std::vector<std::string>& files) {
  int status = 0;
  for (const auto& file : files) {
    const auto parsed = readPolicy(file);
    if (!parsed) {
      c.out << c.say("エラー ", "error ") << parsed.error().describe() << '\n';
      status = 1;
      continue;
    }
    c.out << "OK " << file << " (version " << parsed->policy.version << ", " << parsed->policy.name
          << ")\n";
  }
  return status;
}

int init(const Context& c, const Options& o) {
  const auto dir = required(o, "repo");
  if (!dir) return fail(c, dir.error());
  auto root = readKeys(listed(o, "root-key"), "root-key", true);
  auto targets = readKeys(listed(o, "targets-key"), "targets-key", false);
  auto snapshot = readKeys(listed(o, "snapshot-key"), "snapshot-key", false);
  auto timestamp = readKeys(listed(o, "timestamp-key"), "timestamp-key", false);
  for (const auto* keys : {&root, &targets, &snapshot, &timestamp}) {
    if (!*keys) return fail(c, keys->error());
  }
  TopLevelKeys top;
  top.by_role = {{"root", root->public_keys},
                 {"targets", targets->public_keys},
                 {"snapshot", snapshot->public_keys},
                 {"timestamp", timestamp->public_keys}};
  top.thresholds["root"] = o["root-threshold"].as<int>();
  auto repo = Repository::create(*dir, top, root->signers(), targets->signers(), c.now);
  if (!repo) return fail(c, repo.error());
  c.out << c.say("TUF リポジトリを作成しました: ", "TUF repository created: ") << *dir
        << " (root version 1, targets version 1)\n"
        << c.say(
               "スナップショットとタイムスタンプはコレクタが署名して公開します"
               " (手動では mamori-policy publish)。\n",
               "the collector signs and publishes snapshot and timestamp"
               " (by hand: mamori-policy publish).\n");
  return 0;
}

int sign(const Context& c, const Options& o, const std::string& policy_file) {
  const auto dir = required(o, "repo");
  const auto segment_id = required(o, "segment");
  for (const auto* value : {&dir, &segment_id}) {
    if (!*value) return fail(c, value->error());
  }
  if (!policy::parseSegment(*segment_id)) {
    return fail(c, usageError("--segment must be mynumber, lgwan or internet"));
  }
  const auto department = o.contains("department") ? o["department"].as<std::string>() : "";
  const auto role = o.contains("role") ? o["role"].as<std::string>() : std::string("targets");
  const auto path =
      "policy/" + *segment_id + (department.empty() ? "" : "/" + department) + ".json";
  const auto policy_file_read = readPolicy(policy_file);
  if (!policy_file_read) return fail(c, policy_file_read.error());
  const auto& policy = policy_file_read->policy;
  auto keys = readKeys(listed(o, "key"), "key", true);
  if (!keys) return fail(c, keys.error());
  auto repo = Repository::openForWriting(*dir);
  if (!repo) return fail(c, repo.error());
  const auto* current = repo->target(role, path);
  const auto published = current ? tuf::announcedPolicyVersion(*current).value_or(0) : 0;
  if (policy.version <= published) {
    return fail(c, usageError(policy_file + ": version " + std::to_string(policy.version) +
                              " is not newer than the published version " +
                              std::to_string(published) + " of " + path));
  }
  const boost::json::object custom{
      {"mamori",
       boost::json::object{
           {"kind", "policy"}, {"policy_version", policy.version}, {"segment", *segment_id}}}};
  if (auto ok = repo->addTarget(role, path, policy_file_read->text, custom); !ok) {
    return fail(c, ok.error());
  }
  const auto version = repo->signTargets(role, keys->signers(), c.now);
  if (!version) return fail(c, version.error());
  c.out << c.say("署名しました: ", "signed: ") << path << " (" << c.say("ポリシー ", "policy ")
        << "version " << policy.version << ") — " << role << " version " << *version << '\n'
        << c.say("コレクタが次の公開で端末に配信します。\n",
                 "the collector delivers it to the PCs with its next publication.\n");
  return 0;
}

int delegate(const Context& c, const Options& o) {
  const auto dir = required(o, "repo");
  const auto role = required(o, "role");
  for (const auto* value : {&dir, &role}) {
    if (!*value) return fail(c, value->error());
  }
  auto keys = readKeys(listed(o, "key"), "key", true);
  auto role_keys = readKeys(listed(o, "role-key"), "role-key", false);
  for (const auto* set : {&keys, &role_keys}) {
    if (!*set) return fail(c, set->error());
  }
  auto repo = Repository::openForWriting(*dir);
  if (!repo) return fail(c, repo.error());
  if (auto ok = repo->delegate(*role, role_keys->public_keys, listed(o, "path"),
                               o["terminating"].as<bool>());
      !ok) {
    return fail(c, ok.error());
  }
  // The delegated role is signed first (empty, when its key is at hand): a client that finds the
  // delegation in targets must find the role in the snapshot too.
  if (!role_keys->signing.empty()) {
    if (auto ok = repo->signTargets(*role, role_keys->signers(), c.now); !ok) {
      return fail(c, ok.error());
    }
  } else {
    c.out << c.say(
        "委任先の鍵の持ち主が最初の署名をするまで、その部署のポリシーは配信されません。\n",
        "the department's policies are delivered once its key holder first signs.\n");
  }
  const auto version = repo->signTargets("targets", keys->signers(), c.now);
  if (!version) return fail(c, version.error());
  c.out << c.say("委任しました: ", "delegated: ") << *role << " ("
        << c.say("targets version ", "targets version ") << *version << ")\n";
  return 0;
}

int rotateRoot(const Context& c, const Options& o) {
  const auto dir = required(o, "repo");
  if (!dir) return fail(c, dir.error());
  auto current = readKeys(listed(o, "key"), "key", true);
  if (!current) return fail(c, current.error());
  TopLevelKeys changes;
  KeySet new_root;
  for (const auto* role : {"root", "targets", "snapshot", "timestamp"}) {
    const auto option = std::string(role) + "-key";
    const auto files = listed(o, option.c_str());
    if (files.empty()) continue;
    auto keys = readKeys(files, option.c_str(), std::string_view(role) == "root");
    if (!keys) return fail(c, keys.error());
    changes.by_role[role] = keys->public_keys;
    if (std::string_view(role) == "root") new_root = std::move(*keys);
  }
  if (changes.by_role.empty() && o["root-threshold"].defaulted()) {
    return fail(c, usageError("nothing to rotate: give new keys (--root-key, --targets-key, "
                              "--snapshot-key, --timestamp-key) or --root-threshold"));
  }
  if (!o["root-threshold"].defaulted()) changes.thresholds["root"] = o["root-threshold"].as<int>();
  auto repo = Repository::openForWriting(*dir);
  if (!repo) return fail(c, repo.error());
  // Without new root keys, the current ones sign for the new root too.
  const auto signers = current->signers();
  const auto new_signers = new_root.signing.empty() ? signers : new_root.signers();
  const auto version = repo->rotateRoot(changes, signers, new_signers, c.now);
  if (!version) return fail(c, version.error());
  c.out << c.say("root を更新しました: version ", "root rotated: version ") << *version << '\n';
  if (changes.by_role.contains("targets")) {
    c.out << c.say("新しい targets 鍵で署名し直してください (mamori-policy sign)。\n",
                   "sign the targets again with the new targets key (mamori-policy sign).\n");
  }
  if (changes.by_role.contains("snapshot") || changes.by_role.contains("timestamp")) {
    c.out << c.say("コレクタに新しいオンライン鍵を設定してください (collector.json の tuf)。\n",
                   "give the collector its new online keys (tuf in collector.json).\n");
  }
  return 0;
}

int publish(const Context& c, const Options& o) {
  const auto dir = required(o, "repo");
  if (!dir) return fail(c, dir.error());
  auto snapshot = readKeys(listed(o, "snapshot-key"), "snapshot-key", true);
  auto timestamp = readKeys(listed(o, "timestamp-key"), "timestamp-key", true);
  for (const auto* keys : {&snapshot, &timestamp}) {
    if (!*keys) return fail(c, keys->error());
  }
  auto repo = Repository::openForWriting(*dir);
  if (!repo) return fail(c, repo.error());
  const auto done = repo->publish(snapshot->signers(), timestamp->signers(), c.now);
  if (!done) return fail(c, done.error());
  if (!done->snapshot && !done->timestamp) {
    c.out << c.say("変更はありません。\n", "nothing to publish.\n");
    return 0;
  }
  c.out << c.say("公開しました: ", "published: ") << "snapshot version "
        << repo->snapshot()->header.version << ", timestamp version "
        << repo->timestamp()->header.version << '\n';
  return 0;
}

}  // namespace mamori::repository::tool
