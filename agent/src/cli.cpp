#include "mamori/agent/cli.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <cstdlib>
#include <fstream>
#include <ostream>

#include "mamori/agent/check_command.hpp"
#include "mamori/agent/service_commands.hpp"
#include "mamori/agent/usb_command.hpp"

namespace mamori::agent {
namespace {

namespace po = boost::program_options;
using policy::Lang;

// `--lang` is read before anything else so that even usage errors speak the reader's language.
// An invalid value falls back to the locale here; option parsing reports it.
Lang requestedLanguage(std::span<const char* const> args, const Environment& env) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view value = args[i];
    if (value.starts_with("--lang=")) {
      value.remove_prefix(7);
    } else if (value == "--lang" && i + 1 < args.size()) {
      value = args[i + 1];
    } else {
      continue;
    }
    if (value == "ja") return Lang::kJa;
    if (value == "en") return Lang::kEn;
  }
  return policy::languageOfLocale(env.lang_env);
}

po::options_description checkOptions(Lang lang) {
  const bool ja = lang == Lang::kJa;
  po::options_description d(ja ? "check のオプション" : "check options");
  d.add_options()("root", po::value<std::string>()->value_name("DIR"),
                  ja ? "このディレクトリ以下を検査する（既定: /）"
                     : "inspect the system below DIR (default /)")(
      "policy", po::value<std::string>()->value_name("FILE"),
      ja ? "ポリシーファイル（既定: 組込みの既定値）" : "policy file (default: built-in defaults)")(
      "segment", po::value<std::string>()->value_name("SEG"),
      ja ? "区分: mynumber | lgwan | internet（既定: ポリシーの default_segment）"
         : "segment: mynumber | lgwan | internet (default: the policy's default_segment)")(
      "state-dir", po::value<std::string>()->value_name("DIR"),
      ja ? "エージェントの状態ディレクトリ（USB 監査記録、既定: /var/lib/mamori）"
         : "the agent's state directory (USB audit log; default /var/lib/mamori)")(
      "now", po::value<std::string>()->value_name("ISO8601"),
      ja ? "判定に使う時刻（既定: 現在時刻）" : "time to judge at (default: now)")(
      "json", ja ? "JSON で出力する" : "print JSON")("lang",
                                                     po::value<std::string>()->value_name("ja|en"),
                                                     ja ? "表示言語" : "language of the output")(
      "help,h", ja ? "この説明を表示する" : "show this help");
  return d;
}

void printUsage(std::ostream& out, Lang lang) {
  out << (lang == Lang::kJa
              ? "使い方: mamori-agent check [オプション]\n\n"
                "端末の状態（USB、不正プログラム対策、パッチ）を調べ、情報セキュリティ"
                "ポリシーに照らして判定します。\n"
                "終了コード: 0 適合、1 不適合、2 エラー\n\n"
              : "usage: mamori-agent check [options]\n\n"
                "Inspects this PC (USB, anti-malware, patches) and judges it against "
                "the security policy.\n"
                "Exit codes: 0 compliant, 1 not compliant, 2 error\n\n")
      << checkOptions(lang) << '\n';
}

// Turns parsed options into CheckOptions; the error is one line for the user.
std::expected<CheckOptions, std::string> toCheckOptions(const po::variables_map& vm, Lang lang,
                                                        const Environment& env) {
  CheckOptions o;
  o.lang = lang;
  o.columns = static_cast<std::size_t>(std::max(env.columns, 60));
  o.json = vm.contains("json");
  if (vm.contains("root")) o.root = vm["root"].as<std::string>();
  if (vm.contains("policy")) o.policy_file = vm["policy"].as<std::string>();
  if (vm.contains("state-dir")) o.state_dir = vm["state-dir"].as<std::string>();
  if (vm.contains("segment")) {
    const auto& s = vm["segment"].as<std::string>();
    o.segment = policy::parseSegment(s);
    if (!o.segment)
      return std::unexpected("--segment " + s + ": expected mynumber, lgwan or internet");
  }
  if (vm.contains("now")) {
    auto t = policy::parseTimestamp(vm["now"].as<std::string>());
    if (!t) return std::unexpected("--now: " + t.error());
    o.now = *t;
  }
  if (vm.contains("lang")) {
    const auto& l = vm["lang"].as<std::string>();
    if (l != "ja" && l != "en") return std::unexpected("--lang " + l + ": expected ja or en");
  }
  return o;
}

