// The collector's storage (issue 4), tokens and devices: every case runs on an SQLite file and on
// a PostgreSQL 15 cluster the test creates, since a site may use either.

#include <atomic>
#include <thread>

#include "store_test_support.hpp"

using namespace mamori;
using namespace mamori::collector;
using namespace mamori::collector::store_testing;

TEST_CASE_TEMPLATE("a token is stored without its secret and listed", Db, Sqlite, Postgres) {
  const Db db;
  const auto store = openStore(db);
  const auto token = newToken(*store, 3);
  const auto tokens = store->listTokens();
  REQUIRE(tokens.has_value());
  REQUIRE(tokens->size() == 1);
  const auto& t = tokens->front();
  CHECK(t.id == token.record.id);
  CHECK(t.department == "総務課");
  CHECK(t.segment == policy::Segment::kLgwan);
  CHECK(t.created_at == kNow);
  CHECK(t.expires == kNow + 24h);
  CHECK(t.max_uses == 3);
  CHECK(t.uses == 0);
  CHECK(t.note == "PC 入替 2026");
  CHECK_FALSE(t.revoked_at.has_value());
  CHECK(db.scalar("SELECT COUNT(*) FROM tokens WHERE secret_sha256 = '" + token.secret_sha256_hex +
                  "'") == 1);
  const auto again = store->insertToken(token.record, token.secret_sha256_hex);
  REQUIRE_FALSE(again.has_value());
  CHECK(again.error().code == ErrorCode::kValidation);
}

TEST_CASE_TEMPLATE("revoking a token keeps the first time", Db, Sqlite, Postgres) {
  const Db db;
  const auto store = openStore(db);
  const auto token = newToken(*store);
  REQUIRE(store->revokeToken(token.record.id, kNow + 1h).has_value());
  REQUIRE(store->revokeToken(token.record.id, kNow + 2h).has_value());
  CHECK(store->listTokens()->at(0).revoked_at == kNow + 1h);
  CHECK(store->revokeToken("000000000000", kNow).error().code == ErrorCode::kValidation);
}

TEST_CASE_TEMPLATE("a valid token enrolls the device under the token's department", Db, Sqlite,
                   Postgres) {
  const Db db;
  const auto store = openStore(db);
  const auto token = newToken(*store);
  const auto device =
      enrollWith(*store, token, pc("dev-1", "m1", {"aa:bb:cc:00:00:01"}), kNow + 1h);
  REQUIRE_MESSAGE(device.has_value(), device.error().message);
  CHECK(device->id == "dev-1");
  CHECK(device->department == "総務課");
  CHECK(device->segment == policy::Segment::kLgwan);
  CHECK(device->token_id == token.record.id);
  CHECK(device->enrolled_at == kNow + 1h);
  const auto found = store->findDevice("dev-1");
  REQUIRE(found.has_value());
  REQUIRE(found->has_value());
  CHECK(found->value().identity == device->identity);
  CHECK(found->value().certificate_serial == "serial-dev-1");
  CHECK(found->value().certificate_expires == kNow + std::chrono::days(365));
  CHECK(tokenUses(*store) == 1);
}

TEST_CASE_TEMPLATE("a wrong secret enrolls nothing", Db, Sqlite, Postgres) {
  const Db db;
  const auto store = openStore(db);
  const auto token = newToken(*store);
  const auto other = makeToken("x", policy::Segment::kLgwan, kNow, 1h, 1, "", "");
  const auto result = store->enroll(token.record.id, other->secret_sha256_hex, pc("d", "m"), kNow);
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().code == ErrorCode::kValidation);
  CHECK(result.error().message.find("secret") != std::string::npos);
  CHECK(result.error().message.find(other->secret_sha256_hex) == std::string::npos);
  CHECK(result.error().message.find(token.secret_sha256_hex) == std::string::npos);
  CHECK(tokenUses(*store) == 0);
  CHECK(store->listDevices()->empty());
}

TEST_CASE_TEMPLATE("an expired token enrolls nothing", Db, Sqlite, Postgres) {
  const Db db;
  const auto store = openStore(db);
  const auto token = newToken(*store, 5, 2h);
  const auto result = enrollWith(*store, token, pc("d", "m"), kNow + 2h);
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().message.find("expired") != std::string::npos);
  CHECK(store->listDevices()->empty());
}

