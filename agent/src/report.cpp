#include "report.hpp"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <ostream>

#include "display_width.hpp"
#include "mamori/policy/json_codec.hpp"

namespace mamori::agent {
namespace {

using policy::Lang;
using policy::Status;
using policy::Text;

Text statusLabel(const policy::Finding& f) {
  switch (f.status) {
    case Status::kPass: return f.warning ? Text{"合格(注意)", "PASS (warn)"} : Text{"合格", "PASS"};
    case Status::kFail: return {"不合格", "FAIL"};
    case Status::kUnknown: return {"不明", "UNKNOWN"};
    case Status::kExcepted: return {"例外", "EXCEPTED"};
  }
  return {};
}

Text admissionLabel(policy::Admission a) {
  switch (a) {
    case policy::Admission::kAdmit: return {"接続許可", "admit"};
    case policy::Admission::kWarn: return {"警告付きで接続許可", "admit with warning"};
    case policy::Admission::kQuarantine: return {"隔離", "quarantine"};
  }
  return {};
}

std::string hostLine(const CheckReport& r, Lang lang) {
  std::string host = r.facts.device.hostname.empty() ? "?" : r.facts.device.hostname;
  if (r.facts.os.known() && !r.facts.os->pretty_name.empty()) {
    host += " (" + r.facts.os->pretty_name + ")";
  }
  return (lang == Lang::kJa ? "mamori 端末検査 — " : "mamori posture check — ") + host;
}

std::string contextLine(const CheckReport& r, Lang lang) {
  const auto& p = r.policy;
  const std::string policy_name =
      (p.name.empty() ? std::string("-") : p.name) + " (v" + std::to_string(p.version) + ")";
  const std::string segment = policy::segmentName(r.verdict.segment).in(lang);
  const std::string when = policy::formatTimestamp(r.checked_at);
  return lang == Lang::kJa
             ? "区分: " + segment + "   ポリシー: " + policy_name + "   時刻: " + when
             : "Segment: " + segment + "   Policy: " + policy_name + "   Time: " + when;
}

std::string summaryLine(const policy::Verdict& v, Lang lang) {
  const auto admission = admissionLabel(v.admission).in(lang);
  if (lang == Lang::kJa) {
    return std::string("判定: ") + (v.compliant ? "適合" : "不適合") +
           " — ネットワーク: " + admission;
  }
  return std::string("Result: ") + (v.compliant ? "compliant" : "NOT compliant") +
         " — network: " + admission;
}

// One finding: id and status in fixed columns, then title, evidence and remediation wrapped
// in the remaining width.
void printFinding(std::ostream& out, const policy::Finding& f, Lang lang, std::size_t columns) {
  constexpr std::size_t kIdWidth = 9, kStatusWidth = 12;
  const std::size_t indent = kIdWidth + kStatusWidth;
  const std::size_t text_width = columns > indent + 20 ? columns - indent : 40;
  const std::string blank(indent, ' ');

  const auto* requirement = policy::findRequirement(f.id);
  std::vector<std::string> lines;
  if (requirement) {
    lines.push_back(requirement->title.in(lang) + " [" + std::string(requirement->articles) + "]");
  }
  for (auto& l : wrapText(f.evidence.in(lang), text_width)) lines.push_back(std::move(l));
  // What to do for a failure; a passing finding's remediation only shows as a warning's note.
  const bool failing = f.status == Status::kFail || f.status == Status::kUnknown;
  if (!f.remediation.empty() && (failing || f.warning)) {
    const Text label = failing ? Text{"→ 対処: ", "→ To do: "} : Text{"→ 注意: ", "→ Note: "};
    for (auto& l : wrapText(label.in(lang) + f.remediation.in(lang), text_width)) {
      lines.push_back(std::move(l));
    }
  }
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i == 0) {
      out << padRight(f.id, kIdWidth) << padRight(statusLabel(f).in(lang), kStatusWidth);
    } else {
      out << blank;
    }
    out << lines[i] << '\n';
  }
}

}  // namespace

void printReport(std::ostream& out, const CheckReport& report, Lang lang, std::size_t columns) {
  out << hostLine(report, lang) << '\n' << contextLine(report, lang) << "\n\n";
  for (const auto& f : report.verdict.findings) printFinding(out, f, lang, columns);
  out << '\n' << summaryLine(report.verdict, lang) << '\n';
}

void printJsonReport(std::ostream& out, const CheckReport& report, Lang lang) {
  auto doc = policy::toJson(report.verdict, lang);
  doc["policy_name"] = report.policy.name;
  doc["checked_at"] = policy::formatTimestamp(report.checked_at);
  doc["facts"] = policy::toJson(report.facts);
  out << boost::json::serialize(doc) << '\n';
}

}  // namespace mamori::agent
