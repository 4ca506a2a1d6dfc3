#include <algorithm>

#include "checks.hpp"
#include "mamori/policy/debian_version.hpp"

namespace mamori::policy::checks {

// PATCH-1 (第116条): security fixes applied: no package below the baseline, and updates not
// stalled for longer than the policy allows.
Finding securityUpdatesApplied(const Context& c) {
  constexpr std::string_view kId = "PATCH-1";
  const Text fix{
      "更新プログラムを適用してください（Debian: apt update && apt upgrade）。"
      "情報システム管理者の指示に従ってください。",
      "Install the pending updates (Debian: apt update && apt upgrade), as the "
      "information system administrator directs."};
  if (!c.facts.packages.known()) return unknown(kId, reasonText(c.facts.packages.reason()), fix);
  const auto& inventory = c.facts.packages.value();
  const auto& rules = c.profile.patches;

  Text evidence;
  bool failed = false, unsure = false;
  std::string below;
  for (const auto& [name, minimum] : rules.minimum_versions) {
    for (const auto& installed : inventory.find(name)) {
      const auto order = compareDebianVersions(installed.version, minimum);
      if (!order) {
        append(evidence, reasonText(name + ": cannot compare versions: " + order.error()));
        unsure = true;
      } else if (*order < 0) {
        below += (below.empty() ? "" : ", ") + name + " " + installed.version + " < " + minimum;
      }
    }
  }
  if (!below.empty()) {
    append(evidence,
           {"基準版数未満のパッケージ: " + below, "packages below the baseline: " + below});
    failed = true;
  } else if (!rules.minimum_versions.empty()) {
    const auto n = std::to_string(rules.minimum_versions.size());
    append(evidence, {"基準版数の " + n + " パッケージはすべて基準以上",
                      "all " + n + " baseline packages at or above their minimum"});
  }

  if (rules.max_days_since_update) {
    const auto limit = daysText(*rules.max_days_since_update);
    if (!inventory.last_change.known()) {
      append(evidence, reasonText(inventory.last_change.reason()));
      unsure = true;
    } else {
      const auto days = daysBetween(inventory.last_change.value(), c.now);
      const auto ago = daysText(std::max(days, 0LL));
      const bool stale = days > *rules.max_days_since_update;
      append(evidence, {"最終更新 " + formatDate(inventory.last_change.value()) + "（" + ago.ja +
                            "前、上限 " + limit.ja + "）",
                        "last package update " + formatDate(inventory.last_change.value()) + " (" +
                            ago.en + " ago, limit " + limit.en + ")"});
      failed |= stale;
    }
  }
  if (evidence.empty()) {
    evidence = {"ポリシーは更新基準を定めていません", "the policy sets no update baseline"};
  }
  if (failed) return fail(kId, evidence, fix);
  if (unsure) return unknown(kId, evidence, fix);
  return pass(kId, evidence);
}

// PATCH-2 (第105条(7)(8)): the OS still supported by its vendor, by the policy's calendar.
Finding osSupported(const Context& c) {
  constexpr std::string_view kId = "PATCH-2";
  const Text ask{"情報システム管理者に連絡してください。",
                 "Contact the information system administrator."};
  if (!c.facts.os.known()) return unknown(kId, reasonText(c.facts.os.reason()), ask);
  const auto& os = c.facts.os.value();
  const auto it = std::ranges::find_if(c.policy.os_support, [&](const OsSupport& e) {
    return e.os_id == os.id && e.version_id == os.version_id;
  });
  const std::string name = os.pretty_name.empty() ? os.id + " " + os.version_id : os.pretty_name;
  if (it == c.policy.os_support.end()) {
    return unknown(kId,
                   {name + " のサポート終了日がポリシーの暦にありません",
                    "the policy's calendar has no end-of-support date for " + name + " (" + os.id +
                        " " + os.version_id + ")"},
                   {"ポリシーの os_support に追加するよう情報システム管理者に依頼してください。",
                    "Ask the information system administrator to add it to the policy's "
                    "os_support calendar."});
  }
  const auto date = formatDate(it->end_of_support);
  // The end-of-support date is the last supported day: count calendar days to it.
  using std::chrono::days;
  const auto days_left =
      (std::chrono::floor<days>(it->end_of_support) - std::chrono::floor<days>(c.now)).count();
  if (days_left < 0) {
    return fail(
        kId,
        {name + " は " + date + " にサポートが終了しています（" + daysText(-days_left).ja +
             "経過）",
         name + " reached end of support on " + date + " (" + daysText(-days_left).en + " ago)"},
        {"サポート中の版へ更新が必要です。情報システム管理者に連絡してください。",
         "The OS must be upgraded to a supported release. Contact the information system "
         "administrator."});
  }
  auto finding =
      pass(kId, {name + " のサポート終了日 " + date + "（残り " + daysText(days_left).ja + "）",
                 name + " supported until " + date + " (" + daysText(days_left).en + " left)"});
  if (days_left <= c.profile.patches.eos_warning_days) {
    finding.warning = true;
    finding.remediation = {
        "サポート終了が近づいています。更新計画を情報システム管理者に確認して"
        "ください。",
        "End of support is near: confirm the upgrade plan with the information "
        "system administrator."};
  }
  return finding;
}

}  // namespace mamori::policy::checks
