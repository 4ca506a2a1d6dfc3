// mamori-agent.exe: `check`, `enroll`, `report`, `status` and the Windows service.

#include <windows.h>

#include <iostream>
#include <string>
#include <vector>

#include "collector_commands.hpp"
#include "mamori/agent/check_command.hpp"
#include "posture_check.hpp"
#include "report.hpp"
#include "status_command.hpp"
#include "wide_string.hpp"
#include "windows_service.hpp"

namespace {

using namespace mamori;

constexpr const char* kUsage =
    "usage: mamori-agent check [--policy FILE] [--segment mynumber|lgwan|internet] [--json]\n"
    "                          [--lang ja|en]\n"
    "       mamori-agent enroll [--collector URL] --ca FILE [--token TOKEN] [--force]\n"
    "                           [--state-dir DIR] [--lang ja|en]\n"
    "       mamori-agent report [--state-dir DIR] [--lang ja|en]\n"
    "       mamori-agent status [--state-dir DIR] [--json] [--lang ja|en]\n"
    "       mamori-agent service      (started by the service control manager)\n"
    "       mamori-agent version\n";

int usage(std::string_view problem) {
  std::cerr << "mamori-agent: " << problem << '\n' << kUsage;
  return agent::kError;
}

int check(const std::vector<std::string>& args) {
  std::optional<std::filesystem::path> policy_file;
  std::optional<policy::Segment> segment;
  bool json = false;
  auto lang = policy::Lang::kJa;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    const auto value = [&]() -> const std::string* {
      return i + 1 < args.size() ? &args[++i] : nullptr;
    };
    if (a == "--json") {
      json = true;
    } else if (a == "--policy") {
      const auto* v = value();
      if (!v) return usage("--policy needs a file");
      policy_file = std::filesystem::path(platform::windows::widen(*v));
    } else if (a == "--segment") {
      const auto* v = value();
      if (!v || !(segment = policy::parseSegment(*v))) return usage("--segment: unknown segment");
    } else if (a == "--lang") {
      const auto* v = value();
      if (!v || (*v != "ja" && *v != "en")) return usage("--lang is ja or en");
      lang = *v == "en" ? policy::Lang::kEn : policy::Lang::kJa;
    } else {
      return usage("unknown option " + a);
    }
  }
  const auto result = agent::windows::checkThisPc(policy_file, segment);
  if (!result) {
    std::cerr << "mamori-agent: "
              << (lang == policy::Lang::kJa ? "エラー: ポリシーを読み込めません: "
                                            : "error: policy rejected: ")
              << result.error().describe() << '\n';
    return agent::kError;
  }
  const agent::CheckReport report{result->policy, result->facts, result->verdict,
                                  result->checked_at};
  if (json) {
    agent::printJsonReport(std::cout, report, lang);
  } else {
    CONSOLE_SCREEN_BUFFER_INFO console{};
    const bool tty = GetConsoleScreenBufferInfo(GetStdHandle(STD_OUTPUT_HANDLE), &console);
    const auto columns = tty ? console.srWindow.Right - console.srWindow.Left + 1 : 100;
    agent::printReport(std::cout, report, lang, static_cast<std::size_t>(std::max(columns, 60)));
  }
  return result->verdict.compliant ? agent::kCompliant : agent::kNotCompliant;
}

}  // namespace

int wmain(int argc, wchar_t** argv) {
  SetConsoleOutputCP(CP_UTF8);  // the report is UTF-8 Japanese
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) args.push_back(platform::windows::narrow(argv[i]));
  if (args.empty()) return usage("no command");
  const std::string command = args.front();
  args.erase(args.begin());
  if (command == "check") return check(args);
  if (command == "enroll") return agent::windows::runEnroll(args, std::cout, std::cerr);
  if (command == "report") return agent::windows::runReport(args, std::cout, std::cerr);
  if (command == "status") return agent::windows::runStatus(args, std::cout, std::cerr);
  if (command == "service")
    return args.empty() ? agent::windows::runService() : usage("service takes no options");
  if (command == "version") {
    std::cout << "mamori-agent " << MAMORI_VERSION << " (windows, mingw-w64 build)\n";
    return 0;
  }
  return usage("unknown command " + command);
}
