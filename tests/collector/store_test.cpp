// The collector's storage (issue 4): every case runs on an SQLite file and on a PostgreSQL 15
// cluster the test creates, since a site may use either.

#include "mamori/collector/store.hpp"

#include <Poco/Data/Session.h>
#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "mamori/collector/enrollment_token.hpp"
#include "postgres_cluster.hpp"
#include "temp_root.hpp"

using namespace mamori;
using namespace collector;
using namespace std::chrono_literals;
using mamori::testing::PostgresCluster;
using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;

namespace {

const policy::TimePoint kNow = std::chrono::sys_days{std::chrono::year{2026} / 11 / 22};

// Reads one number from the database as another program (an older or newer collector) would.
std::int64_t scalar(const std::string& connector, const std::string& where,
                    const std::string& sql) {
  Poco::Data::Session session(connector, where);
  std::int64_t value = 0;
  session << sql, into(value), now;
  return value;
}

void execute(const std::string& connector, const std::string& where, const std::string& sql) {
  Poco::Data::Session session(connector, where);
  session << sql, now;
}

// A fresh empty database per case.
struct Sqlite {
  std::string url() const { return "sqlite:" + file; }
  std::int64_t scalar(const std::string& sql) const { return ::scalar("sqlite", file, sql); }
  void execute(const std::string& sql) const { ::execute("sqlite", file, sql); }
  testing::TempRoot root;
  std::string file = (root.path() / "collector.db").string();
};

struct Postgres {
  std::string url() const { return PostgresCluster::shared().url(name); }
  std::int64_t scalar(const std::string& sql) const { return ::scalar("postgresql", where, sql); }
  void execute(const std::string& sql) const { ::execute("postgresql", where, sql); }
  std::string name = PostgresCluster::shared().createDatabase();
  std::string where = PostgresCluster::shared().keywords(name);
};

}  // namespace

TYPE_TO_STRING_AS("sqlite", Sqlite);
TYPE_TO_STRING_AS("postgresql", Postgres);

namespace {

template <class Db>
std::unique_ptr<Store> openStore(const Db& db) {
  auto store = Store::open(db.url());
  REQUIRE_MESSAGE(store.has_value(), store.error().describe());
  return std::move(*store);
}

NewToken newToken(Store& store, int max_uses = 5, std::chrono::hours validity = 24h) {
  auto token = makeToken("総務課", policy::Segment::kLgwan, kNow, validity, max_uses, "admin",
                         "PC 入替 2026");
  REQUIRE_MESSAGE(token.has_value(), token.error().message);
  const auto stored = store.insertToken(token->record, token->secret_sha256_hex);
  REQUIRE_MESSAGE(stored.has_value(), stored.error().message);
  return *token;
}

DeviceRecord pc(std::string id, std::string machine_id, std::vector<std::string> macs = {}) {
  DeviceRecord d;
  d.id = std::move(id);
  d.identity = {.hostname = "pc-" + machine_id,
                .machine_id = machine_id,
                .smbios_uuid = "4c4c4544-0000-" + machine_id,
                .macs = std::move(macs)};
  d.department = "claimed by the PC";  // the token decides
  d.segment = policy::Segment::kInternet;
  d.certificate_serial = "serial-" + d.id;
  d.certificate_fingerprint = std::string(64, 'f');
  d.certificate_expires = kNow + std::chrono::days(365);
  return d;
}

std::expected<DeviceRecord, Error> enrollWith(Store& store, const NewToken& token,
                                              const DeviceRecord& device,
                                              policy::TimePoint at = kNow) {
  const auto parts = parseToken(token.text);
  REQUIRE(parts.has_value());
  return store.enroll(parts->id, parts->secret_sha256_hex, device, at);
}

DeviceRecord enrolled(Store& store, const std::string& id, std::vector<std::string> macs = {}) {
  const auto token = newToken(store);
  auto device = enrollWith(store, token, pc(id, "machine-" + id, std::move(macs)));
  REQUIRE_MESSAGE(device.has_value(), device.error().message);
  return *device;
}

ReportRecord report(const std::string& device_id, const std::string& report_id,
                    policy::TimePoint received, policy::Admission admission) {
  ReportRecord r;
  r.report_id = report_id;
  r.device_id = device_id;
  r.generated_at = received - 5s;
  r.received_at = received;
  r.agent_version = "0.1.0";
  r.agent_policy_version = 3;
  r.agent_admission = "admit";
  r.posture.generated_at = r.generated_at;
  r.posture.admission_reason = {"理由", "reason"};
  r.posture.policy_version = 4;
  r.posture.compliant = admission == policy::Admission::kAdmit;
  r.posture.admission = admission;
  r.posture.verdict_json =
      R"({"admission":")" + std::string(policy::admissionId(admission)) + "\"}";
  r.posture.failing_since = {{"AV-2", kNow - std::chrono::days(2)}};
  r.facts_json = R"({"report":")" + report_id + "\"}";
  return r;
}

int tokenUses(Store& store) { return store.listTokens()->at(0).uses; }

}  // namespace

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
}

TEST_CASE_TEMPLATE("migrations apply once", Db, Sqlite, Postgres) {
  const Db db;
  std::string token_id;
  {
    const auto store = openStore(db);
    CHECK(store->schemaVersion() == 1);
    token_id = newToken(*store).record.id;
  }
  const auto reopened = openStore(db);
  CHECK(reopened->schemaVersion() == 1);
  CHECK(db.scalar("SELECT COUNT(*) FROM schema_migrations") == 1);
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
  CHECK(store.error().message.find('1') != std::string::npos);
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
