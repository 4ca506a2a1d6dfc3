// How much does the collector's strict report decode (schema checks, JSON paths for errors,
// unknown-key rejection) cost over merely parsing the same text with Boost.JSON? Both run here,
// in this process, on a report built from the posture of the host below `root` (argument 1,
// default `/`; collector_bench.sh's agents report tests/fixtures/hosts/debian12), so the ratio
// says what the checks add over the parse they cannot avoid.

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <cstdio>
#include <vector>

#include "mamori/platform/posture_probe.hpp"
#include "mamori/protocol/messages.hpp"

namespace {

using Clock = std::chrono::steady_clock;

// Median microseconds per call of `f` over `rounds` rounds of `per_round` calls.
template <class F>
double medianMicros(int rounds, int per_round, F&& f) {
  std::vector<double> us;
  for (int r = 0; r < rounds; ++r) {
    const auto start = Clock::now();
    for (int i = 0; i < per_round; ++i) f();
    us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count() /
                 per_round);
  }
  std::ranges::sort(us);
  return us[us.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  using namespace mamori;
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  protocol::Report report;
  report.report_id = protocol::randomUuid();
  report.generated_at = now;
  report.agent_version = "bench";
  report.facts = platform::makePostureProbe({argc > 1 ? argv[1] : "/", nullptr, {}})->collect(now);
  const std::string text = boost::json::serialize(protocol::toJson(report));

  std::size_t sink = 0;  // keeps the optimiser from dropping the work
  const auto parse = [&] { sink += boost::json::parse(text).as_object().size(); };
  const auto decode = [&] {
    const auto r = protocol::reportFromJson(text);
    if (!r) {
      std::fprintf(stderr, "decode failed: %s\n", r.error().message.c_str());
      std::exit(1);
    }
    sink += r->report_id.size();
  };
  constexpr int kRounds = 15;
  constexpr int kPerRound = 400;
  medianMicros(2, kPerRound, decode);  // warm caches and the allocator
  const double parse_us = medianMicros(kRounds, kPerRound, parse);
  const double decode_us = medianMicros(kRounds, kPerRound, decode);
  std::printf("report of %zu bytes: parse %.1f us, decode %.1f us (median of %d x %d)\n",
              text.size(), parse_us, decode_us, kRounds, kPerRound);
  std::printf("decode / parse = %.2f (sink %zu)\n", decode_us / parse_us, sink % 10);
  return 0;
}
