// The agent's durable outbox and state (agent.db): queue semantics, limits, a crash right after
// queuing, and what `open` refuses. Damaged files: local_store_recovery_test.cpp.

#include "local_store.hpp"

#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "local_store_support.hpp"
#include "sqlite_db.hpp"
#include "temp_root.hpp"

namespace mamori::agent {
namespace {

using namespace store_test;
using std::chrono::minutes;
using std::chrono::seconds;
using testing::TempRoot;

std::string readBytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST_CASE("a new store is empty and was not recovered") {
  const TempRoot dir;
  auto store = openStore(dir.path() / "agent.db");
  CHECK_FALSE(store.lastOpen().recovered);
  CHECK(store.queued() == 0);
  CHECK_FALSE(store.oldestQueued().has_value());
  CHECK(store.dropped() == 0);
  CHECK(dueIds(store, kNow).empty());
  CHECK_FALSE(store.state("enrollment").has_value());
}

TEST_CASE("queued reports are due at once, oldest first, with their bodies") {
  const TempRoot dir;
  auto store = openStore(dir.path() / "agent.db");
  for (int i = 1; i <= 3; ++i) {
    REQUIRE(store.enqueue(reportId(i), bodyOf(reportId(i)), kNow + minutes(i)).has_value());
  }
  const auto due = store.due(kNow + minutes(3), 10);
  REQUIRE(due.has_value());
  REQUIRE(due->size() == 3);
  CHECK((*due)[0] ==
        OutboxEntry{reportId(1), bodyOf(reportId(1)), kNow + minutes(1), 0, kNow + minutes(1), ""});
  CHECK((*due)[2].report_id == reportId(3));
  CHECK(dueIds(store, kNow + minutes(2)) == std::vector{reportId(1), reportId(2)});
  CHECK(dueIds(store, kNow + minutes(3), 1) == std::vector{reportId(1)});
  CHECK(store.queued() == 3);
  CHECK(store.oldestQueued() == kNow + minutes(1));
}

TEST_CASE("queuing the same report id again keeps one report with its first body") {
  const TempRoot dir;
  auto store = openStore(dir.path() / "agent.db");
  REQUIRE(store.enqueue("r1", "first", kNow).has_value());
  REQUIRE(store.enqueue("r1", "second", kNow + minutes(5)).has_value());
  CHECK(store.queued() == 1);
  const auto due = store.due(kNow + minutes(5), 10);
  REQUIRE(due.has_value());
  REQUIRE(due->size() == 1);
  CHECK((*due)[0].body == "first");
  CHECK((*due)[0].queued_at == kNow);
}

TEST_CASE("a failed delivery counts an attempt and waits for its retry time") {
  const TempRoot dir;
  auto store = openStore(dir.path() / "agent.db");
  REQUIRE(store.enqueue("r1", "{}", kNow).has_value());
  REQUIRE(store.enqueue("r2", "{}", kNow).has_value());
  REQUIRE(store.markFailed("r1", kNow + minutes(1), "collector unreachable").has_value());
  REQUIRE(store.markFailed("r1", kNow + minutes(2), "HTTP 503").has_value());
  CHECK(dueIds(store, kNow + seconds(119)) == std::vector<std::string>{"r2"});
  const auto due = store.due(kNow + minutes(2), 10);
  REQUIRE(due.has_value());
  REQUIRE(due->size() == 2);
  CHECK((*due)[0].report_id == "r1");
  CHECK((*due)[0].attempts == 2);
  CHECK((*due)[0].last_error == "HTTP 503");
  CHECK((*due)[0].next_attempt_at == kNow + minutes(2));
  CHECK(store.markFailed("gone", kNow, "x").has_value());  // dropped meanwhile: no error
}

TEST_CASE("an acknowledged report is removed and the others stay queued") {
  const TempRoot dir;
  auto store = openStore(dir.path() / "agent.db");
  for (int i = 1; i <= 3; ++i) REQUIRE(store.enqueue(reportId(i), "{}", kNow + minutes(i)));
  REQUIRE(store.remove(reportId(1)).has_value());
  CHECK(store.queued() == 2);
  CHECK(store.oldestQueued() == kNow + minutes(2));
  CHECK(dueIds(store, kNow + minutes(9)) == std::vector{reportId(2), reportId(3)});
  CHECK(store.remove("unknown").has_value());
}

TEST_CASE("a full outbox drops its oldest reports, keeps the newest and counts the dropped") {
  const TempRoot dir;
  const auto file = dir.path() / "agent.db";
  {
    auto store = openStore(file, {.max_reports = 3, .max_bytes = 1 << 20});
    for (int i = 1; i <= 5; ++i) REQUIRE(store.enqueue(reportId(i), "{}", kNow + minutes(i)));
    CHECK(store.queued() == 3);
    CHECK(store.dropped() == 2);
  }
  auto store = openStore(file, {.max_reports = 3, .max_bytes = 1 << 20});
  CHECK(dueIds(store, kNow + minutes(9)) == std::vector{reportId(3), reportId(4), reportId(5)});
  CHECK(store.dropped() == 2);  // kept across restarts, for status
}

TEST_CASE("the outbox drops the oldest reports to stay within its byte budget") {
  const TempRoot dir;
  auto store = openStore(dir.path() / "agent.db", {.max_reports = 100, .max_bytes = 1000});
  for (int i = 1; i <= 3; ++i) REQUIRE(store.enqueue(reportId(i), std::string(400, 'x'), kNow));
  CHECK(dueIds(store, kNow) == std::vector{reportId(2), reportId(3)});
  CHECK(store.dropped() == 1);
}

TEST_CASE("a report larger than the whole byte budget is refused and nothing is dropped") {
  const TempRoot dir;
  auto store = openStore(dir.path() / "agent.db", {.max_reports = 100, .max_bytes = 1000});
  REQUIRE(store.enqueue("small", "{}", kNow).has_value());
  const auto refused = store.enqueue("huge", std::string(1001, 'x'), kNow);
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().code == ErrorCode::kValidation);
  CHECK(dueIds(store, kNow) == std::vector<std::string>{"small"});
  CHECK(store.dropped() == 0);
}

TEST_CASE("state values are replaced and survive reopening the store") {
  const TempRoot dir;
  const auto file = dir.path() / "agent.db";
  {
    auto store = openStore(file);
    REQUIRE(store.setState("enrollment", R"({"device_id":"a"})").has_value());
    REQUIRE(store.setState("enrollment", R"({"device_id":"b"})").has_value());
    REQUIRE(store.setState("last_error", "").has_value());
    REQUIRE(store.enqueue("r1", "{}", kNow).has_value());
  }
  auto store = openStore(file);
  CHECK(store.state("enrollment") == R"({"device_id":"b"})");
  CHECK(store.state("last_error") == "");
  CHECK(store.queued() == 1);
}

TEST_CASE("a second connection (status while run) sees what the first queued") {
  const TempRoot dir;
  auto run = openStore(dir.path() / "agent.db");
  auto status = openStore(dir.path() / "agent.db");
  REQUIRE(run.enqueue("r1", "{}", kNow).has_value());
  REQUIRE(run.setState("last_report_sent", "2026-11-22T09:00:00Z").has_value());
  CHECK(status.queued() == 1);
  CHECK(status.state("last_report_sent") == "2026-11-22T09:00:00Z");
}

TEST_CASE("a report queued before SIGKILL is still there") {
  const TempRoot dir;
  const auto file = dir.path() / "agent.db";
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // No return from here: the child either signals "queued" and waits to be killed, or exits.
    ::close(ready[0]);
    auto store = LocalStore::open(file);
    if (!store || !store->enqueue("queued-then-killed", bodyOf("x"), kNow)) ::_exit(1);
    const char queued = 'q';
    if (::write(ready[1], &queued, 1) != 1) ::_exit(2);
    for (;;) ::pause();
  }
  ::close(ready[1]);
  char byte = 0;
  const auto got = ::read(ready[0], &byte, 1);
  ::close(ready[0]);
  ::kill(child, SIGKILL);
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(got == 1);
  REQUIRE(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGKILL);
  // Killed with the store open: the report is in the write-ahead log, not yet in agent.db.
  CHECK(fs::exists(dir.path() / "agent.db-wal"));
  auto store = openStore(file);
  CHECK_FALSE(store.lastOpen().recovered);
  CHECK(dueIds(store, kNow) == std::vector<std::string>{"queued-then-killed"});
}

