// The agent's audit log in agent.db (issue 5, 第43条 / 第123条): every decision is kept on the
// PC, handed to exactly one queued report, and kept within a limit without losing what the
// collector has not seen yet unless a flood leaves no choice.

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

#include "local_store.hpp"
#include "local_store_support.hpp"
#include "sqlite_db.hpp"
#include "temp_root.hpp"

namespace mamori::agent {
namespace {

using namespace store_test;
using std::chrono::seconds;
using testing::TempRoot;

std::string eventId(int n) { return "event-" + std::to_string(n); }

std::string bodyOfEvent(int n) { return R"({"event_id":")" + eventId(n) + "\"}"; }

void append(LocalStore& store, int from, int to) {
  for (int i = from; i <= to; ++i) {
    const auto ok = store.appendAudit(eventId(i), kNow + seconds(i), bodyOfEvent(i));
    REQUIRE_MESSAGE(ok.has_value(), ok.error().describe());
  }
}

std::vector<std::string> ids(const std::expected<std::vector<AuditEntry>, Error>& entries) {
  REQUIRE_MESSAGE(entries.has_value(), entries.error().describe());
  std::vector<std::string> out;
  for (const auto& e : *entries) out.push_back(e.event_id);
  return out;
}

TEST_CASE("logged events wait for a report, oldest first, and the same id is logged once") {
  const TempRoot dir;
  auto store = openStore(dir.path() / "agent.db");
  append(store, 1, 3);
  REQUIRE(store.appendAudit(eventId(2), kNow, "another body"));
  CHECK(store.unreportedAuditCount() == 3);
  const auto pending = store.unreportedAudit(10);
  CHECK(ids(pending) == std::vector<std::string>{eventId(1), eventId(2), eventId(3)});
  CHECK((*pending)[1] == AuditEntry{eventId(2), kNow + seconds(2), bodyOfEvent(2), ""});
  CHECK(ids(store.unreportedAudit(2)).size() == 2);
}

TEST_CASE("queuing a report marks the events it carries, in the same transaction") {
  const TempRoot dir;
  auto store = openStore(dir.path() / "agent.db");
  append(store, 1, 3);
  const std::vector<std::string> carried{eventId(1), eventId(2)};
  REQUIRE(store.enqueue(reportId(1), bodyOf(reportId(1)), kNow, carried));
  CHECK(ids(store.unreportedAudit(10)) == std::vector<std::string>{eventId(3)});
  const auto recent = store.recentAudit(10);
  CHECK(ids(recent) == std::vector<std::string>{eventId(3), eventId(2), eventId(1)});
  CHECK((*recent)[2].report_id == reportId(1));

  SUBCASE("a report queued again (same id) does not take events from another") {
    REQUIRE(store.enqueue(reportId(1), bodyOf(reportId(1)), kNow, std::vector{eventId(3)}));
    CHECK(store.unreportedAuditCount() == 1);
  }
  SUBCASE("an event carried once stays with its first report") {
    REQUIRE(store.enqueue(reportId(2), bodyOf(reportId(2)), kNow, carried));
    CHECK((*store.recentAudit(10))[2].report_id == reportId(1));
  }
}

TEST_CASE("a full log drops what the collector has first, and counts only real losses") {
  const TempRoot dir;
  OutboxLimits limits;
  limits.max_audit_events = 5;
  auto store = openStore(dir.path() / "agent.db", limits);
  append(store, 1, 4);
  REQUIRE(store.enqueue(reportId(1), bodyOf(reportId(1)), kNow,
                        std::vector{eventId(1), eventId(2), eventId(3)}));

  append(store, 5, 7);  // 7 events: the two oldest reported ones go
  CHECK(ids(store.recentAudit(10)) ==
        std::vector<std::string>{eventId(7), eventId(6), eventId(5), eventId(4), eventId(3)});
  CHECK(store.droppedAudit() == 0);

  append(store, 8, 10);  // only event 3 was reported: 4 and 5 are lost, and counted
  CHECK(ids(store.recentAudit(10)) ==
        std::vector<std::string>{eventId(10), eventId(9), eventId(8), eventId(7), eventId(6)});
  CHECK(store.droppedAudit() == 2);
  CHECK(store.unreportedAuditCount() == 5);
}

TEST_CASE("a store of the first version gains the audit log and keeps its reports") {
  const TempRoot dir;
  const auto file = dir.path() / "agent.db";
  {
    auto store = openStore(file);
    REQUIRE(store.enqueue(reportId(1), bodyOf(reportId(1)), kNow));
  }
  {  // what an agent of the first release left behind
    auto db = sqlite::Database::open(file, SQLITE_OPEN_READWRITE);
    REQUIRE(db.has_value());
    REQUIRE(db->exec("DROP TABLE audit_log; PRAGMA user_version=1;"));
  }
  auto store = openStore(file);
  CHECK_FALSE(store.lastOpen().recovered);
  CHECK(idSet(store) == std::set<std::string>{reportId(1)});
  append(store, 1, 1);
  CHECK(store.unreportedAuditCount() == 1);
}

}  // namespace
}  // namespace mamori::agent
