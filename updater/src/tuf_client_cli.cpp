#include "mamori/updater/tuf_client_cli.hpp"

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "mamori/protocol/atomic_file.hpp"
#include "mamori/updater/updater.hpp"

namespace mamori::updater {
namespace {

constexpr std::string_view kUsage =
    "usage: mamori-tuf-client --metadata-dir DIR init ROOT_FILE\n"
    "       mamori-tuf-client --metadata-dir DIR --metadata-url URL refresh\n"
    "       mamori-tuf-client --metadata-dir DIR --metadata-url URL --target-name PATH\n"
    "                         --target-base-url URL --target-dir DIR download\n"
    "options: --reference-time YYYY-MM-DDTHH:MM:SSZ (check expiry against this time)\n";

struct Arguments {
  std::map<std::string, std::string, std::less<>> options;
  std::vector<std::string> words;
};

std::expected<Arguments, std::string> parseArguments(std::span<const char* const> args) {
  static constexpr std::string_view kKnown[] = {"--metadata-dir", "--metadata-url",
                                                "--target-name",  "--target-base-url",
                                                "--target-dir",   "--reference-time"};
  Arguments parsed;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (!arg.starts_with("--")) {
      parsed.words.emplace_back(arg);
      continue;
    }
    if (std::ranges::find(kKnown, arg) == std::end(kKnown)) {
      return std::unexpected("unknown option " + std::string(arg));
    }
    if (i + 1 >= args.size()) return std::unexpected(std::string(arg) + " needs a value");
    parsed.options.insert_or_assign(std::string(arg), args[++i]);
  }
  return parsed;
}

std::expected<std::string, std::string> option(const Arguments& args, std::string_view name) {
  const auto found = args.options.find(name);
  if (found == args.options.end() || found->second.empty()) {
    return std::unexpected("missing " + std::string(name));
  }
  return found->second;
}

std::expected<TimePoint, std::string> referenceTime(const Arguments& args) {
  const auto found = args.options.find("--reference-time");
  if (found == args.options.end()) {
    return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  }
  auto parsed = policy::parseTimestamp(found->second);
  if (!parsed) return std::unexpected("--reference-time: " + parsed.error());
  return *parsed;
}

int fail(std::ostream& err, std::string_view reason) {
  err << "mamori-tuf-client: " << reason << "\n";
  return 1;
}

int init(const Arguments& args, std::ostream& err) {
  const auto dir = option(args, "--metadata-dir");
  if (!dir) return fail(err, dir.error());
  if (args.words.size() != 2) return fail(err, "init takes the trusted root file");
  constexpr std::uintmax_t kMaxRootBytes = 512'000;
  const auto root = protocol::readSmallFile(args.words[1], kMaxRootBytes);
  if (!root) return fail(err, root.error().describe());
  if (auto ok = Updater::initialize(*dir, *root); !ok) return fail(err, ok.error().describe());
  return 0;
}

int update(const Arguments& args, bool download, std::ostream& out, std::ostream& err) {
  UpdaterConfig config;
  const auto dir = option(args, "--metadata-dir");
  const auto url = option(args, "--metadata-url");
  const auto now = referenceTime(args);
  for (const auto* value : {&dir, &url}) {
    if (!*value) return fail(err, value->error());
  }
  if (!now) return fail(err, now.error());
  config.metadata_dir = *dir;
  config.metadata_url = *url;
  std::string target_name;
  if (download) {
    const auto name = option(args, "--target-name");
    const auto base = option(args, "--target-base-url");
    const auto target_dir = option(args, "--target-dir");
    for (const auto* value : {&name, &base, &target_dir}) {
      if (!*value) return fail(err, value->error());
    }
    target_name = *name;
    config.target_url = *base;
    config.target_dir = *target_dir;
  }
  auto fetcher = makeHttpFetcher();
  Updater updater(std::move(config), *fetcher);
  if (auto ok = updater.refresh(*now); !ok) return fail(err, ok.error().describe());
  if (!download) return 0;
  const auto target = updater.targetInfo(target_name, *now);
  if (!target) return fail(err, target.error().describe());
  const auto file = updater.download(*target);
  if (!file) return fail(err, file.error().describe());
  out << file->string() << "\n";
  return 0;
}

}  // namespace

int runTufClient(std::span<const char* const> raw, std::ostream& out, std::ostream& err) {
  const auto args = parseArguments(raw);
  if (!args) return fail(err, args.error() + "\n" + std::string(kUsage));
  const auto command = args->words.empty() ? std::string() : args->words.front();
  if (command == "init") return init(*args, err);
  if (args->words.size() != 1)
    return fail(err, std::string("expected one command\n") + std::string(kUsage));
  if (command == "refresh") return update(*args, false, out, err);
  if (command == "download") return update(*args, true, out, err);
  return fail(err, "unknown command \"" + command + "\"\n" + std::string(kUsage));
}

}  // namespace mamori::updater
