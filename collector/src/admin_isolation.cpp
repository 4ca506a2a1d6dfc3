// CSIRT isolation (NET-4, 第107条3): an admin cuts an infected or suspect PC off the network.
// The agent learns it at its next contact and closes the PC's firewall to everything but the
// collector; the switches (RADIUS) put it in the quarantine VLAN. Only a release lifts it.
// Every isolation and release is kept with who ordered it, when and why.

#include <ostream>

#include "admin_commands.hpp"

namespace mamori::collector::admin {
namespace {

int change(const Context& c, const std::string& device, bool isolate, const Options& o) {
  if (!o.contains("reason")) {
    return usage(c, ja(c) ? "理由が必要です: --reason (インシデント番号など)"
                          : "missing --reason (an incident number, say)");
  }
  const IsolationChange requested{device, c.now, isolate, c.user, o["reason"].as<std::string>()};
  if (auto ok = c.store.changeIsolation(requested); !ok) return fail(c, ok.error());
  if (isolate) {
    c.out << (ja(c) ? "端末を隔離しました (次回の通信で端末のネットワークを遮断します): "
                    : "device isolated (its network is cut at its next contact): ");
  } else {
    c.out << (ja(c) ? "端末の隔離を解除しました: " : "device released from isolation: ");
  }
  c.out << device << " (" << requested.by << ", " << requested.reason << ")\n";
  return 0;
}

}  // namespace

int deviceIsolate(const Context& c, const std::string& device, const Options& o) {
  return change(c, device, true, o);
}

int deviceRelease(const Context& c, const std::string& device, const Options& o) {
  return change(c, device, false, o);
}

void printIsolationHistory(const Context& c, const std::vector<IsolationChange>& changes) {
  c.out << (ja(c) ? "隔離の記録:\n" : "isolation history:\n");
  if (changes.empty()) c.out << (ja(c) ? "  なし\n" : "  none\n");
  for (const auto& ch : changes) {
    c.out << "  " << policy::formatTimestamp(ch.at) << "  "
          << (ch.isolated ? (ja(c) ? "隔離" : "isolated") : (ja(c) ? "解除" : "released")) << "  "
          << ch.by << "  " << ch.reason << '\n';
  }
}

}  // namespace mamori::collector::admin
