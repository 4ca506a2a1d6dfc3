// The collector's storage (issue 4), reports, exceptions and the schema: every case runs on an
// SQLite file and on a PostgreSQL 15 cluster the test creates, since a site may use either.

#include <atomic>
#include <thread>

#include "store_test_support.hpp"

using namespace mamori;
using namespace mamori::collector;
using namespace mamori::collector::store_testing;

TEST_CASE_TEMPLATE("a replayed report id is stored once", Db, Sqlite, Postgres) {
  const Db db;
  const auto store = openStore(db);
  enrolled(*store, "dev");
  const auto first = store->storeReport(report("dev", "r-1", kNow, policy::Admission::kWarn));
  REQUIRE_MESSAGE(first.has_value(), first.error().message);
  CHECK_FALSE(first->duplicate);
  auto replay = report("dev", "r-1", kNow + 30s, policy::Admission::kAdmit);
  const auto second = store->storeReport(replay);
  REQUIRE(second.has_value());
  CHECK(second->duplicate);
  CHECK(second->posture.admission == policy::Admission::kWarn);
  CHECK(second->posture.received_at == kNow);
  CHECK(second->posture.failing_since == first->posture.failing_since);
  CHECK(store->countReports("dev") == 1);
  CHECK(store->latestPosture("dev")->value().admission == policy::Admission::kWarn);
}

TEST_CASE_TEMPLATE("the same report id from another device is refused", Db, Sqlite, Postgres) {
  const Db db;
  const auto store = openStore(db);
  enrolled(*store, "dev-a");
  enrolled(*store, "dev-b");
  REQUIRE(store->storeReport(report("dev-a", "r-1", kNow, policy::Admission::kAdmit)).has_value());
  const auto stolen = store->storeReport(report("dev-b", "r-1", kNow, policy::Admission::kAdmit));
  REQUIRE_FALSE(stolen.has_value());
  CHECK(stolen.error().code == ErrorCode::kValidation);
  CHECK_FALSE(store->latestPosture("dev-b")->has_value());
  CHECK(store->countReports("") == 1);
}

TEST_CASE_TEMPLATE("the latest posture follows the newest report", Db, Sqlite, Postgres) {
  const Db db;
  const auto store = openStore(db);
  enrolled(*store, "dev");
  REQUIRE(store->storeReport(report("dev", "r-1", kNow, policy::Admission::kAdmit)).has_value());
  REQUIRE(store->storeReport(report("dev", "r-2", kNow + 60s, policy::Admission::kQuarantine)));
  // A late retry joins the history without replacing the latest.
  REQUIRE(store->storeReport(report("dev", "r-0", kNow - 60s, policy::Admission::kAdmit)));
  const auto latest = store->latestPosture("dev");
  REQUIRE(latest->has_value());
  CHECK(latest->value().report_id == "r-2");
  CHECK(latest->value().admission == policy::Admission::kQuarantine);
  CHECK_FALSE(latest->value().compliant);
  CHECK(latest->value().policy_version == 4);
  CHECK(latest->value().failing_since.at("AV-2") == kNow - std::chrono::days(2));
  CHECK(latest->value().generated_at == kNow + 55s);
  CHECK(latest->value().admission_reason.en == "reason");
  const auto history = store->reportsOf("dev", 2);
  REQUIRE(history->size() == 2);
  CHECK(history->at(0).report_id == "r-2");
  CHECK(history->at(1).report_id == "r-1");
  CHECK(history->at(1).facts_json == R"({"report":"r-1"})");
  CHECK(history->at(1).generated_at == kNow - 5s);
  CHECK(store->countReports("dev") == 3);
  // What a report is judged against comes in one read: the device and this same posture.
  const auto standing = store->deviceStanding("dev");
  REQUIRE(standing->has_value());
  CHECK(standing->value().device.id == "dev");
  REQUIRE(standing->value().posture.has_value());
  CHECK(standing->value().posture->report_id == "r-2");
  CHECK(standing->value().posture->admission_reason.en == "reason");
  CHECK(standing->value().exceptions.empty());
  CHECK_FALSE(store->deviceStanding("nobody")->has_value());
}

TEST_CASE_TEMPLATE("concurrent report writers lose nothing", Db, Sqlite, Postgres) {
  const Db db;
  const auto store = openStore(db);
  constexpr int kThreads = 8;
  constexpr int kReports = 200;
  for (int t = 0; t < kThreads; ++t) enrolled(*store, "dev-" + std::to_string(t));
  std::atomic<int> failures{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      const auto device = "dev-" + std::to_string(t);
      for (int i = 0; i < kReports; ++i) {
        const auto id = device + "-r" + std::to_string(i);
        auto r = report(device, id, kNow + std::chrono::seconds(i), policy::Admission::kAdmit);
        if (!store->storeReport(r) || !store->storeReport(r)->duplicate) ++failures;
      }
    });
  }
  for (auto& w : writers) w.join();
  CHECK(failures.load() == 0);
  CHECK(store->countReports("") == kThreads * kReports);
  CHECK(store->countReports("dev-3") == kReports);
  CHECK(store->latestPosture("dev-5")->value().report_id == "dev-5-r199");
}

