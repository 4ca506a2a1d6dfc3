#include "network_keeper.hpp"

namespace mamori::agent {

policy::NetworkDecision networkDecision(const policy::AdmissionRules& rules,
                                        const Enrollment* enrollment,
                                        const std::optional<policy::HeardAdmission>& heard,
                                        policy::TimePoint started, policy::TimePoint now) {
  if (enrollment) return policy::decideNetworkMode(rules, heard, started, now);
  return {policy::NetworkMode::kOpen,
          "network.not-enrolled",
          {"未登録のため端末側の検疫は行いません。", "Not enrolled: no quarantine on the PC."}};
}

NetworkKeeper::NetworkKeeper(std::unique_ptr<platform::NetworkGuard> guard, NetworkState saved)
    : guard_(std::move(guard)), state_(std::move(saved)) {}

std::expected<policy::NetworkMode, Error> NetworkKeeper::readBack() {
  auto current = guard_->current();
  if (current) mode_ = *current;
  return current;
}

platform::NetworkGuardPlan NetworkKeeper::plan(
    const policy::NetworkDecision& decision, const policy::AdmissionRules& rules,
    const std::optional<std::pair<std::string, std::uint16_t>>& collector, const Resolver& resolve,
    std::vector<std::string>& warnings) const {
  if (!collector) return {policy::NetworkMode::kOpen, {}, {}, ""};
  return networkGuardPlan(decision, rules, collector->first, collector->second, state_, resolve,
                          warnings);
}

std::optional<NetworkStep> NetworkKeeper::carryOut(const policy::NetworkDecision& decision,
                                                   const platform::NetworkGuardPlan& next,
                                                   policy::TimePoint now) {
  // Open means no rules of mamori's: when the firewall has none, there is nothing to change
  // (and a PC without a working firewall is not bothered until it must be closed).
  if (!applied_ && next.mode == policy::NetworkMode::kOpen && mode_ == next.mode) applied_ = next;
  if (applied_ && *applied_ == next && state_.decision == decision) return std::nullopt;

  NetworkStep step;
  if (!applied_ || *applied_ != next) {
    if (auto ok = guard_->apply(next); ok) {
      applied_ = next;
    } else {
      step.error = ok.error().describe();
    }
  }
  step.from = mode_;
  if (step.error.empty()) mode_ = next.mode;
  step.entered = mode_ != step.from;
  step.record = step.entered || decision.mode != state_.decision.mode || step.error != state_.error;
  // A first record has no time yet (the default): the PC has been in this mode since now.
  if (step.entered || state_.since == policy::TimePoint{}) state_.since = now;
  state_.decision = decision;
  state_.error = step.error;
  if (!next.collector.empty()) state_.collector = next.collector;
  if (!next.remediation.empty()) state_.remediation = next.remediation;
  return step;
}

}  // namespace mamori::agent
