// What the Linux agent keeps in agent.db about the collector's admission, and what it tells the
// staff member about its firewall.

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "network_admission.hpp"

namespace mamori::agent {

namespace js = boost::json;

std::optional<policy::HeardAdmission> heardAdmission(LocalStore& store) {
  const auto saved = store.state("last_admission");
  const auto heard = store.state("last_admission_heard");
  if (!saved || !heard) return std::nullopt;
  const auto state = protocol::admissionStateFromJson(*saved);
  const auto at = policy::parseTimestamp(*heard);
  if (!state || !at) return std::nullopt;
  return heardOf(*state, *at);
}

void rememberAdmission(LocalStore& store, const protocol::AdmissionState& state,
                       const std::vector<std::string>& unmet, policy::TimePoint heard_at) {
  (void)store.setState("last_admission", js::serialize(protocol::toJson(state)));
  (void)store.setState("last_admission_heard", policy::formatTimestamp(heard_at));
  js::array ids;
  for (const auto& id : unmet) ids.emplace_back(id);
  (void)store.setState("last_unmet", js::serialize(ids));
}

std::vector<std::string> rememberedUnmet(LocalStore& store) {
  std::vector<std::string> ids;
  const auto saved = store.state("last_unmet");
  if (!saved) return ids;
  boost::system::error_code ec;
  const auto parsed = js::parse(*saved, ec);
  if (ec || !parsed.is_array()) return ids;
  for (const auto& id : parsed.as_array()) {
    if (id.is_string()) ids.emplace_back(id.as_string());
  }
  return ids;
}

}  // namespace mamori::agent
