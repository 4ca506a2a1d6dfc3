#include "policy_update.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "mamori/policy/policy_codec.hpp"
#include "mamori/protocol/atomic_file.hpp"
#include "trusted_repository.hpp"

namespace mamori::agent {
namespace {

constexpr std::uintmax_t kMaxPolicyBytes = 4 << 20;

}  // namespace

void recordPolicyInForce(LocalStore& store, const policy::Policy& policy, std::string source,
                         policy::TimePoint now) {
  const boost::json::object record{{"version", policy.version},
                                   {"name", policy.name},
                                   {"source", std::move(source)},
                                   {"since", policy::formatTimestamp(now)}};
  (void)store.setState("policy_in_force", boost::json::serialize(record));
}

std::optional<PolicyInForce> policyInForce(LocalStore& store) {
  const auto saved = store.state("policy_in_force");
  if (!saved) return std::nullopt;
  boost::system::error_code ec;
  const auto parsed = boost::json::parse(*saved, ec);
  const auto* o = parsed.if_object();
  if (ec || o == nullptr) return std::nullopt;
  PolicyInForce in_force;
  if (const auto* v = o->if_contains("version"); v && v->is_int64())
    in_force.version = v->as_int64();
  if (const auto* v = o->if_contains("name"); v && v->is_string()) in_force.name = v->as_string();
  if (const auto* v = o->if_contains("source"); v && v->is_string())
    in_force.source = v->as_string();
  if (const auto* v = o->if_contains("since"); v && v->is_string()) {
    if (auto t = policy::parseTimestamp(std::string_view(v->as_string()))) in_force.since = *t;
  }
  return in_force;
}

void auditPolicyActivated(LocalStore& store, const std::string& target, std::int64_t from,
                          std::int64_t to, policy::TimePoint now) {
  auditUpdate(store, to, now,
              {"policy-activated", "update.policy", target, "",
               "version " + std::to_string(from) + " -> " + std::to_string(to)});
  forgetUpdateRefusal(store);
}

std::optional<SignedPolicy> PolicyUpdate::check(updater::Updater& updater,
                                                const Enrollment& enrollment,
                                                const policy::Policy& running, LocalStore& store,
                                                policy::TimePoint now) {
  const auto version = running.version;
  // The department's own bundle first. If its delegation is broken (unsigned, a bad signature),
  // that is audited and the segment's bundle, which the city's admins signed, still applies.
  const std::string segment(policy::segmentId(enrollment.segment));
  std::expected<updater::TargetInfo, tuf::Rejection> target =
      std::unexpected(tuf::reject(tuf::Problem::kUnknownTarget, "", "no department"));
  if (!enrollment.department.empty()) {
    target = updater.targetInfo("policy/" + segment + "/" + enrollment.department + ".json", now);
    if (!target && target.error().problem != tuf::Problem::kUnknownTarget) {
      auditUpdateRefusal(store, version, now, "update.policy", target.error().error.file,
                         std::string(tuf::problemName(target.error().problem)),
                         target.error().error.message);
    }
  }
  if (!target) target = updater.targetInfo("policy/" + segment + ".json", now);
  if (!target) {
    if (target.error().problem != tuf::Problem::kUnknownTarget) {
      auditUpdateRefusal(store, version, now, "update.policy", target.error().error.file,
                         std::string(tuf::problemName(target.error().problem)),
                         target.error().error.message);
    }
    return std::nullopt;
  }
  // The signed metadata says which policy version a bundle holds: nothing to fetch when it is
  // not newer than the running one.
  if (const auto announced = tuf::announcedPolicyVersion(target->file);
      announced && *announced <= version) {
    return std::nullopt;
  }
  const auto file = updater.download(*target);
  if (!file) {
    auditUpdateRefusal(store, version, now, "update.policy", target->path,
                       std::string(tuf::problemName(file.error().problem)),
                       file.error().error.message);
    return std::nullopt;
  }
  auto text = protocol::readSmallFile(*file, kMaxPolicyBytes);
  auto parsed = text ? policy::parsePolicy(*text) : std::unexpected(text.error());
  if (!parsed) {
    auditUpdateRefusal(store, version, now, "update.policy", target->path, "malformed",
                       parsed.error().describe());
    return std::nullopt;
  }
  if (parsed->version <= version) {
    auditUpdateRefusal(store, version, now, "update.policy", target->path, "rollback",
                       "policy version " + std::to_string(parsed->version) +
                           " is not newer than the running version " + std::to_string(version));
    return std::nullopt;
  }
  if (auto kept = protocol::writeFileAtomically(storedFile(), *text, 0600); !kept) {
    auditUpdateRefusal(store, version, now, "update.policy", target->path, "storage",
                       kept.error().describe());
    return std::nullopt;
  }
  return SignedPolicy{std::move(*parsed), target->path};
}

std::optional<policy::Policy> PolicyUpdate::stored() const {
  auto text = protocol::readSmallFile(storedFile(), kMaxPolicyBytes);
  if (!text) return std::nullopt;
  auto parsed = policy::parsePolicy(*text);
  if (!parsed) return std::nullopt;
  return std::move(*parsed);
}

}  // namespace mamori::agent