// Options of the commands that talk to the collector.
po::options_description serviceOptions(Lang lang) {
  const bool ja = lang == Lang::kJa;
  po::options_description d(ja ? "オプション" : "options");
  d.add_options()("collector", po::value<std::string>()->value_name("URL"),
                  ja ? "収集サーバの URL (https://...)" : "collector URL (https://...)")(
      "token", po::value<std::string>()->value_name("TOKEN"),
      ja ? "登録トークン (--token-file または環境変数 MAMORI_TOKEN も可)"
         : "enrollment token (or --token-file, or the MAMORI_TOKEN variable)")(
      "token-file", po::value<std::string>()->value_name("FILE"),
      ja ? "登録トークンを読むファイル" : "file holding the enrollment token")(
      "ca", po::value<std::string>()->value_name("FILE"),
      ja ? "収集サーバの証明書を検証する CA (既定: システムの CA)"
         : "CA for the collector's certificate (default: the system's CAs)")(
      "force", ja ? "登録済みでも再登録する" : "enroll again though already enrolled")(
      "state-dir", po::value<std::string>()->value_name("DIR"),
      ja ? "状態ディレクトリ (既定: /var/lib/mamori)"
         : "state directory (default /var/lib/mamori)")(
      "root", po::value<std::string>()->value_name("DIR"),
      ja ? "このディレクトリ以下を検査する (既定: /)" : "inspect the system below DIR (default /)")(
      "policy", po::value<std::string>()->value_name("FILE"),
      ja ? "ポリシーファイル" : "policy file")(
      "tuf-root", po::value<std::string>()->value_name("FILE"),
      ja ? "署名付きポリシー配信の信頼の起点 (root.json、既定: /etc/mamori/tuf-root.json)"
         : "root of trust for signed policies (root.json, default /etc/mamori/tuf-root.json)")(
      "segment", po::value<std::string>()->value_name("SEG"),
      ja ? "未登録のときの区分: mynumber | lgwan | internet (登録後はトークンの区分)"
         : "segment while not enrolled: mynumber | lgwan | internet (enrolled: the token's)")(
      "interval", po::value<int>()->value_name("SECONDS"),
      ja ? "報告の間隔 (秒、既定 900)" : "report interval in seconds (default 900)")(
      "once", ja ? "一回だけ実行して終了する" : "run one cycle and exit")(
      "no-self-update", ja ? "エージェント自身を更新しない" : "do not update the agent itself")(
      "update-deadline", po::value<int>()->value_name("SECONDS"),
      ja ? "更新後、この秒数内に報告できなければ前の版に戻す (既定 1800)"
         : "after an update, restore the previous version unless a report gets through within "
           "SECONDS (default 1800)")(
      "no-network-guard", ja ? "端末のファイアウォールを変更しない (端末側の検疫をしない)"
                             : "leave the PC's firewall alone (no quarantine on the PC)")(
      "json", ja ? "JSON で出力する" : "print JSON")("lang", po::value<std::string>(),
                                                     ja ? "表示言語" : "language of the output");
  return d;
}

std::expected<std::string, std::string> enrollmentToken(const po::variables_map& vm) {
  if (vm.contains("token")) return vm["token"].as<std::string>();
  if (vm.contains("token-file")) {
    std::ifstream in(vm["token-file"].as<std::string>());
    std::string token;
    if (!in || !std::getline(in, token)) return std::unexpected("--token-file: cannot read");
    return token;
  }
  if (const char* t = std::getenv("MAMORI_TOKEN"); t && *t) return std::string(t);
  return std::unexpected("an enrollment token is required (--token, --token-file, MAMORI_TOKEN)");
}

int serviceCommand(std::string_view command, std::span<const char* const> args, Lang lang,
                   std::ostream& out, std::ostream& err) {
  po::variables_map vm;
  try {
    std::vector<std::string> rest(args.begin(), args.end());
    po::store(po::command_line_parser(rest).options(serviceOptions(lang)).run(), vm);
  } catch (const po::error& e) {
    err << "mamori-agent " << command << ": " << e.what() << '\n';
    return kError;
  }
  const std::string state_dir =
      vm.contains("state-dir") ? vm["state-dir"].as<std::string>() : kDefaultStateDir;
  const std::string root = vm.contains("root") ? vm["root"].as<std::string>() : "/";
  std::optional<policy::Segment> segment;
  if (vm.contains("segment")) {
    const auto& s = vm["segment"].as<std::string>();
    segment = policy::parseSegment(s);
    if (!segment) {
      err << "mamori-agent " << command << ": --segment " << s
          << ": expected mynumber, lgwan or internet\n";
      return kError;
    }
  }
  if (command == "status") return runStatus(state_dir, lang, vm.contains("json"), out, err);
  if (command == "usb list") {
    UsbListOptions o{root, state_dir, std::nullopt, segment, lang};
    if (vm.contains("policy")) o.policy_file = vm["policy"].as<std::string>();
    return runUsbList(o, out, err);
  }
  if (command == "enroll") {
    auto token = enrollmentToken(vm);
    if (!vm.contains("collector") || !token) {
      err << "mamori-agent enroll: "
          << (token ? std::string("--collector URL is required") : token.error()) << '\n';
      return kError;
    }
    EnrollOptions o{vm["collector"].as<std::string>(),
                    *token,
                    std::nullopt,
                    state_dir,
                    root,
                    vm.contains("force"),
                    lang};
    if (vm.contains("ca")) o.server_ca = vm["ca"].as<std::string>();
    return runEnroll(o, out, err);
  }
  RunOptions o{state_dir, root, std::nullopt, std::chrono::seconds{900}, vm.contains("once"), lang};
  if (vm.contains("policy")) o.policy_file = vm["policy"].as<std::string>();
  o.segment = segment;
  o.network_guard = !vm.contains("no-network-guard");
  if (vm.contains("tuf-root")) o.tuf_root = vm["tuf-root"].as<std::string>();
  if (vm.contains("interval"))
    o.interval = std::chrono::seconds{std::max(10, vm["interval"].as<int>())};
  o.self_update = !vm.contains("no-self-update");
  if (vm.contains("update-deadline"))
    o.update_deadline = std::chrono::seconds{std::max(30, vm["update-deadline"].as<int>())};
  return runAgent(o, out, err);
}