TEST_CASE_TEMPLATE("revoked exceptions are listed as revoked", Db, Sqlite, Postgres) {
  const Db db;
  const auto store = openStore(db);
  enrolled(*store, "dev");
  ExceptionRecord e;
  e.exception = {.id = "EXC-2026-014",
                 .requirement = "AV-5",
                 .scope = {},
                 .reason = "旧機種",
                 .approver = "CISO",
                 .expires = kNow + std::chrono::days(30)};
  e.device_id = "dev";
  e.created_at = kNow;
  REQUIRE(store->addException(e).has_value());
  auto other = e;
  other.exception.id = "EXC-2026-015";
  other.created_at = kNow + 1s;
  REQUIRE(store->addException(other).has_value());
  CHECK(store->addException(e).error().code == ErrorCode::kValidation);
  other.device_id = "nobody";
  other.exception.id = "EXC-2026-016";
  CHECK(store->addException(other).error().code == ErrorCode::kValidation);
  REQUIRE(store->revokeException("EXC-2026-014", "ciso-deputy", kNow + 1h).has_value());
  REQUIRE(store->revokeException("EXC-2026-014", "someone else", kNow + 2h).has_value());
  CHECK(store->revokeException("EXC-404", "x", kNow).error().code == ErrorCode::kValidation);
  const auto listed = store->listExceptions("dev");
  REQUIRE(listed->size() == 2);
  CHECK(listed->at(0).exception.id == "EXC-2026-014");
  CHECK(listed->at(0).revoked_at == kNow + 1h);
  CHECK(listed->at(0).revoked_by == "ciso-deputy");
  CHECK(listed->at(0).exception.reason == "旧機種");
  CHECK(listed->at(0).exception.expires == kNow + std::chrono::days(30));
  CHECK_FALSE(listed->at(1).revoked_at.has_value());
  CHECK(store->listExceptions("")->size() == 2);
  CHECK(store->listExceptions("other")->empty());
  // A report is judged with the exceptions still in force only; the device has no posture yet.
  const auto standing = store->deviceStanding("dev");
  REQUIRE(standing->has_value());
  CHECK_FALSE(standing->value().posture.has_value());
  REQUIRE(standing->value().exceptions.size() == 1);
  CHECK(standing->value().exceptions[0].exception.id == "EXC-2026-015");
}

TEST_CASE_TEMPLATE("migrations apply once", Db, Sqlite, Postgres) {
  const Db db;
  std::string token_id;
  {
    const auto store = openStore(db);
    CHECK(store->schemaVersion() == 4);
    token_id = newToken(*store).record.id;
  }
  const auto reopened = openStore(db);
  CHECK(reopened->schemaVersion() == 4);
  CHECK(db.scalar("SELECT COUNT(*) FROM schema_migrations") == 4);
  CHECK(reopened->listTokens()->at(0).id == token_id);
}

TEST_CASE_TEMPLATE("a database newer than the code is refused", Db, Sqlite, Postgres) {
  const Db db;
  openStore(db);
  db.execute("INSERT INTO schema_migrations (version, applied_at) VALUES (7, 0)");
  const auto store = Store::open(db.url());
  REQUIRE_FALSE(store.has_value());
  CHECK(store.error().code == ErrorCode::kValidation);
  CHECK(store.error().message.find('7') != std::string::npos);
  CHECK(store.error().message.find('4') != std::string::npos);
}

TEST_CASE("an SQLite file in a missing directory is an I/O error") {
  const testing::TempRoot root;
  const auto store = Store::open((root.path() / "missing" / "collector.db").string());
  REQUIRE_FALSE(store.has_value());
  CHECK(store.error().code == ErrorCode::kIo);
}

TEST_CASE("an unreachable PostgreSQL server is an I/O error") {
  const testing::TempRoot root;
  const auto store = Store::open("postgresql://mamori@/x?host=" + root.path().string() + "&port=9");
  REQUIRE_FALSE(store.has_value());
  CHECK(store.error().code == ErrorCode::kIo);
  const auto malformed = Store::open("postgresql://mamori@/x?no_such_option=1");
  CHECK(malformed.error().code == ErrorCode::kUsage);
}
