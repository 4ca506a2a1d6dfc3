// The local store survives the damage disks and power cuts do to agent.db: the file is moved
// aside, and every report and state row still readable in it is carried into a new store.
// The damage is real: pages of a real store are found by their b-tree type and overwritten.

#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "local_store.hpp"
#include "local_store_support.hpp"
#include "temp_root.hpp"

namespace mamori::agent {
namespace {

using namespace store_test;
using std::chrono::seconds;
using testing::TempRoot;

constexpr std::size_t kPage = 4096;
constexpr int kReports = 120;
constexpr int kAuditEvents = 3;
constexpr char kTableLeaf = 0x0d;
constexpr char kIndexLeaf = 0x0a;

std::string readBytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void writeBytes(const fs::path& file, const std::string& bytes) {
  std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes;
}

// Reports 1..kReports, two state rows and kAuditEvents audit events, written and closed (so all is
// in agent.db itself).
std::string writeStore(const fs::path& file) {
  {
    auto store = openStore(file);
    for (int i = 1; i <= kReports; ++i) {
      REQUIRE(store.enqueue(reportId(i), bodyOf(reportId(i)), kNow + seconds(i)));
    }
    REQUIRE(store.setState("enrollment", R"({"device_id":"pc-0042"})"));
    REQUIRE(store.setState("last_report_sent", "2026-11-22T08:45:00Z"));
    for (int i = 1; i <= kAuditEvents; ++i) {
      const auto id = "event-" + std::to_string(i);
      REQUIRE(store.appendAudit(id, kNow, R"({"event_id":")" + id + "\"}"));
    }
  }
  REQUIRE_FALSE(fs::exists(file.string() + "-wal"));
  return readBytes(file);
}

std::set<std::string> allIds() {
  std::set<std::string> ids;
  for (int i = 1; i <= kReports; ++i) ids.insert(reportId(i));
  return ids;
}

// The b-tree page type, at offset 100 on page 1 (after the file header), else at 0.
char pageType(const std::string& db, std::size_t page) {
  return db[page * kPage + (page == 0 ? 100 : 0)];
}

std::set<std::string> idsOnPage(const std::string& db, std::size_t page) {
  const std::string_view bytes(db.data() + page * kPage, kPage);
  std::set<std::string> ids;
  for (auto at = bytes.find("report-"); at != std::string_view::npos && at + 11 <= bytes.size();
       at = bytes.find("report-", at + 1)) {
    ids.insert(std::string(bytes.substr(at, 11)));
  }
  return ids;
}

// Pages (0-based) of `type` that hold report ids.
std::vector<std::size_t> pagesWithReports(const std::string& db, char type) {
  std::vector<std::size_t> pages;
  for (std::size_t p = 0; p < db.size() / kPage; ++p) {
    if (pageType(db, p) == type && !idsOnPage(db, p).empty()) pages.push_back(p);
  }
  return pages;
}

void scramble(std::string& db, std::size_t offset, std::size_t length, unsigned seed) {
  std::mt19937 random(seed);
  for (std::size_t i = offset; i < offset + length; ++i) db[i] = static_cast<char>(random());
}

void checkRecovered(const LocalStore& store, const std::string& damaged_bytes) {
  const auto& report = store.lastOpen();
  CHECK(report.recovered);
  CHECK_FALSE(report.reason.empty());
  REQUIRE(fs::exists(report.moved_to));
  CHECK(report.moved_to.filename().string().starts_with("agent.db.corrupt-"));
  CHECK(readBytes(report.moved_to) == damaged_bytes);  // kept exactly as found
}

TEST_CASE("a store whose header is garbage is rebuilt with every report and state row") {
  const TempRoot dir;
  const auto file = dir.path() / "agent.db";
  auto db = writeStore(file);
  scramble(db, 0, 100, 1);
  writeBytes(file, db);
  auto store = openStore(file);
  checkRecovered(store, db);
  CHECK(store.lastOpen().salvaged_reports == kReports);
  CHECK(store.lastOpen().salvaged_state == 2);
  CHECK(store.lastOpen().salvaged_audit_events == kAuditEvents);
  CHECK(store.unreportedAuditCount() == kAuditEvents);
  CHECK(idSet(store) == allIds());
  CHECK(store.state("enrollment") == R"({"device_id":"pc-0042"})");
  const auto due = store.due(kNow + seconds(1), 1);
  REQUIRE(due.has_value());
  CHECK((*due)[0] ==
        OutboxEntry{reportId(1), bodyOf(reportId(1)), kNow + seconds(1), 0, kNow + seconds(1), ""});
}

TEST_CASE("a store with a destroyed index page keeps every report") {
  const TempRoot dir;
  const auto file = dir.path() / "agent.db";
  auto db = writeStore(file);
  const auto index_pages = pagesWithReports(db, kIndexLeaf);
  REQUIRE_FALSE(index_pages.empty());
  scramble(db, index_pages.front() * kPage, kPage, 2);
  writeBytes(file, db);
  auto store = openStore(file);
  checkRecovered(store, db);
  CHECK(store.lastOpen().salvaged_reports == kReports);
  CHECK(idSet(store) == allIds());
  CHECK(store.state("last_report_sent") == "2026-11-22T08:45:00Z");
}

TEST_CASE("a store with a destroyed outbox page keeps the reports on the other pages") {
  const TempRoot dir;
  const auto file = dir.path() / "agent.db";
  auto db = writeStore(file);
  const auto leaves = pagesWithReports(db, kTableLeaf);
  REQUIRE(leaves.size() >= 3);
  const auto page = leaves[leaves.size() / 2];
  const auto lost = idsOnPage(db, page);
  std::set<std::string> kept;
  std::ranges::set_difference(allIds(), lost, std::inserter(kept, kept.end()));
  REQUIRE(*kept.rbegin() > *lost.rbegin());  // reports after the damage: the walk must skip it
  scramble(db, page * kPage, kPage, 3);
  writeBytes(file, db);
  auto store = openStore(file);
  checkRecovered(store, db);
  CHECK(store.lastOpen().salvaged_reports == static_cast<int>(kept.size()));
  CHECK(idSet(store) == kept);
  CHECK(store.lastOpen().salvaged_state == 2);
}

TEST_CASE("a store cut short keeps the reports on the pages before the cut") {
  const TempRoot dir;
  const auto file = dir.path() / "agent.db";
  auto db = writeStore(file);
  const auto leaves = pagesWithReports(db, kTableLeaf);
  REQUIRE(leaves.size() >= 3);
  const std::size_t cut = leaves[leaves.size() / 2];
  std::set<std::string> kept;
  for (const auto page : leaves) {
    if (page < cut) kept.merge(idsOnPage(db, page));
  }
  db.resize(cut * kPage);
  writeBytes(file, db);
  auto store = openStore(file);
  checkRecovered(store, db);
  CHECK(idSet(store) == kept);
  CHECK(store.state("enrollment") == R"({"device_id":"pc-0042"})");
}

TEST_CASE("a garbage header loses nothing while every page is still in the write-ahead log") {
  const TempRoot dir;
  const auto file = dir.path() / "agent.db";
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    auto store = LocalStore::open(file);
    for (int i = 1; store && i <= 5; ++i) (void)store->enqueue(reportId(i), "{}", kNow);
    ::_exit(0);  // no destructor: the log is not checkpointed into agent.db
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(fs::exists(file.string() + "-wal"));
  auto db = readBytes(file);
  REQUIRE(db.size() >= 100);
  scramble(db, 0, 100, 4);
  writeBytes(file, db);
  // sqlite reads page 1, header included, from the log; the checkpoint at close rewrites it.
  {
    auto store = openStore(file);
    CHECK(store.queued() == 5);
  }
  auto store = openStore(file);
  CHECK_FALSE(store.lastOpen().recovered);
  CHECK(store.queued() == 5);
}

TEST_CASE("a file of random bytes is replaced by an empty working store") {
  const TempRoot dir;
  const auto file = dir.path() / "agent.db";
  std::string noise(64 * 1024, '\0');
  scramble(noise, 0, noise.size(), 5);
  writeBytes(file, noise);
  {
    auto store = openStore(file);
    checkRecovered(store, noise);
    CHECK(store.lastOpen().salvaged_reports == 0);
    CHECK(store.queued() == 0);
    REQUIRE(store.enqueue("r1", "{}", kNow).has_value());
  }
  auto store = openStore(file);
  CHECK_FALSE(store.lastOpen().recovered);
  CHECK(store.queued() == 1);
}

}  // namespace
}  // namespace mamori::agent