int check(std::span<const char* const> args, Lang lang, const Environment& env, std::ostream& out,
          std::ostream& err) {
  const auto desc = checkOptions(lang);
  po::variables_map vm;
  try {
    std::vector<std::string> rest(args.begin(), args.end());
    po::store(po::command_line_parser(rest).options(desc).run(), vm);
  } catch (const po::error& e) {
    err << "mamori-agent check: " << e.what() << '\n';
    return kError;
  }
  if (vm.contains("help")) {
    printUsage(out, lang);
    return kCompliant;
  }
  auto options = toCheckOptions(vm, lang, env);
  if (!options) {
    err << "mamori-agent check: " << options.error() << '\n';
    return kError;
  }
  return runCheck(std::move(*options), out, err);
}

}  // namespace

Environment processEnvironment() {
  Environment env;
  for (const char* name : {"LC_ALL", "LC_MESSAGES", "LANG"}) {
    if (const char* v = std::getenv(name); v && *v) {
      env.lang_env = v;
      break;
    }
  }
  winsize ws{};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
    env.columns = ws.ws_col;
  } else if (const char* c = std::getenv("COLUMNS")) {
    if (const int n = std::atoi(c); n > 0) env.columns = n;
  }
  return env;
}

int runCli(std::span<const char* const> args, const Environment& env, std::ostream& out,
           std::ostream& err) {
  const Lang lang = requestedLanguage(args, env);
  const std::string_view command = args.size() > 1 ? args[1] : "";
  if (command == "check") return check(args.subspan(2), lang, env, out, err);
  if (command == "enroll" || command == "run" || command == "status") {
    return serviceCommand(command, args.subspan(2), lang, out, err);
  }
  if (command == "uninstall-check") {
    UninstallCheckOptions o;
    for (std::size_t i = 2; i + 1 < args.size(); i += 2) {
      const std::string_view flag = args[i];
      if (flag == "--state-dir") {
        o.state_dir = args[i + 1];
      } else if (flag == "--policy") {
        o.policy_file = args[i + 1];
      } else {
        err << "mamori-agent uninstall-check: unknown option " << flag << '\n';
        return kError;
      }
    }
    // The code comes by the environment, never on a command line others can read.
    if (const char* code = std::getenv("MAMORI_UNLOCK_CODE")) o.unlock_code = code;
    if (const char* by = std::getenv("SUDO_USER")) o.by = by;
    return runUninstallCheck(o, out, err);
  }
  if (command == "usb") {
    if (args.size() > 2 && std::string_view(args[2]) == "list") {
      return serviceCommand("usb list", args.subspan(3), lang, out, err);
    }
    err << "mamori-agent usb: " << (lang == Lang::kJa ? "使い方: " : "usage: ")
        << "mamori-agent usb list [--policy FILE] [--segment SEG] [--state-dir DIR]\n";
    return kError;
  }
  if (command == "--version" || command == "version") {
    out << "mamori-agent " << MAMORI_VERSION << '\n';
    return 0;
  }
  if (command.empty() || command == "--help" || command == "-h" || command == "help") {
    out << (lang == Lang::kJa
                ? "使い方: mamori-agent <コマンド> [オプション]\n\nコマンド:\n"
                  "  check     端末の状態を検査し、ポリシーに照らして判定する\n"
                  "  enroll    収集サーバに端末を登録する\n"
                  "  run       常駐して定期的に検査・報告する (--once で一回)\n"
                  "  status    登録・最終報告・接続判定・未送信件数を表示する\n"
                  "  usb list  USB 機器と判定（許可・遮断とその理由）を表示する\n"
                  "  uninstall-check  削除してよいか (パッケージの prerm が使う、解除コードは "
                  "MAMORI_UNLOCK_CODE)\n"
                  "  version   版数を表示する\n"
                : "usage: mamori-agent <command> [options]\n\ncommands:\n"
                  "  check     inspect this PC and judge it against the policy\n"
                  "  enroll    enroll this PC with the collector\n"
                  "  run       run as a service: check and report periodically "
                  "(--once: one cycle)\n"
                  "  status    enrollment, last report, admission, queued reports\n"
                  "  usb list  USB devices and their decisions (allowed, blocked, why)\n"
                  "  uninstall-check  may the agent be removed (the package's prerm asks; the "
                  "unlock code in MAMORI_UNLOCK_CODE)\n"
                  "  version   print the version\n");
    return command.empty() ? kError : 0;
  }
  err << "mamori-agent: " << (lang == Lang::kJa ? "不明なコマンド: " : "unknown command: ")
      << command << " (mamori-agent --help)\n";
  return kError;
}

}  // namespace mamori::agent
