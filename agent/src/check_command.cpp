#include "mamori/agent/check_command.hpp"

#include <algorithm>
#include <ostream>

#include "agent_state.hpp"
#include "local_store.hpp"
#include "mamori/agent/service_commands.hpp"
#include "mamori/platform/posture_probe.hpp"
#include "mamori/policy/evaluate.hpp"
#include "policy_file.hpp"
#include "report.hpp"
#include "report_cycle.hpp"

namespace mamori::agent {
namespace {

// USB-3 judges the agent service's own log: read where the service keeps it, never created.
policy::Observed<policy::UsbAuditLog> serviceAuditLog(const CheckOptions& o) {
  const auto dir = o.state_dir ? *o.state_dir
                               : (o.root == "/" ? std::filesystem::path(kDefaultStateDir)
                                                : std::filesystem::path());
  const auto file = StatePaths{dir}.database();
  std::error_code ec;
  if (dir.empty() || !std::filesystem::exists(file, ec)) {
    return policy::Observed<policy::UsbAuditLog>::unknown(
        "the mamori agent service has not run here (no " + file.string() + ")");
  }
  auto store = LocalStore::open(file);
  if (!store) return policy::Observed<policy::UsbAuditLog>::unknown(store.error().describe());
  return auditFacts(*store);
}

}  // namespace

int runCheck(CheckOptions options, std::ostream& out, std::ostream& err) {
  const bool ja = options.lang == policy::Lang::kJa;
  std::error_code ec;
  if (!std::filesystem::is_directory(options.root, ec)) {
    err << "mamori-agent: " << (ja ? "エラー: ルートを読めません: " : "error: cannot read root ")
        << options.root.string() << ": " << (ec ? ec.message() : "not a directory") << '\n';
    return kError;
  }
  auto loaded = loadPolicy(options.policy_file);
  if (!loaded) {
    err << "mamori-agent: "
        << (ja ? "エラー: ポリシーを読み込めません: " : "error: policy rejected: ")
        << loaded.error().describe() << '\n';
    return kError;
  }
  const policy::Policy& pol = *loaded;
  const auto now = options.now.value_or(
      std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
  const auto segment = options.segment.value_or(pol.default_segment);

  // The probe reads the login services of every segment, so facts sent to the collector
  // serve whichever segment it judges the PC by.
  std::vector<std::string> login_services;
  for (const auto& profile : pol.profiles) {
    for (const auto& service : profile.mfa.services) {
      if (std::ranges::find(login_services, service) == login_services.end())
        login_services.push_back(service);
    }
  }
  auto probe = platform::makePostureProbe(
      {options.root, std::move(options.commands), std::move(login_services)});
  auto facts = probe->collect(now);
  facts.usb_audit = serviceAuditLog(options);
  const auto verdict = policy::evaluate(pol, segment, facts, pol.exceptions, now);

  const CheckReport report{pol, facts, verdict, now};
  if (options.json) {
    printJsonReport(out, report, options.lang);
  } else {
    printReport(out, report, options.lang, options.columns);
  }
  return verdict.compliant ? kCompliant : kNotCompliant;
}

}  // namespace mamori::agent
