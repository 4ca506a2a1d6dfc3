// Building findings and the bilingual phrases their evidence shares.

#include "checks.hpp"

namespace mamori::policy::checks {
namespace {

Finding make(std::string_view id, Status status, Text evidence, Text remediation) {
  Finding f;
  f.id = id;
  f.status = status;
  const auto* requirement = findRequirement(id);
  f.severity = requirement ? requirement->severity : Severity::kMedium;
  f.evidence = std::move(evidence);
  f.remediation = std::move(remediation);
  return f;
}

}  // namespace

Finding pass(std::string_view id, Text evidence) {
  return make(id, Status::kPass, std::move(evidence), {});
}
Finding fail(std::string_view id, Text evidence, Text remediation) {
  return make(id, Status::kFail, std::move(evidence), std::move(remediation));
}
Finding unknown(std::string_view id, Text evidence, Text remediation) {
  return make(id, Status::kUnknown, std::move(evidence), std::move(remediation));
}

void append(Text& into, const Text& more) {
  if (into.empty()) {
    into = more;
    return;
  }
  into.ja += "／" + more.ja;
  into.en += "; " + more.en;
}

Text daysText(long long days) {
  const auto n = std::to_string(days);
  return {n + "日", n + (days == 1 ? " day" : " days")};
}

Text hoursText(long long hours) {
  const auto n = std::to_string(hours);
  return {n + "時間", n + " h"};
}

Text secondsText(long long seconds) {
  const auto n = std::to_string(seconds);
  if (seconds < 60 || seconds % 60 != 0) return {n + "秒", n + " s"};
  const auto m = std::to_string(seconds / 60);
  return {n + "秒（" + m + "分）", n + " s (" + m + " min)"};
}

Text ageText(std::chrono::hours age) {
  const auto h = age.count();
  if (h < 48) return hoursText(h);
  const auto d = daysText(h / 24);
  return {d.ja + "（" + std::to_string(h) + "時間）", d.en + " (" + std::to_string(h) + " h)"};
}

Text reasonText(const std::string& reason) {
  // Probes report in English; the Japanese screen shows the same technical reason, labelled.
  return {"確認できません: " + reason, "cannot be determined: " + reason};
}

}  // namespace mamori::policy::checks
