// `mamori-policy sign-package`: an agent package as a target of the top-level targets role,
// `packages/<platform>/<file>`, with what it is in the signed metadata (custom.mamori: the
// package, its version, its platform). Agents take only packages the top-level role signed: a
// department's delegated key can sign a policy for its PCs, never code.

#include "mamori/platform/package_installer.hpp"
#include "mamori/policy/debian_version.hpp"
#include "mamori/protocol/atomic_file.hpp"
#include "mamori/repository/repository.hpp"
#include "policy_commands.hpp"

namespace mamori::repository::tool {
namespace {

constexpr std::uintmax_t kMaxPackageBytes = 512ull << 20;
constexpr const char* kAgentPackage = "mamori-agent";

}  // namespace

int signPackage(const Context& c, const Options& o, const std::string& package_file) {
  const auto dir = required(o, "repo");
  if (!dir) return fail(c, dir.error());
  auto keys = readKeys(listed(o, "key"), "key", true);
  if (!keys) return fail(c, keys.error());
  const auto commands = platform::makeSystemCommandRunner();
  const auto identity = platform::identifyDebianPackage(*commands, package_file);
  if (!identity) return fail(c, usageError(identity.error()));
  if (identity->name != kAgentPackage) {
    return fail(c, usageError(package_file + " is the package " + identity->name + ", not " +
                              kAgentPackage));
  }
  const auto version =
      policy::parseDebianVersion(identity->version, policy::VersionStrictness::kStrict);
  if (!version) {
    return fail(
        c, usageError(package_file + ": version " + identity->version + ": " + version.error()));
  }
  // Debian's file name: the version without its epoch.
  const auto file_version =
      version->upstream + (version->revision.empty() ? "" : "-" + version->revision);
  const tuf::AnnouncedPackage package{identity->name, identity->version, identity->platform};
  const auto path = "packages/" + package.platform + "/" + package.name + "_" + file_version + "_" +
                    identity->architecture + ".deb";
  if (!isPlainRelativePath(path)) return fail(c, usageError(path + " is not a plain path"));
  auto content = protocol::readSmallFile(package_file, kMaxPackageBytes);
  if (!content) return fail(c, content.error());
  auto repo = Repository::openForWriting(*dir);
  if (!repo) return fail(c, repo.error());
  if (repo->target("targets", path) != nullptr) {
    return fail(c, usageError(path + " is already signed: a published version never changes; "
                                     "build the next version"));
  }
  if (auto ok = repo->addTarget("targets", path, *content, tuf::packageCustom(package)); !ok) {
    return fail(c, ok.error());
  }
  const auto signed_version = repo->signTargets("targets", keys->signers(), c.now);
  if (!signed_version) return fail(c, signed_version.error());
  c.out << c.say("署名しました: ", "signed: ") << path << " (" << package.name << " "
        << package.version << ", " << content->size() << " bytes) — targets version "
        << *signed_version << '\n'
        << c.say(
               "各端末のエージェントが次の周期で更新します (前の版に戻せるよう、"
               "いま動いている版も公開しておいてください)。\n",
               "each PC's agent updates itself in its next cycle (keep the version the PCs "
               "run published too, so that they can go back to it).\n");
  return 0;
}

}  // namespace mamori::repository::tool
