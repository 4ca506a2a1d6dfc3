#include <boost/json/parse.hpp>
#include <ostream>

#include "admin_commands.hpp"
#include "collector_state.hpp"
#include "mamori/collector/service.hpp"
#include "mamori/protocol/atomic_file.hpp"
#include "mamori/protocol/unlock_code.hpp"

namespace mamori::collector::admin {
namespace {

constexpr int kRecentAuditEvents = 10;

std::string timeOrDash(const std::optional<policy::TimePoint>& t) {
  return t ? policy::formatTimestamp(*t) : "-";
}

// The findings an admin acts on: every requirement the last report did not meet, with the
// evidence as the collector recorded it (in Japanese: the stored verdict is the staff's text).
void printUnmetFindings(const Context& c, const std::string& verdict_json) {
  boost::system::error_code ec;
  const auto verdict = boost::json::parse(verdict_json, ec);
  const auto* findings =
      ec || !verdict.is_object() ? nullptr : verdict.as_object().if_contains("findings");
  if (findings == nullptr || !findings->is_array()) return;
  c.out << (ja(c) ? "未達の要件:\n" : "requirements not met:\n");
  int unmet = 0;
  for (const auto& value : findings->as_array()) {
    const auto* f = value.if_object();
    if (f == nullptr || !f->contains("status") || f->at("status") == "pass") continue;
    const auto text = [&](const char* key) {
      const auto* v = f->if_contains(key);
      return v && v->is_string() ? std::string(v->as_string()) : std::string();
    };
    c.out << "  " << text("id") << "  " << text("status") << "  " << text("severity");
    if (const auto exception = text("exception"); !exception.empty()) {
      c.out << (ja(c) ? "  (例外 " : "  (exception ") << exception << ')';
    }
    c.out << "  " << text("evidence") << '\n';
    ++unmet;
  }
  if (unmet == 0) c.out << (ja(c) ? "  なし\n" : "  none\n");
}

}  // namespace

int deviceList(const Context& c) {
  auto devices = c.store.listDevices();
  if (!devices) return fail(c, devices.error());
  c.out << (ja(c) ? "端末ID  ホスト名  部署  区分  接続判定  最終報告\n"
                  : "device  hostname  department  segment  admission  last report\n");
  for (const auto& d : *devices) {
    auto posture = c.store.latestPosture(d.id);
    if (!posture) return fail(c, posture.error());
    const Posture* latest = *posture ? &**posture : nullptr;
    const auto state =
        admissionAt(d, latest, *c.policies.policyFor(d.segment, d.department), c.now);
    c.out << d.id << "  " << d.identity.hostname << "  " << d.department << "  "
          << policy::segmentId(d.segment) << "  "
          << (d.revoked_at  ? (ja(c) ? "失効" : "revoked")
              : d.isolation ? (ja(c) ? "隔離" : "isolated")
                            : policy::admissionId(state.admission))
          << "  " << timeOrDash(state.reported_at) << '\n';
  }
  return 0;
}

int deviceShow(const Context& c, const std::string& id) {
  auto device = c.store.findDevice(id);
  if (!device) return fail(c, device.error());
  if (!*device) return usage(c, (ja(c) ? "端末が見つかりません: " : "no such device: ") + id);
  const DeviceRecord& d = **device;
  auto posture = c.store.latestPosture(d.id);
  if (!posture) return fail(c, posture.error());
  const Posture* latest = *posture ? &**posture : nullptr;
  const auto state = admissionAt(d, latest, *c.policies.policyFor(d.segment, d.department), c.now);
  std::string macs;
  for (const auto& m : d.identity.macs) macs += (macs.empty() ? "" : " ") + m;
  const auto line = [&](std::string_view label_ja, std::string_view label_en,
                        const std::string& value) {
    c.out << (ja(c) ? label_ja : label_en) << ": " << value << '\n';
  };
  line("端末ID", "device", d.id);
  line("ホスト名", "hostname", d.identity.hostname);
  line("machine-id", "machine-id", d.identity.machine_id);
  line("SMBIOS UUID", "SMBIOS UUID", d.identity.smbios_uuid.empty() ? "-" : d.identity.smbios_uuid);
  line("MAC アドレス", "MAC addresses", macs.empty() ? "-" : macs);
  line("部署 / 区分", "department / segment",
       d.department + " / " + std::string(policy::segmentId(d.segment)));
  line("登録日時", "enrolled", policy::formatTimestamp(d.enrolled_at));
  line("証明書", "certificate",
       d.certificate_serial + (ja(c) ? " (期限 " : " (expires ") +
           policy::formatTimestamp(d.certificate_expires) + ")");
  line("失効", "revoked", timeOrDash(d.revoked_at));
  line("接続判定", "admission",
       std::string(policy::admissionId(state.admission)) + " — " + state.reason.in(c.lang));
  line("最終報告", "last report", timeOrDash(state.reported_at));
  auto count = c.store.countReports(d.id);
  if (!count) return fail(c, count.error());
  line("報告数", "reports", std::to_string(*count));
  // The policy the PC itself runs, from the report the posture comes from (reports received in
  // the same second are not ordered by time).
  auto recent = c.store.reportsOf(d.id, 10);
  if (!recent) return fail(c, recent.error());
  const auto latest_report = std::ranges::find_if(
      *recent, [&](const ReportRecord& r) { return latest && r.report_id == latest->report_id; });
  line("端末のポリシー", "policy on the PC",
       latest_report == recent->end()
           ? "-"
           : "version " + std::to_string(latest_report->agent_policy_version));
  line("エージェントの版", "agent version",
       latest_report == recent->end() ? "-" : latest_report->agent_version);
  if (latest) printUnmetFindings(c, latest->verdict_json);
  auto isolations = c.store.isolationHistory(d.id);
  if (!isolations) return fail(c, isolations.error());
  printIsolationHistory(c, *isolations);
  auto unlock_codes = c.store.unlockCodes(d.id);
  if (!unlock_codes) return fail(c, unlock_codes.error());
  c.out << (ja(c) ? "発行した解除コード:\n" : "unlock codes issued:\n");
  if (unlock_codes->empty()) c.out << (ja(c) ? "  なし\n" : "  none\n");
  for (const auto& u : *unlock_codes) {
    c.out << "  " << policy::formatTimestamp(u.issued_at) << "  " << u.issued_by
          << (ja(c) ? "  期限 " : "  valid until ") << policy::formatTimestamp(u.expires) << '\n';
  }
  auto events = c.store.auditEvents(d.id, kRecentAuditEvents);
  if (!events) return fail(c, events.error());
  c.out << (ja(c) ? "最近の監査記録:\n" : "recent audit events:\n");
  printAuditEvents(c, *events, false);
  return 0;
}

int deviceRevoke(const Context& c, const std::string& id) {
  if (auto ok = c.store.revokeDevice(id, c.now); !ok) return fail(c, ok.error());
  c.out << (ja(c) ? "端末を失効させました (証明書は以後受け付けません): "
                  : "device revoked (its certificate is refused from now on): ")
        << id << '\n';
  return 0;
}

// Uninstall protection (issue 8): a code that lets one PC's agent be removed, for a while.
int deviceUnlockCode(const Context& c, const std::string& id, const Options& o) {
  auto device = c.store.findDevice(id);
  if (!device) return fail(c, device.error());
  if (!*device) return usage(c, (ja(c) ? "端末が見つかりません: " : "no such device: ") + id);
  const int hours = o["valid-hours"].defaulted() ? 24 : o["valid-hours"].as<int>();
  if (hours < 1 || hours > 24 * 30) return usage(c, "--valid-hours: 1 to 720");
  auto state = prepareState(c.config, c.now);
  if (!state) return fail(c, state.error());
  const protocol::UnlockGrant grant{id, c.now + std::chrono::hours{hours}};
  auto code = protocol::signUnlockCode(grant, state->ca.privateKeyPem());
  if (!code) return fail(c, code.error());
  // On record before it is shown: no code leaves the collector unaccounted for.
  if (auto ok = c.store.recordUnlockCode({id, c.now, grant.expires, c.user}); !ok) {
    return fail(c, ok.error());
  }
  c.out << (ja(c) ? "解除コード (端末 " : "unlock code (device ") << id
        << (ja(c) ? "、期限 " : ", valid until ") << policy::formatTimestamp(grant.expires) << ", "
        << c.user << "):\n"
        << *code << '\n';
  return 0;
}

int serviceCertificate(const Context& c, const Options& o) {
  if (!o.contains("name") || !o.contains("out-dir")) {
    return usage(c, "--name and --out-dir are required");
  }
  const auto name = o["name"].as<std::string>();
  const std::filesystem::path dir = o["out-dir"].as<std::string>();
  auto state = prepareState(c.config, c.now);
  if (!state) return fail(c, state.error());
  auto pair = makeKeyAndRequest(name);
  if (!pair) return fail(c, pair.error());
  auto cert = state->ca.issueService(pair->csr_pem, name, c.now, std::chrono::days{397});
  if (!cert) return fail(c, cert.error());
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  for (const auto& [file, content, mode] :
       {std::tuple{dir / (name + ".key"), pair->key_pem, mode_t{0600}},
        std::tuple{dir / (name + ".crt"), cert->pem, mode_t{0644}},
        std::tuple{dir / "ca.crt", state->ca.certificatePem(), mode_t{0644}}}) {
    if (auto ok = protocol::writeFileAtomically(file, content, mode); !ok)
      return fail(c, ok.error());
  }
  c.out << (ja(c) ? "サービス証明書を書き出しました: " : "service certificate written: ")
        << (dir / (name + ".crt")).string() << " (" << cert->serial << ")\n";
  return 0;
}

}  // namespace mamori::collector::admin