TEST_CASE_TEMPLATE("a used-up token enrolls nothing", Db, Sqlite, Postgres) {
  const Db db;
  const auto store = openStore(db);
  const auto token = newToken(*store, 1);
  REQUIRE(enrollWith(*store, token, pc("d1", "m1")).has_value());
  const auto result = enrollWith(*store, token, pc("d2", "m2"));
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().message.find("used up") != std::string::npos);
  CHECK(store->listDevices()->size() == 1);
  CHECK(tokenUses(*store) == 1);
}

TEST_CASE_TEMPLATE("a revoked or unknown token enrolls nothing", Db, Sqlite, Postgres) {
  const Db db;
  const auto store = openStore(db);
  const auto token = newToken(*store);
  REQUIRE(store->revokeToken(token.record.id, kNow).has_value());
  const auto revoked = enrollWith(*store, token, pc("d1", "m1"), kNow + 1s);
  REQUIRE_FALSE(revoked.has_value());
  CHECK(revoked.error().message.find("revoked") != std::string::npos);
  const auto unknown = store->enroll("0123456789ab", token.secret_sha256_hex, pc("d2", "m2"), kNow);
  REQUIRE_FALSE(unknown.has_value());
  CHECK(unknown.error().code == ErrorCode::kValidation);
  CHECK(store->listDevices()->empty());
}

TEST_CASE_TEMPLATE("re-enrolling the same machine keeps its device id", Db, Sqlite, Postgres) {
  const Db db;
  const auto store = openStore(db);
  const auto token = newToken(*store, 3);
  REQUIRE(enrollWith(*store, token, pc("first", "m1", {"aa:00:00:00:00:01"})).has_value());
  auto again = pc("second", "m1", {"aa:00:00:00:00:02"});
  again.certificate_serial = "renewed";
  const auto renewed = enrollWith(*store, token, again, kNow + 1h);
  REQUIRE_MESSAGE(renewed.has_value(), renewed.error().message);
  CHECK(renewed->id == "first");
  CHECK(store->findDeviceByMachineId("m1")->value().id == "first");
  const auto devices = store->listDevices();
  REQUIRE(devices->size() == 1);
  CHECK(devices->front().certificate_serial == "renewed");
  CHECK(devices->front().identity.macs == std::vector<std::string>{"aa:00:00:00:00:02"});
  CHECK_FALSE(store->findDeviceByMac("aa:00:00:00:00:01")->has_value());
  // A revoked device stays revoked: enrolling that machine again makes a new device.
  REQUIRE(store->revokeDevice("first", kNow + 2h).has_value());
  const auto fresh = enrollWith(*store, token, pc("third", "m1"), kNow + 3h);
  REQUIRE(fresh.has_value());
  CHECK(fresh->id == "third");
  CHECK(store->listDevices()->size() == 2);
}

TEST_CASE_TEMPLATE("a MAC finds its device", Db, Sqlite, Postgres) {
  const Db db;
  const auto store = openStore(db);
  enrolled(*store, "dev-a", {"aa:bb:cc:dd:ee:01", "aa:bb:cc:dd:ee:02"});
  enrolled(*store, "dev-b", {"aa:bb:cc:dd:ee:03"});
  CHECK(store->findDeviceByMac("aa:bb:cc:dd:ee:02")->value().id == "dev-a");
  CHECK(store->findDeviceByMac("AA:BB:CC:DD:EE:03")->value().id == "dev-b");
  CHECK_FALSE(store->findDeviceByMac("aa:bb:cc:dd:ee:99")->has_value());
  REQUIRE(store->revokeDevice("dev-b", kNow).has_value());
  CHECK_FALSE(store->findDeviceByMac("aa:bb:cc:dd:ee:03")->has_value());
  CHECK(store->findDevice("dev-b")->value().revoked_at == kNow);
}

TEST_CASE_TEMPLATE("concurrent enrollments never exceed a token's uses", Db, Sqlite, Postgres) {
  const Db db;
  const auto store = openStore(db);
  const auto token = newToken(*store, 5);
  const auto parts = parseToken(token.text);
  std::atomic<int> enrolled_count{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 8; ++t) {
    clients.emplace_back([&, t] {
      const auto id = std::to_string(t);
      if (store->enroll(parts->id, parts->secret_sha256_hex, pc("d" + id, "m" + id), kNow)) {
        ++enrolled_count;
      }
    });
  }
  for (auto& c : clients) c.join();
  CHECK(enrolled_count.load() == 5);
  CHECK(store->listDevices()->size() == 5);
  CHECK(tokenUses(*store) == 5);
}
