// How long does a full posture check take on a large machine, compared with merely reading the
// files it reads? Both run here, in this process, on the same generated root with a warm page
// cache, so the ratio says how much the check adds over its own I/O.

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include "large_root.hpp"
#include "mamori/platform/posture_probe.hpp"
#include "mamori/policy/evaluate.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using Ms = std::chrono::duration<double, std::milli>;

// The I/O floor: open, read to the end and close every file below `root`, the way the probes
// reach them (directory listings included).
std::size_t readEverything(const std::filesystem::path& root) {
  std::size_t bytes = 0;
  static char buf[1 << 16];
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    const int fd = ::open(entry.path().c_str(), O_RDONLY | O_CLOEXEC);
    for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) bytes += static_cast<std::size_t>(n);
    ::close(fd);
  }
  return bytes;
}

template <class F>
std::vector<double> time(int runs, F&& f) {
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    const auto start = Clock::now();
    f();
    ms.push_back(Ms(Clock::now() - start).count());
  }
  std::ranges::sort(ms);
  return ms;
}

double median(const std::vector<double>& v) { return v[v.size() / 2]; }
double p90(const std::vector<double>& v) { return v[v.size() * 9 / 10]; }

}  // namespace

int main() {
  using namespace mamori;
  std::string dir = (std::filesystem::temp_directory_path() / "mamori-bench-XXXXXX").string();
  if (::mkdtemp(dir.data()) == nullptr) return 1;
  const bench::LargeRootSize size;
  bench::writeLargeRoot(dir, size);

  const auto now = policy::parseTimestamp("2026-11-22T09:00:00Z").value();
  const auto pol = policy::builtInPolicy();
  auto probe = platform::makePostureProbe({dir, nullptr});
  std::size_t packages = 0, devices = 0, bytes = 0;
  const auto check = [&] {
    const auto facts = probe->collect(now);
    const auto verdict = policy::evaluate(pol, policy::Segment::kLgwan, facts, {}, now);
    packages = facts.packages->packages.size();
    devices = facts.usb->devices.size();
    if (verdict.findings.size() != 8) std::abort();
  };
  const auto floor = [&] { bytes = readEverything(dir); };

  constexpr int kWarmup = 3, kRuns = 31;
  time(kWarmup, check);
  time(kWarmup, floor);
  // Floor before and after the check runs, taking the faster: the floor is not flattered by a
  // cache the check warmed, nor the check by one the floor warmed.
  const auto floor_ms = time(kRuns, floor);
  const auto check_ms = time(kRuns, check);
  const auto floor_again = time(kRuns, floor);
  const double floor_median = std::min(median(floor_ms), median(floor_again));
  const double ratio = median(check_ms) / floor_median;

  std::printf("root: %zu packages, %zu USB devices, %zu bytes in %s\n", packages, devices, bytes,
              dir.c_str());
  std::printf("full check (probe + evaluate): median %.2f ms, p90 %.2f ms over %d runs\n",
              median(check_ms), p90(check_ms), kRuns);
  std::printf("I/O floor (read the same files): median %.2f ms\n", floor_median);
  std::printf("ratio check / floor: %.2fx  (target <= 3x and <= 50 ms: %s)\n", ratio,
              ratio <= 3.0 && median(check_ms) <= 50.0 ? "met" : "NOT met");
  std::filesystem::remove_all(dir);
  return 0;
}
