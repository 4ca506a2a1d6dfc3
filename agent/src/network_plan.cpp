#include "network_plan.hpp"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <iterator>

#include "mamori/policy/json_reader.hpp"

namespace mamori::agent {
namespace {

namespace js = boost::json;
using policy::json::Fields;
using policy::json::Node;

js::array toJson(const std::vector<platform::Endpoint>& endpoints) {
  js::array a;
  for (const auto& e : endpoints) {
    a.push_back(js::object{{"address", e.address}, {"port", e.port}, {"name", e.name}});
  }
  return a;
}

std::vector<platform::Endpoint> endpointsOf(const Node& node) {
  std::vector<platform::Endpoint> endpoints;
  for (const auto& item : node.array()) {
    Fields f(item);
    platform::Endpoint e;
    e.address = std::string(f.required("address").nonEmptyString());
    e.port = static_cast<std::uint16_t>(f.required("port").integer(1, 65535));
    e.name = std::string(f.required("name").nonEmptyString());
    f.finish();
    endpoints.push_back(std::move(e));
  }
  return endpoints;
}

policy::Text textOf(const Node& node) {
  Fields f(node);
  policy::Text t{std::string(f.required("ja").string()), std::string(f.required("en").string())};
  f.finish();
  return t;
}

policy::TimePoint timeOf(const Node& node) {
  auto t = policy::parseTimestamp(node.string());
  if (!t) node.fail("is not an ISO 8601 time");
  return *t;
}

// The cached endpoints named `name`: what to use when `name` cannot be resolved now.
std::vector<platform::Endpoint> cached(const std::vector<platform::Endpoint>& cache,
                                       const std::string& name) {
  std::vector<platform::Endpoint> found;
  std::ranges::copy_if(cache, std::back_inserter(found),
                       [&](const auto& e) { return e.name == name; });
  return found;
}

}  // namespace

std::string NetworkState::toJson() const {
  return js::serialize(
      js::object{{"mode", policy::networkModeId(decision.mode)},
                 {"rule", decision.rule},
                 {"reason", {{"ja", decision.reason.ja}, {"en", decision.reason.en}}},
                 {"since", policy::formatTimestamp(since)},
                 {"error", error},
                 {"collector", agent::toJson(collector)},
                 {"remediation", agent::toJson(remediation)}});
}

std::expected<NetworkState, Error> NetworkState::fromJson(std::string_view text) {
  return policy::json::decoded([&] {
    const auto root = policy::json::parseText(text);
    Fields f{Node(root)};
    NetworkState s;
    const Node mode = f.required("mode");
    const auto m = policy::parseNetworkMode(mode.string());
    if (!m) mode.fail("is not open, quarantine or isolated");
    s.decision.mode = *m;
    s.decision.rule = std::string(f.required("rule").nonEmptyString());
    s.decision.reason = textOf(f.required("reason"));
    s.since = timeOf(f.required("since"));
    s.error = std::string(f.required("error").string());
    s.collector = endpointsOf(f.required("collector"));
    s.remediation = endpointsOf(f.required("remediation"));
    f.finish();
    return s;
  });
}

std::vector<std::pair<std::string, std::string>> networkStatusLines(
    const std::optional<NetworkState>& state, policy::Lang lang) {
  const bool ja = lang == policy::Lang::kJa;
  std::vector<std::pair<std::string, std::string>> lines;
  if (!state) {
    lines.emplace_back(ja ? "ネットワーク" : "network",
                       ja ? "端末側の検疫なし" : "no quarantine on the PC");
    return lines;
  }
  const auto& d = state->decision;
  lines.emplace_back(ja ? "ネットワーク" : "network",
                     policy::networkModeText(d.mode).in(lang) + " (" +
                         policy::formatTimestamp(state->since) + (ja ? " から) — " : " on) — ") +
                         d.reason.in(lang));
  if (!state->error.empty()) {
    lines.emplace_back(ja ? "ファイアウォールの設定失敗" : "firewall not set", state->error);
  }
  return lines;
}

policy::HeardAdmission heardOf(const protocol::AdmissionState& state, policy::TimePoint heard_at) {
  const auto reason = state.isolation
                          ? policy::Text{state.isolation->reason, state.isolation->reason}
                          : state.reason;
  return policy::HeardAdmission{state.admission, state.isolation.has_value(), reason, heard_at};
}

std::string asciiReason(const policy::NetworkDecision& d) {
  std::string line = d.rule + ": ";
  for (const char c : d.reason.en) {
    if (line.size() >= 160) break;
    if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') continue;
    if (c == ' ' && line.back() == ' ') continue;
    line += c;
  }
  while (line.back() == ' ') line.pop_back();
  return line;
}

platform::NetworkGuardPlan networkGuardPlan(const policy::NetworkDecision& decision,
                                            const policy::AdmissionRules& rules,
                                            const std::string& collector_host,
                                            std::uint16_t collector_port, const NetworkState& last,
                                            const Resolver& resolve,
                                            std::vector<std::string>& warnings) {
  platform::NetworkGuardPlan p{decision.mode, {}, {}, asciiReason(decision)};
  if (decision.mode == policy::NetworkMode::kOpen) return p;
  // Isolation closes DNS: the names are not asked, the addresses resolved earlier serve.
  const bool ask_dns = decision.mode == policy::NetworkMode::kQuarantine;
  const auto add = [&](std::vector<platform::Endpoint>& into,
                       const std::vector<platform::Endpoint>& cache, const std::string& host,
                       std::uint16_t port, const std::string& name) {
    auto resolved = ask_dns ? resolve(host, port, name)
                            : std::unexpected<std::string>("not asked while isolated");
    if (!resolved) {
      if (ask_dns) warnings.push_back(resolved.error() + "; using the last addresses");
      resolved = cached(cache, name);
    }
    into.insert(into.end(), resolved->begin(), resolved->end());
  };
  add(p.collector, last.collector, collector_host, collector_port, "collector");
  if (decision.mode == policy::NetworkMode::kQuarantine) {
    for (const auto& r : rules.remediation)
      add(p.remediation, last.remediation, r.host, r.port, r.host);
  }
  if (p.collector.empty()) {
    warnings.push_back("no address for the collector " + collector_host +
                       "; the PC cannot reach it until the name resolves");
  }
  return p;
}

}  // namespace mamori::agent
