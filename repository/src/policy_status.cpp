// `mamori-policy status`: what the repository publishes, for the admin who is about to change it.

#include <boost/json/serialize.hpp>

#include "mamori/repository/repository.hpp"
#include "policy_commands.hpp"

namespace mamori::repository::tool {
namespace {

void printHeader(const Context& c, std::string_view role, const tuf::Header& header) {
  c.out << "  " << role << "  version " << header.version << "  " << c.say("有効期限 ", "expires ")
        << tuf::formatExpiry(header.expires)
        << (header.expires <= c.now ? c.say("  (期限切れ)", "  (expired)") : "") << '\n';
}

}  // namespace

int status(const Context& c, const Options& o) {
  if (!o.contains("repo")) return fail(c, makeError(ErrorCode::kUsage, "missing --repo"));
  const auto repo = Repository::open(o["repo"].as<std::string>());
  if (!repo) return fail(c, repo.error());
  c.out << c.say("メタデータ:\n", "metadata:\n");
  printHeader(c, "root", repo->root().header);
  if (repo->timestamp()) printHeader(c, "timestamp", repo->timestamp()->header);
  if (repo->snapshot()) printHeader(c, "snapshot", repo->snapshot()->header);
  if (!repo->timestamp()) {
    c.out << c.say("  (まだ公開されていません)\n", "  (not published yet)\n");
  }
  for (const auto& [role, targets] : repo->allTargets()) {
    printHeader(c, role, targets.header);
    for (const auto& [path, file] : targets.targets) {
      c.out << "    " << path << "  " << file.length << " bytes";
      if (file.custom.is_object()) c.out << "  " << boost::json::serialize(file.custom);
      c.out << '\n';
    }
  }
  return 0;
}

}  // namespace mamori::repository::tool
