#include "mamori/repository/policy_tool.hpp"

#include <boost/program_options.hpp>

#include "policy_commands.hpp"

namespace mamori::repository {
namespace {

namespace po = boost::program_options;

constexpr std::string_view kUsage =
    "usage: mamori-policy keygen   --out FILE [--type ed25519|ecdsa]\n"
    "       mamori-policy lint     POLICY_FILE...\n"
    "       mamori-policy init     --repo DIR --root-key F... --targets-key F...\n"
    "                              --snapshot-key F --timestamp-key F [--root-threshold N]\n"
    "       mamori-policy sign     --repo DIR --key F... --segment SEG\n"
    "                              [--department NAME --role ROLE] POLICY_FILE\n"
    "       mamori-policy sign-package --repo DIR --key F... PACKAGE.deb\n"
    "       mamori-policy delegate --repo DIR --key F... --role NAME --role-key F...\n"
    "                              --path PATTERN... [--terminating]\n"
    "       mamori-policy rotate-root --repo DIR --key CURRENT_ROOT_KEY... [--root-key F...]\n"
    "                              [--root-threshold N] [--targets-key F...] [--snapshot-key "
    "F...]\n"
    "                              [--timestamp-key F...]\n"
    "       mamori-policy publish  --repo DIR --snapshot-key F --timestamp-key F\n"
    "       mamori-policy status   --repo DIR\n"
    "options: --lang ja|en\n";

po::options_description options() {
  po::options_description d;
  using strings = std::vector<std::string>;
  d.add_options()("lang", po::value<std::string>())("out", po::value<std::string>())(
      "type", po::value<std::string>()->default_value("ed25519"))("repo", po::value<std::string>())(
      "root-key", po::value<strings>()->composing())(
      "targets-key", po::value<strings>()->composing())("snapshot-key",
                                                        po::value<strings>()->composing())(
      "timestamp-key", po::value<strings>()->composing())("root-threshold",
                                                          po::value<int>()->default_value(1))(
      "key", po::value<strings>()->composing())("segment", po::value<std::string>())(
      "department", po::value<std::string>())("role", po::value<std::string>())(
      "role-key", po::value<strings>()->composing())("path", po::value<strings>()->composing())(
      "terminating", po::bool_switch())("args", po::value<strings>());
  return d;
}

policy::Lang languageOf(std::span<const char* const> args, std::string_view locale) {
  for (std::size_t i = 0; i + 1 < args.size(); ++i) {
    if (std::string_view(args[i]) == "--lang") {
      return std::string_view(args[i + 1]) == "en" ? policy::Lang::kEn : policy::Lang::kJa;
    }
  }
  return policy::languageOfLocale(locale);
}

}  // namespace

int runPolicyTool(std::span<const char* const> args, const ToolEnvironment& env, std::ostream& out,
                  std::ostream& err) {
  const tool::Context c{languageOf(args, env.locale), env.now, out, err};
  po::positional_options_description positional;
  positional.add("args", -1);
  po::variables_map vm;
  try {
    const std::vector<std::string> words(args.begin(), args.end());
    po::store(po::command_line_parser(words).options(options()).positional(positional).run(), vm);
  } catch (const po::error& e) {
    err << "mamori-policy: " << e.what() << '\n' << kUsage;
    return 2;
  }
  auto words =
      vm.contains("args") ? vm["args"].as<std::vector<std::string>>() : std::vector<std::string>{};
  const std::string command = words.empty() ? "" : words.front();
  if (!words.empty()) words.erase(words.begin());
  if (command == "keygen" && words.empty()) return tool::keygen(c, vm);
  if (command == "lint" && !words.empty()) return tool::lint(c, words);
  if (command == "init" && words.empty()) return tool::init(c, vm);
  if (command == "sign" && words.size() == 1) return tool::sign(c, vm, words.front());
  if (command == "sign-package" && words.size() == 1)
    return tool::signPackage(c, vm, words.front());
  if (command == "delegate" && words.empty()) return tool::delegate(c, vm);
  if (command == "rotate-root" && words.empty()) return tool::rotateRoot(c, vm);
  if (command == "publish" && words.empty()) return tool::publish(c, vm);
  if (command == "status" && words.empty()) return tool::status(c, vm);
  err << kUsage;
  return 2;
}

}  // namespace mamori::repository
