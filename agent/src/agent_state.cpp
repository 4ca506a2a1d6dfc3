#include "agent_state.hpp"

namespace mamori::agent {

ClientSettings enrolledClient(const StatePaths& paths, const Enrollment& enrollment) {
  ClientSettings s;
  s.url = enrollment.collector_url;
  if (enrollment.pinned_server_ca) s.server_ca = paths.serverCa();
  s.key_file = paths.key();
  s.certificate_file = paths.certificate();
  return s;
}

}  // namespace mamori::agent
