// Audit events filed with reports (issue 5, 第43条): stored once per event id, listed newest
// first, on both engines.

#include "store_test_support.hpp"

using namespace mamori;
using namespace mamori::collector;
using namespace mamori::collector::store_testing;

namespace {

AuditRecord event(const std::string& id, policy::TimePoint at, const std::string& action) {
  AuditRecord a;
  a.event_id = id;
  a.at = at;
  a.category = "usb";
  a.action = action;
  a.rule = "usb.blocked-kind";
  a.subject = "0781:5581 SanDisk Ultra (4C530001234567)";
  a.user = "yamada";
  a.policy_version = 12;
  a.event_json = R"({"event_id":")" + id + "\"}";
  return a;
}

}  // namespace

TEST_CASE_TEMPLATE("audit events are stored with their report, once", Db, Sqlite, Postgres) {
  const Db db;
  const auto store = openStore(db);
  enrolled(*store, "dev-a");
  enrolled(*store, "dev-b");
  auto first = report("dev-a", "r-1", kNow, policy::Admission::kAdmit);
  first.audit_events = {event("e-1", kNow - 60s, "blocked"), event("e-2", kNow - 30s, "allowed")};
  REQUIRE(store->storeReport(first).has_value());

  SUBCASE("listed newest first, with the device and report that brought them") {
    const auto listed = store->auditEvents("dev-a", 10);
    REQUIRE(listed.has_value());
    REQUIRE(listed->size() == 2);
    CHECK(listed->at(0).event_id == "e-2");
    CHECK(listed->at(1).event_id == "e-1");
    auto expected = event("e-1", kNow - 60s, "blocked");
    expected.device_id = "dev-a";
    expected.report_id = "r-1";
    expected.received_at = kNow;
    CHECK(listed->at(1) == expected);
    CHECK(store->auditEvents("dev-a", 1)->size() == 1);
  }
  SUBCASE("a replayed report adds nothing") {
    auto replay = first;
    replay.audit_events.push_back(event("e-3", kNow, "blocked"));
    REQUIRE(store->storeReport(replay)->duplicate);
    CHECK(store->auditEvents("", 10)->size() == 2);
  }
  SUBCASE("an event id sent again in a later report is kept as first filed") {
    auto second = report("dev-a", "r-2", kNow + 60s, policy::Admission::kAdmit);
    second.audit_events = {event("e-2", kNow, "blocked"), event("e-4", kNow + 30s, "blocked")};
    REQUIRE(store->storeReport(second).has_value());
    const auto listed = store->auditEvents("dev-a", 10);
    REQUIRE(listed->size() == 3);
    CHECK(listed->at(1).event_id == "e-2");
    CHECK(listed->at(1).action == "allowed");
    CHECK(listed->at(1).report_id == "r-1");
  }
  SUBCASE("one device's events, or everyone's") {
    auto other = report("dev-b", "r-9", kNow, policy::Admission::kAdmit);
    other.audit_events = {event("e-9", kNow, "blocked")};
    REQUIRE(store->storeReport(other).has_value());
    CHECK(store->auditEvents("dev-b", 10)->size() == 1);
    CHECK(store->auditEvents("", 10)->size() == 3);
    CHECK(store->auditEvents("", 10)->at(0).device_id == "dev-b");
    CHECK(store->auditEvents("nobody", 10)->empty());
  }
}

TEST_CASE_TEMPLATE("a version-1 database gains the audit and isolation tables and keeps its data",
                   Db, Sqlite, Postgres) {
  const Db db;
  {
    const auto store = openStore(db);
    enrolled(*store, "dev");
    REQUIRE(store->storeReport(report("dev", "r-1", kNow, policy::Admission::kAdmit)));
  }
  // What a collector of the first release left behind.
  db.execute("DROP TABLE audit_events");
  db.execute("DROP TABLE isolation_changes");
  db.execute("DROP TABLE unlock_codes");
  for (const auto* column : {"isolated_at", "isolated_by", "isolation_reason"}) {
    db.execute(std::string("ALTER TABLE devices DROP COLUMN ") + column);
  }
  db.execute("DELETE FROM schema_migrations WHERE version >= 2");

  const auto store = openStore(db);
  CHECK(store->schemaVersion() == 4);
  CHECK(store->countReports("dev") == 1);
  auto next = report("dev", "r-2", kNow + 60s, policy::Admission::kAdmit);
  next.audit_events = {event("e-1", kNow, "blocked")};
  REQUIRE(store->storeReport(next).has_value());
  CHECK(store->auditEvents("dev", 10)->size() == 1);
  // And the isolation columns: the device can be isolated.
  REQUIRE(store->changeIsolation({"dev", kNow, true, "csirt", "INC-1"}).has_value());
  CHECK(store->findDevice("dev")->value().isolation.has_value());
}
