// Load generator for the collector (its own process): enrolls `--devices` simulated agents over
// real HTTPS, then each sends reports over its own mutual-TLS keep-alive connection as fast as
// the collector answers, for `--seconds`. Prints sustained requests/s and p50/p99/max latency.
// `--request admission` asks GET /v1/admission instead: the same TLS, HTTP and certificate
// checks with one read and no write, the baseline bench/collector_bench.sh compares against.
//
//   mamori_bench_collector_load --url https://localhost:PORT --ca CA --token T
//       --root tests/fixtures/hosts/debian12 [--devices 32] [--seconds 10]
//       [--request report|admission]

#include <algorithm>
#include <atomic>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "collector_client.hpp"
#include "device_key.hpp"
#include "mamori/platform/posture_probe.hpp"
#include "mamori/protocol/atomic_file.hpp"
#include "mamori/protocol/messages.hpp"

namespace {

using namespace mamori;
using Clock = std::chrono::steady_clock;

struct Args {
  std::string url, ca, token, root = "tests/fixtures/hosts/debian12";
  int devices = 32;
  int seconds = 10;
  bool admission_only = false;
};

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--url") a.url = v;
    if (k == "--ca") a.ca = v;
    if (k == "--token") a.token = v;
    if (k == "--root") a.root = v;
    if (k == "--devices") a.devices = std::atoi(v.c_str());
    if (k == "--seconds") a.seconds = std::atoi(v.c_str());
    if (k == "--request") a.admission_only = v == "admission";
  }
  if (a.url.empty() || a.ca.empty() || a.token.empty()) {
    std::fprintf(stderr,
                 "usage: --url URL --ca FILE --token T [--root DIR] [--devices N] "
                 "[--seconds S] [--request report|admission]\n");
    std::exit(2);
  }
  return a;
}

struct Device {
  std::filesystem::path key, cert;
  policy::DeviceIdentity identity;
};

// Enrolls one simulated PC with its own key pair and machine id.
Device enroll(const Args& a, const std::filesystem::path& dir, int n,
              const policy::PostureFacts& facts) {
  Device d;
  d.key = dir / ("d" + std::to_string(n) + ".key");
  d.cert = dir / ("d" + std::to_string(n) + ".crt");
  d.identity = facts.device;
  char machine[33];
  std::snprintf(machine, sizeof machine, "%032x", n + 1);
  d.identity.machine_id = machine;
  d.identity.hostname = "bench-pc-" + std::to_string(n);
  (void)agent::createDeviceKey(d.key);
  auto client = agent::CollectorClient::create({a.url, a.ca, std::nullopt, std::nullopt});
  auto answer = client->enroll(
      {a.token, *agent::makeCertificateRequest(d.key, d.identity.hostname), d.identity, "bench"});
  if (!answer) {
    std::fprintf(stderr, "enroll: %s\n", answer.error().error.message.c_str());
    std::exit(1);
  }
  (void)protocol::writeFileAtomically(d.cert, answer->certificate_pem, 0644);
  return d;
}

}  // namespace

int main(int argc, char** argv) {
  const Args a = parse(argc, argv);
  const auto dir =
      std::filesystem::temp_directory_path() / ("mamori-load-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  const auto facts = platform::makePostureProbe({a.root, nullptr, {}})->collect(now);

  std::vector<Device> devices;
  for (int i = 0; i < a.devices; ++i) devices.push_back(enroll(a, dir, i, facts));

  std::atomic<bool> stop{false};
  std::atomic<long> failures{0};
  std::vector<std::vector<double>> latencies(devices.size());
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < devices.size(); ++i) {
    threads.emplace_back([&, i] {
      auto client = agent::CollectorClient::create(
          {a.url, a.ca, devices[i].key, devices[i].cert, std::chrono::seconds{30}});
      protocol::Report r;
      r.generated_at = now;
      r.agent_version = "bench";
      r.facts = facts;
      r.facts.device = devices[i].identity;
      // Serialised once: each request only changes the id (a real agent serialises once per
      // cycle; the generator stands in for thousands of agents and must leave the CPU to the
      // collector).
      r.report_id = protocol::randomUuid();
      const auto body_template = boost::json::serialize(protocol::toJson(r));
      const auto id_at = body_template.find(r.report_id);
      while (!stop) {
        auto body = body_template;
        if (!a.admission_only) body.replace(id_at, r.report_id.size(), protocol::randomUuid());
        const auto start = Clock::now();
        const bool answered = a.admission_only ? client->admission().has_value()
                                               : client->sendReport(body).has_value();
        const auto ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
        if (answered) {
          latencies[i].push_back(ms);
        } else {
          ++failures;
        }
      }
    });
  }
  const auto begin = Clock::now();
  std::this_thread::sleep_for(std::chrono::seconds{a.seconds});
  stop = true;
  for (auto& t : threads) t.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - begin).count();

  std::vector<double> all;
  for (const auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::ranges::sort(all);
  const auto pct = [&](double p) {
    return all.empty()
               ? 0.0
               : all[std::min(all.size() - 1,
                              static_cast<std::size_t>(p * static_cast<double>(all.size())))];
  };
  std::printf(
      "%s: devices %d, %zu requests in %.1f s: %.0f requests/s, p50 %.2f ms, p99 %.2f ms, "
      "max %.2f ms, failures %ld, report size %zu bytes\n",
      a.admission_only ? "admission" : "reports", a.devices, all.size(), elapsed,
      static_cast<double>(all.size()) / elapsed, pct(0.5), pct(0.99),
      all.empty() ? 0.0 : all.back(), failures.load(),
      boost::json::serialize(protocol::toJson(protocol::Report{"x", now, "", 0, {}, facts}))
          .size());
  std::filesystem::remove_all(dir);
  return failures.load() == 0 ? 0 : 1;
}
