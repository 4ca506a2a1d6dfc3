// CSIRT isolation in the collector's database (issue 7, 第107条3), on both engines: one
// isolation at a time, kept on the device row, and every change logged with who and why.

#include "store_test_support.hpp"

using namespace mamori;
using namespace mamori::collector;
using namespace mamori::collector::store_testing;

TEST_CASE_TEMPLATE("an isolation holds until released, and both are logged", Db, Sqlite, Postgres) {
  const Db db;
  const auto store = openStore(db);
  enrolled(*store, "dev", {"52:54:00:00:00:01"});
  CHECK_FALSE(store->findDevice("dev")->value().isolation.has_value());

  REQUIRE(store->changeIsolation({"dev", kNow, true, "csirt-sato", "INC-0042 感染の疑い"}));
  const auto isolated = store->findDevice("dev")->value().isolation;
  REQUIRE(isolated.has_value());
  CHECK(isolated->since == kNow);
  CHECK(isolated->by == "csirt-sato");
  CHECK(isolated->reason == "INC-0042 感染の疑い");
  // The paths that judge a device see it: the report's and RADIUS's.
  CHECK(store->deviceStanding("dev")->value().device.isolation.has_value());
  CHECK(store->findDeviceByMac("52:54:00:00:00:01")->value().isolation.has_value());

  const auto twice = store->changeIsolation({"dev", kNow + 60s, true, "csirt-ito", "again"});
  REQUIRE_FALSE(twice.has_value());
  CHECK(twice.error().code == ErrorCode::kValidation);
  CHECK(twice.error().message.find("already isolated") != std::string::npos);
  CHECK(twice.error().message.find("csirt-sato") != std::string::npos);

  REQUIRE(store->changeIsolation({"dev", kNow + 1h, false, "csirt-ito", "cleaned, INC-0042"}));
  CHECK_FALSE(store->findDevice("dev")->value().isolation.has_value());
  const auto not_isolated = store->changeIsolation({"dev", kNow + 2h, false, "x", "y"});
  REQUIRE_FALSE(not_isolated.has_value());
  CHECK(not_isolated.error().message.find("not isolated") != std::string::npos);

  const auto history = store->isolationHistory("dev");
  REQUIRE(history.has_value());
  REQUIRE(history->size() == 2);
  CHECK((*history)[0].isolated);
  CHECK((*history)[0].by == "csirt-sato");
  CHECK_FALSE((*history)[1].isolated);
  CHECK((*history)[1].at == kNow + 1h);
  CHECK((*history)[1].reason == "cleaned, INC-0042");

  const auto nobody = store->changeIsolation({"nobody", kNow, true, "x", "y"});
  REQUIRE_FALSE(nobody.has_value());
  CHECK(nobody.error().message == "no device nobody");
}

TEST_CASE_TEMPLATE("enrolling again does not lift an isolation", Db, Sqlite, Postgres) {
  const Db db;
  const auto store = openStore(db);
  enrolled(*store, "dev");
  REQUIRE(store->changeIsolation({"dev", kNow, true, "csirt-sato", "INC-0042"}));
  enrolled(*store, "dev");
  CHECK(store->findDevice("dev")->value().isolation.has_value());
}

TEST_CASE_TEMPLATE("who issued which unlock code is kept, not the code", Db, Sqlite, Postgres) {
  const Db db;
  const auto store = openStore(db);
  enrolled(*store, "dev");
  REQUIRE(store->recordUnlockCode({"dev", kNow, kNow + 24h, "admin-tanaka"}));
  REQUIRE(store->recordUnlockCode({"dev", kNow + 1h, kNow + 2h, "admin-sato"}));
  const auto issued = store->unlockCodes("dev");
  REQUIRE(issued.has_value());
  REQUIRE(issued->size() == 2);
  CHECK((*issued)[0].issued_by == "admin-tanaka");
  CHECK((*issued)[0].expires == kNow + 24h);
  CHECK((*issued)[1].issued_at == kNow + 1h);
  CHECK_FALSE(store->recordUnlockCode({"nobody", kNow, kNow + 1h, "x"}).has_value());
}
