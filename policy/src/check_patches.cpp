#include <algorithm>

#include "checks.hpp"
#include "mamori/policy/debian_version.hpp"
#include "windows_build.hpp"

namespace mamori::policy::checks {

namespace {

// Evidence gathered across the parts of PATCH-1, folded into one finding at the end.
struct Tally {
  Text evidence;
  bool failed = false;
  bool unsure = false;
};

// Windows updates are cumulative: the build's update revision is the patch level, compared with
// the city's baseline for that feature release.
void checkWindowsBuild(const OsRelease& os, const PatchRules& rules, Tally& t) {
  const auto build = parseWindowsBuild(os.build, 4);
  if (!build) {
    append(t.evidence, reasonText("cannot read the Windows build \"" + os.build + "\""));
    t.unsure = true;
    return;
  }
  const auto rule = rules.minimum_os_builds.find(os.version_id);
  if (rule == rules.minimum_os_builds.end()) {
    if (!rules.minimum_os_builds.empty()) {
      append(t.evidence, {"ビルド " + os.build + "（この版の基準ビルドは未設定）",
                          "build " + os.build + " (the policy sets no baseline for this release)"});
    }
    return;
  }
  const auto minimum = parseWindowsBuild(rule->second, 4);  // checked by the policy codec
  if (minimum && *build < *minimum) {
    append(t.evidence, {"ビルド " + os.build + " は基準 " + rule->second + " 未満",
                        "build " + os.build + " is below the baseline " + rule->second});
    t.failed = true;
  } else {
    append(t.evidence, {"ビルド " + os.build + "（基準 " + rule->second + " 以上）",
                        "build " + os.build + " (at or above the baseline " + rule->second + ")"});
  }
}

void checkPackages(const PackageInventory& inventory, const PatchRules& rules, Tally& t) {
  std::string below;
  for (const auto& [name, minimum] : rules.minimum_versions) {
    for (const auto& installed : inventory.find(name)) {
      const auto order = compareDebianVersions(installed.version, minimum);
      if (!order) {
        append(t.evidence, reasonText(name + ": cannot compare versions: " + order.error()));
        t.unsure = true;
      } else if (*order < 0) {
        below += (below.empty() ? "" : ", ") + name + " " + installed.version + " < " + minimum;
      }
    }
  }
  if (!below.empty()) {
    append(t.evidence,
           {"基準版数未満のパッケージ: " + below, "packages below the baseline: " + below});
    t.failed = true;
  } else if (!rules.minimum_versions.empty()) {
    const auto n = std::to_string(rules.minimum_versions.size());
    append(t.evidence, {"基準版数の " + n + " パッケージはすべて基準以上",
                        "all " + n + " baseline packages at or above their minimum"});
  }
}

void checkLastUpdate(const PackageInventory& inventory, const PatchRules& rules, TimePoint now,
                     Tally& t) {
  if (!rules.max_days_since_update) return;
  const auto limit = daysText(*rules.max_days_since_update);
  if (!inventory.last_change.known()) {
    append(t.evidence, reasonText(inventory.last_change.reason()));
    t.unsure = true;
    return;
  }
  const auto days = daysBetween(inventory.last_change.value(), now);
  const auto ago = daysText(std::max(days, 0LL));
  const Text label = inventory.manager == "dpkg"
                         ? Text{"最終更新", "last package update"}
                         : Text{"更新プログラムの最終適用", "last update installed"};
  const auto date = formatDate(inventory.last_change.value());
  append(t.evidence, {label.ja + " " + date + "（" + ago.ja + "前、上限 " + limit.ja + "）",
                      label.en + " " + date + " (" + ago.en + " ago, limit " + limit.en + ")"});
  t.failed |= days > *rules.max_days_since_update;
}

// Windows Update's own list of security updates not installed. Right after Patch Tuesday every
// PC has some, for the days Windows takes to download, install and restart: an update fails
// PATCH-1 only once it has waited longer than the policy lets updates stall.
void checkPendingUpdates(const PackageInventory& inventory, const PatchRules& rules, TimePoint now,
                         Tally& t) {
  if (!inventory.pending_security_updates) return;
  const auto& pending = *inventory.pending_security_updates;
  if (!pending.known()) {
    append(t.evidence, reasonText(pending.reason()));
    t.unsure = true;
    return;
  }
  if (pending->empty()) {
    append(t.evidence, {"未適用のセキュリティ更新なし", "no security update waiting"});
    return;
  }
  std::string overdue;
  std::size_t late = 0;
  for (const auto& update : pending.value()) {
    if (!rules.max_days_since_update ||
        daysBetween(update.released, now) <= *rules.max_days_since_update) {
      continue;
    }
    if (++late <= 3) overdue += (overdue.empty() ? "" : "; ") + update.title;
  }
  const auto n = std::to_string(pending->size());
  if (late == 0) {
    append(t.evidence, {"未適用のセキュリティ更新 " + n + " 件（期限内）",
                        n + " security updates waiting, none overdue"});
    return;
  }
  const auto limit = daysText(*rules.max_days_since_update);
  const auto more = late > 3 ? " ..." : "";
  append(t.evidence, {"未適用のセキュリティ更新 " + n + " 件、うち " + std::to_string(late) +
                          " 件は公開から" + limit.ja + "超: " + overdue + more,
                      n + " security updates waiting, " + std::to_string(late) +
                          " released more than " + limit.en + " ago: " + overdue + more});
  t.failed = true;
}

}  // namespace

// PATCH-1 (第116条): security fixes applied: no package (on Windows: no OS build) below the
// baseline, updates not stalled for longer than the policy allows, and on Windows no security
// update left waiting for longer than that.
Finding securityUpdatesApplied(const Context& c) {
  constexpr std::string_view kId = "PATCH-1";
  const Text fix{
      "更新プログラムを適用してください（Debian: apt update && apt upgrade、Windows: "
      "Windows Update）。情報システム管理者の指示に従ってください。",
      "Install the pending updates (Debian: apt update && apt upgrade; Windows: Windows "
      "Update), as the information system administrator directs."};
  const auto& rules = c.profile.patches;
  Tally t;
  const bool windows = c.windows();
  if (windows) checkWindowsBuild(c.facts.os.value(), rules, t);
  if (!c.facts.packages.known()) {
    if (!windows) return unknown(kId, reasonText(c.facts.packages.reason()), fix);
    append(t.evidence, reasonText(c.facts.packages.reason()));
    t.unsure = true;
  } else {
    // A Windows inventory lists no packages: its baseline is the build, checked above.
    if (!windows) checkPackages(c.facts.packages.value(), rules, t);
    checkLastUpdate(c.facts.packages.value(), rules, c.now, t);
    checkPendingUpdates(c.facts.packages.value(), rules, c.now, t);
  }
  if (t.evidence.empty()) {
    t.evidence = {"ポリシーは更新基準を定めていません", "the policy sets no update baseline"};
  }
  if (t.failed) return fail(kId, t.evidence, fix);
  if (t.unsure) return unknown(kId, t.evidence, fix);
  return pass(kId, t.evidence);
}

// PATCH-2 (第105条(7)(8)): the OS still supported by its vendor, by the policy's calendar.
Finding osSupported(const Context& c) {
  constexpr std::string_view kId = "PATCH-2";
  const Text ask{"情報システム管理者に連絡してください。",
                 "Contact the information system administrator."};
  if (!c.facts.os.known()) return unknown(kId, reasonText(c.facts.os.reason()), ask);
  const auto& os = c.facts.os.value();
  // An entry for the PC's own edition wins over the release's general date.
  const auto matches = [&](const OsSupport& e, std::string_view edition) {
    return e.os_id == os.id && e.version_id == os.version_id && e.edition == edition;
  };
  auto it = std::ranges::find_if(c.policy.os_support,
                                 [&](const OsSupport& e) { return matches(e, os.edition); });
  if (it == c.policy.os_support.end()) {
    it = std::ranges::find_if(c.policy.os_support,
                              [&](const OsSupport& e) { return matches(e, ""); });
  }
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
