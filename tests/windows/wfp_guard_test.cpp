// Quarantine on a Windows PC through the Windows Filtering Platform. wine's filter engine is a
// stub that refuses every session (RPC_S_CANNOT_SUPPORT), so here the guard must say so, in
// words, rather than pretend; on an engine that opens, the plan must round-trip.

#include <doctest/doctest.h>

#include "mamori/platform/network_guard.hpp"

namespace mamori::platform {
namespace {

TEST_CASE("NET-2: the WFP guard quarantines and opens again, or says why it cannot") {
  auto guard = makeNetworkGuard();
  if (!guard) {
    MESSAGE("no filter engine here: " << guard.error().message);
    CHECK(guard.error().code == ErrorCode::kIo);
    CHECK(guard.error().message.starts_with(
        "Windows Filtering Platform: cannot open the filter engine: "));
    return;
  }
  NetworkGuardPlan plan;
  plan.mode = NetworkMode::kQuarantine;
  plan.collector = {{"127.0.0.1", 8443, "collector"}};
  plan.reason = "test";
  REQUIRE((*guard)->apply(plan));
  CHECK((*guard)->current() == NetworkMode::kQuarantine);
  plan.mode = NetworkMode::kOpen;
  REQUIRE((*guard)->apply(plan));
  CHECK((*guard)->current() == NetworkMode::kOpen);
}

}  // namespace
}  // namespace mamori::platform
