#include "mamori/collector/cli.hpp"

#include <unistd.h>

#include <boost/program_options.hpp>
#include <cstdlib>
#include <ostream>

#include "admin_commands.hpp"
#include "collector_server.hpp"

namespace mamori::collector {
namespace {

namespace po = boost::program_options;

constexpr std::string_view kUsage =
    "usage: mamori-collector <command> [options] --config FILE [--lang ja|en]\n"
    "  serve                                   run the collector (HTTPS)\n"
    "  token create --department D --segment S [--valid-hours H] [--uses N] [--note T]\n"
    "  token list | token revoke ID\n"
    "  device list | device show ID | device revoke ID\n"
    "  device isolate ID --reason R | device release ID --reason R   CSIRT isolation\n"
    "  device unlock-code ID [--valid-hours H]  lets the PC's agent be removed (24 h)\n"
    "  exception add --id EXC-.. --device ID --requirement REQ --reason R --approver A "
    "--expires ISO8601\n"
    "  exception list [--device ID] | exception revoke ID\n"
    "  audit list [--device ID] [--limit N]    what agents decided on the PCs (USB, ...)\n"
    "  service-cert --name radius --out-dir DIR\n";

po::options_description adminOptions() {
  po::options_description d("options");
  d.add_options()("config", po::value<std::string>())("lang", po::value<std::string>())(
      "department", po::value<std::string>())("segment", po::value<std::string>())(
      "valid-hours", po::value<int>()->default_value(72))(
      "uses", po::value<int>()->default_value(1))("note", po::value<std::string>())(
      "id", po::value<std::string>())("device", po::value<std::string>())(
      "requirement", po::value<std::string>())("reason", po::value<std::string>())(
      "approver", po::value<std::string>())("expires", po::value<std::string>())(
      "name", po::value<std::string>())("out-dir", po::value<std::string>())(
      "limit", po::value<int>()->default_value(50))("target",
                                                    po::value<std::vector<std::string>>());
  return d;
}

policy::Lang languageOf(const po::variables_map& vm) {
  if (vm.contains("lang"))
    return vm["lang"].as<std::string>() == "en" ? policy::Lang::kEn : policy::Lang::kJa;
  const char* lang = std::getenv("LANG");
  return policy::languageOfLocale(lang ? lang : "");
}

std::string invokingUser() {
  for (const char* name : {"SUDO_USER", "USER", "LOGNAME"}) {
    if (const char* v = std::getenv(name); v && *v) return v;
  }
  return "uid " + std::to_string(::getuid());
}

int dispatch(const admin::Context& c, const std::string& group, const std::string& verb,
             const std::string& target, const po::variables_map& vm) {
  if (group == "token" && verb == "create") return admin::tokenCreate(c, vm);
  if (group == "token" && verb == "list") return admin::tokenList(c);
  if (group == "device" && verb == "list") return admin::deviceList(c);
  if (group == "exception" && verb == "add") return admin::exceptionAdd(c, vm);
  if (group == "exception" && verb == "list") {
    return admin::exceptionList(c, vm.contains("device") ? vm["device"].as<std::string>() : "");
  }
  if (group == "audit" && verb == "list") {
    return admin::auditList(c, vm.contains("device") ? vm["device"].as<std::string>() : "",
                            vm["limit"].as<int>());
  }
  if (group == "service-cert") return admin::serviceCertificate(c, vm);
  if (target.empty()) return admin::usage(c, std::string(kUsage));
  if (group == "token" && verb == "revoke") return admin::tokenRevoke(c, target);
  if (group == "device" && verb == "show") return admin::deviceShow(c, target);
  if (group == "device" && verb == "revoke") return admin::deviceRevoke(c, target);
  if (group == "device" && verb == "isolate") return admin::deviceIsolate(c, target, vm);
  if (group == "device" && verb == "release") return admin::deviceRelease(c, target, vm);
  if (group == "device" && verb == "unlock-code") return admin::deviceUnlockCode(c, target, vm);
  if (group == "exception" && verb == "revoke") return admin::exceptionRevoke(c, target);
  return admin::usage(c, std::string(kUsage));
}

int runAdmin(std::span<const char* const> args, std::ostream& out, std::ostream& err) {
  const std::string group = args[1];
  po::positional_options_description positional;
  positional.add("target", -1);
  po::variables_map vm;
  try {
    std::vector<std::string> rest(args.begin() + 2, args.end());
    po::store(po::command_line_parser(rest).options(adminOptions()).positional(positional).run(),
              vm);
  } catch (const po::error& e) {
    err << "mamori-collector: " << e.what() << '\n' << kUsage;
    return 2;
  }
  const auto targets = vm.contains("target") ? vm["target"].as<std::vector<std::string>>()
                                             : std::vector<std::string>{};
  const std::string verb = group == "service-cert" ? "" : (targets.empty() ? "" : targets[0]);
  const std::string target = targets.size() > 1 ? targets[1] : "";
  if (!vm.contains("config")) {
    err << "mamori-collector: --config FILE is required\n";
    return 2;
  }
  auto config = loadCollectorConfig(vm["config"].as<std::string>());
  if (!config) {
    err << "mamori-collector: " << config.error().describe() << '\n';
    return 2;
  }
  auto store = Store::open(config->database);
  if (!store) {
    err << "mamori-collector: " << store.error().describe() << '\n';
    return 2;
  }
  auto policy = loadCollectorPolicy(*config);
  if (!policy) {
    err << "mamori-collector: " << policy.error().describe() << '\n';
    return 2;
  }
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  PolicyBook policies(std::move(*policy));
  if (config->tuf) {
    if (auto loaded = policies.load(config->tuf->repository); !loaded) {
      err << "mamori-collector: signed policies not read, judging with the collector's own: "
          << loaded.error().describe() << '\n';
    }
  }
  const admin::Context c{*config, **store, policies, languageOf(vm), invokingUser(), now, out, err};
  return dispatch(c, group, verb, target, vm);
}

}  // namespace

int runCollectorCli(std::span<const char* const> args, std::ostream& out, std::ostream& err) {
  const std::string_view command = args.size() > 1 ? args[1] : "";
  if (command == "serve") {
    std::string config;
    for (std::size_t i = 2; i + 1 < args.size(); ++i) {
      if (std::string_view(args[i]) == "--config") config = args[i + 1];
    }
    if (config.empty()) {
      err << "mamori-collector serve: --config FILE is required\n";
      return 2;
    }
    CollectorServer server(config);
    // Poco's own options (--daemon, --pidfile) are handled by run(); ours were read above.
    std::vector<std::string> rest{std::string(args[0])};
    for (std::size_t i = 2; i < args.size(); ++i) {
      const std::string_view a = args[i];
      if (a == "--config") {
        ++i;
        continue;
      }
      rest.emplace_back(a);
    }
    return server.run(rest);
  }
  if (command == "token" || command == "device" || command == "exception" || command == "audit" ||
      command == "service-cert") {
    return runAdmin(args, out, err);
  }
  (command.empty() || command == "--help" ? out : err) << kUsage;
  return command == "--help" ? 0 : 2;
}

}  // namespace mamori::collector