TEST_CASE("an empty agent.db file is opened as a new store, not treated as damage") {
  const TempRoot dir;
  std::ofstream(dir.path() / "agent.db");  // created empty, as by touch
  auto store = openStore(dir.path() / "agent.db");
  CHECK_FALSE(store.lastOpen().recovered);
  CHECK(store.enqueue("r1", "{}", kNow).has_value());
}

TEST_CASE("another program's sqlite database is refused and left untouched") {
  const TempRoot dir;
  const auto file = dir.path() / "agent.db";
  {
    auto other = sqlite::Database::open(file, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    REQUIRE(other.has_value());
    REQUIRE(other->exec("PRAGMA application_id=42; CREATE TABLE t(x);").has_value());
  }
  const auto before = readBytes(file);
  const auto store = LocalStore::open(file);
  REQUIRE_FALSE(store.has_value());
  CHECK(store.error().code == ErrorCode::kValidation);
  CHECK(readBytes(file) == before);
  CHECK(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()) == 1);
}

TEST_CASE("a store in a missing directory is an I/O error naming the file") {
  const TempRoot dir;
  const auto store = LocalStore::open(dir.path() / "missing" / "agent.db");
  REQUIRE_FALSE(store.has_value());
  CHECK(store.error().code == ErrorCode::kIo);
  CHECK(store.error().file.ends_with("agent.db"));
}

}  // namespace
}  // namespace mamori::agent
