#pragma once

// Shared by the storage tests: the two engines every case runs on (a fresh SQLite file, a fresh
// database in the test's PostgreSQL 15 cluster) and builders for tokens, devices and reports.

#include <Poco/Data/Session.h>
#include <doctest/doctest.h>

#include "mamori/collector/enrollment_token.hpp"
#include "mamori/collector/store.hpp"
#include "postgres_cluster.hpp"
#include "temp_root.hpp"

namespace mamori::collector::store_testing {

using namespace std::chrono_literals;
using mamori::testing::PostgresCluster;
using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;

inline const policy::TimePoint kNow = std::chrono::sys_days{std::chrono::year{2026} / 11 / 22};

// Reads one number from the database as another program (an older or newer collector) would.
inline std::int64_t scalar(const std::string& connector, const std::string& where,
                           const std::string& sql) {
  Poco::Data::Session session(connector, where);
  std::int64_t value = 0;
  session << sql, into(value), now;
  return value;
}

inline void execute(const std::string& connector, const std::string& where,
                    const std::string& sql) {
  Poco::Data::Session session(connector, where);
  session << sql, now;
}

// A fresh empty database per case.
struct Sqlite {
  std::string url() const { return "sqlite:" + file; }
  std::int64_t scalar(const std::string& sql) const {
    return store_testing::scalar("sqlite", file, sql);
  }
  void execute(const std::string& sql) const { store_testing::execute("sqlite", file, sql); }
  testing::TempRoot root;
  std::string file = (root.path() / "collector.db").string();
};

struct Postgres {
  std::string url() const { return PostgresCluster::shared().url(name); }
  std::int64_t scalar(const std::string& sql) const {
    return store_testing::scalar("postgresql", where, sql);
  }
  void execute(const std::string& sql) const { store_testing::execute("postgresql", where, sql); }
  std::string name = PostgresCluster::shared().createDatabase();
  std::string where = PostgresCluster::shared().keywords(name);
};

template <class Db>
std::unique_ptr<Store> openStore(const Db& db) {
  auto store = Store::open(db.url());
  REQUIRE_MESSAGE(store.has_value(), store.error().describe());
  return std::move(*store);
}

inline NewToken newToken(Store& store, int max_uses = 5, std::chrono::hours validity = 24h) {
  auto token = makeToken("総務課", policy::Segment::kLgwan, kNow, validity, max_uses, "admin",
                         "PC 入替 2026");
  REQUIRE_MESSAGE(token.has_value(), token.error().message);
  const auto stored = store.insertToken(token->record, token->secret_sha256_hex);
  REQUIRE_MESSAGE(stored.has_value(), stored.error().message);
  return *token;
}

inline DeviceRecord pc(std::string id, std::string machine_id, std::vector<std::string> macs = {}) {
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

inline std::expected<DeviceRecord, Error> enrollWith(Store& store, const NewToken& token,
                                                     const DeviceRecord& device,
                                                     policy::TimePoint at = kNow) {
  const auto parts = parseToken(token.text);
  REQUIRE(parts.has_value());
  return store.enroll(parts->id, parts->secret_sha256_hex, device, at);
}

inline DeviceRecord enrolled(Store& store, const std::string& id,
                             std::vector<std::string> macs = {}) {
  const auto token = newToken(store);
  auto device = enrollWith(store, token, pc(id, "machine-" + id, std::move(macs)));
  REQUIRE_MESSAGE(device.has_value(), device.error().message);
  return *device;
}

inline ReportRecord report(const std::string& device_id, const std::string& report_id,
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

inline int tokenUses(Store& store) { return store.listTokens()->at(0).uses; }

}  // namespace mamori::collector::store_testing

TYPE_TO_STRING_AS("sqlite", mamori::collector::store_testing::Sqlite);
TYPE_TO_STRING_AS("postgresql", mamori::collector::store_testing::Postgres);
