// The Windows agent's audit log (USB-3): events kept on the PC until a report the collector
// acknowledged carried them, counted for the check, and never lost silently. Under wine's file
// system.

#include "audit_log.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "audit_writer.hpp"
#include "collector_session.hpp"

namespace mamori::agent::windows {
namespace {

namespace fs = std::filesystem;

const auto kAt = *policy::parseTimestamp("2026-12-02T09:00:00Z");

struct TempDir {
  fs::path path =
      fs::temp_directory_path() / ("mamori-audit-" + std::to_string(std::random_device{}()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

// Event ids are 8 to 64 of [A-Za-z0-9-], as the collector accepts them.
std::string idOf(int n) {
  auto digits = std::to_string(n);
  return "event-" + std::string(6 - std::min<std::size_t>(6, digits.size()), '0') + digits;
}

protocol::AuditEvent networkEvent(int n) {
  protocol::AuditEvent e;
  e.event_id = idOf(n);
  e.at = kAt + std::chrono::seconds{n};
  e.policy_version = 3;
  e.what = protocol::NetworkChangeEvent{policy::NetworkMode::kOpen,
                                        policy::NetworkMode::kQuarantine,
                                        "network.admission",
                                        {"検疫", "quarantined"},
                                        ""};
  return e;
}

TEST_CASE("USB-3: events wait until a report carried them, and the counts say so") {
  const TempDir dir;
  AuditLog log(dir.path);
  auto facts = log.facts();
  REQUIRE(facts.known());
  CHECK(facts.value().events == 0);  // a log that exists, empty: USB-3 can pass
  for (int i = 1; i <= 5; ++i) REQUIRE(log.append(networkEvent(i)));

  facts = log.facts();
  CHECK(facts.value().events == 5);
  CHECK(facts.value().waiting == 5);
  CHECK(facts.value().dropped == 0);
  CHECK(facts.value().last_event == kAt + std::chrono::seconds{5});

  auto waiting = log.waiting(3);
  REQUIRE(waiting.events.size() == 3);
  CHECK(waiting.events[0].event_id == idOf(1));
  CHECK(waiting.lines == 3);
  // Not acknowledged (the report was not delivered): the same events wait.
  CHECK(log.waiting(3).events[0].event_id == idOf(1));
  log.carried(waiting.lines);
  CHECK(log.facts().value().waiting == 2);
  CHECK(log.waiting(10).events[0].event_id == idOf(4));

  // Kept across a restart of the service.
  AuditLog again(dir.path);
  CHECK(again.facts().value().events == 5);
  CHECK(again.facts().value().waiting == 2);
}

TEST_CASE("USB-3: a torn line is skipped and counted, the events around it are sent") {
  const TempDir dir;
  AuditLog log(dir.path);
  REQUIRE(log.append(networkEvent(1)));
  // A crash in the middle of a write: the last line has no end, and the next event must not be
  // glued to it.
  std::ofstream(dir.path / "audit.jsonl", std::ios::app) << "{\"event_id\": \"torn";
  REQUIRE(log.append(networkEvent(2)));
  const auto waiting = log.waiting(10);
  CHECK(waiting.events.size() == 2);
  CHECK(waiting.lines == 3);
  log.carried(waiting.lines);
  CHECK(log.facts().value().waiting == 0);
}

TEST_CASE("USB-3: carried lines are cut from the file, the waiting ones stay") {
  const TempDir dir;
  AuditLog log(dir.path);
  const int total = static_cast<int>(AuditLog::kCompactAfter) + 3;
  for (int i = 0; i < total; ++i) REQUIRE(log.append(networkEvent(i)));
  log.carried(static_cast<std::size_t>(AuditLog::kCompactAfter));
  const auto facts = log.facts().value();
  CHECK(facts.events == 3);
  CHECK(facts.waiting == 3);
  CHECK(log.waiting(10).events.front().event_id == idOf(static_cast<int>(AuditLog::kCompactAfter)));
}

TEST_CASE("USB-3: two threads append at once and nothing is lost") {
  const TempDir dir;
  AuditLog log(dir.path);
  std::thread usb([&] {
    for (int i = 0; i < 50; ++i) log.append(networkEvent(i));
  });
  for (int i = 50; i < 100; ++i) log.append(networkEvent(i));
  usb.join();
  CHECK(log.facts().value().events == 100);
  CHECK(log.waiting(200).events.size() == 100);
}

TEST_CASE("USB-3: the writer keeps what the enforcer posts, off the enforcer's thread") {
  const TempDir dir;
  AuditLog log(dir.path);
  {
    AuditWriter writer(log);
    std::thread enforcer([&] {
      for (int i = 0; i < 20; ++i) writer.post(networkEvent(i), EVENTLOG_INFORMATION_TYPE, "");
    });
    enforcer.join();
    writer.post(std::nullopt, EVENTLOG_INFORMATION_TYPE, "");  // an event-log line only
    writer.flush();
    CHECK(log.facts().value().events == 20);
    writer.post(networkEvent(20), EVENTLOG_INFORMATION_TYPE, "");
  }  // what is still queued is written before the writer stops
  CHECK(log.facts().value().events == 21);
  CHECK(log.waiting(100).events.back().event_id == idOf(20));
}

TEST_CASE("USB-3: a report carries the waiting events, at most the protocol's limit") {
  const TempDir dir;
  AuditLog log(dir.path);
  for (int i = 0; i < 3; ++i) REQUIRE(log.append(networkEvent(i)));
  PostureCheck check{policy::builtInPolicy(), {}, {}, kAt};
  const auto sent = reportOf(check, log);
  CHECK(sent.report.audit_events.size() == 3);
  CHECK(sent.lines == 3);
  CHECK(sent.report.generated_at == kAt);
  CHECK(protocol::isReportId(sent.report.report_id));
}

}  // namespace
}  // namespace mamori::agent::windows
