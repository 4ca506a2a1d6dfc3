#pragma once

// The Store over SQL, one implementation for SQLite and PostgreSQL (the differences live in
// Dialect; connections come from Poco::Data, and on SQLite statements run prepared once per
// connection, see SqliteStatements). Each call takes a pooled connection; each writing call runs
// in one transaction that is committed when its body returns a value and rolled back when it
// returns an Error or throws.

#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <type_traits>

#include "group_commit.hpp"
#include "mamori/collector/store.hpp"
#include "sql_dialect.hpp"
#include "sql_pool.hpp"
#include "wal_checkpointer.hpp"

namespace mamori::collector {

/// kIo: "`what`: <the database's reason>".
Error storageError(std::string_view what, const std::exception& e);
/// kValidation with `message`.
Error ruleError(std::string message);

class SqlStore final : public Store {
 public:
  /// Connects (`connection` as the Poco connector takes it) and migrates. `name` says which
  /// database in errors (never a password); `now` dates the migrations applied.
  static std::expected<std::unique_ptr<Store>, Error> create(Engine engine,
                                                             const std::string& connection,
                                                             std::string_view name,
                                                             policy::TimePoint now);
  ~SqlStore() override;

  std::expected<int, Error> schemaVersion() override;

  std::expected<void, Error> insertToken(const TokenRecord& token,
                                         std::string_view secret_sha256_hex) override;
  std::expected<std::vector<TokenRecord>, Error> listTokens() override;
  std::expected<void, Error> revokeToken(std::string_view id, policy::TimePoint now) override;
  std::expected<DeviceRecord, Error> enroll(std::string_view token_id,
                                            std::string_view secret_sha256_hex,
                                            const DeviceRecord& device,
                                            policy::TimePoint now) override;

  std::expected<std::optional<DeviceRecord>, Error> findDevice(std::string_view id) override;
  std::expected<std::optional<DeviceStanding>, Error> deviceStanding(std::string_view id) override;
  std::expected<std::optional<DeviceRecord>, Error> findDeviceByMac(std::string_view mac) override;
  std::expected<std::optional<DeviceRecord>, Error> findDeviceByMachineId(
      std::string_view machine_id) override;
  std::expected<std::vector<DeviceRecord>, Error> listDevices() override;
  std::expected<void, Error> revokeDevice(std::string_view id, policy::TimePoint now) override;
  std::expected<void, Error> changeIsolation(const IsolationChange& change) override;
  std::expected<void, Error> recordUnlockCode(const UnlockCodeIssue& issue) override;
  [[nodiscard]] std::expected<std::vector<UnlockCodeIssue>, Error> unlockCodes(
      std::string_view device_id) override;
  [[nodiscard]] std::expected<std::vector<IsolationChange>, Error> isolationHistory(
      std::string_view device_id) override;

  std::expected<StoreOutcome, Error> storeReport(const ReportRecord& report) override;
  std::expected<std::optional<Posture>, Error> latestPosture(std::string_view device_id) override;
  std::expected<std::vector<ReportRecord>, Error> reportsOf(std::string_view device_id,
                                                            int limit) override;
  std::expected<std::int64_t, Error> countReports(std::string_view device_id) override;

  std::expected<std::vector<AuditRecord>, Error> auditEvents(std::string_view device_id,
                                                             int limit) override;

  std::expected<void, Error> addException(const ExceptionRecord& record) override;
  std::expected<std::vector<ExceptionRecord>, Error> listExceptions(
      std::string_view device_id) override;
  std::expected<void, Error> revokeException(std::string_view id, std::string_view by,
                                             policy::TimePoint now) override;

 private:
  SqlStore(Dialect dialect, const std::string& connection);

  /// `body(connection)` inside one write transaction (SQLite writers of this process in turn).
  template <class Body>
  auto write(std::string_view what, Body&& body) -> std::invoke_result_t<Body&, Connection&>;
  /// `body(connection)` outside a transaction: for single statements that only read.
  template <class Body>
  auto read(std::string_view what, Body&& body) -> std::invoke_result_t<Body&, Connection&>;

  /// Inserts `device`, or updates the unrevoked device with its machine id; returns the record
  /// as stored. kValidation when the new id is another machine's.
  std::expected<DeviceRecord, Error> saveDevice(Connection& connection, DeviceRecord device);
  std::optional<DeviceRecord> deviceWhere(Connection& connection, std::string_view where,
                                          std::string_view value);
  std::optional<Posture> postureOf(Connection& connection, std::string_view device_id);
  std::vector<ExceptionRecord> exceptionsOf(Connection& connection, std::string_view device_id);
  /// Adds the report to the history; false when its id is already there.
  bool insertReport(Connection& connection, const ReportRecord& report);
  /// The outcome for a report id already stored: the earlier judgement, or kValidation when
  /// another device sent it.
  std::expected<StoreOutcome, Error> replayed(Connection& connection, const ReportRecord& report);
  /// Files the audit events a new report carried.
  void insertAuditEvents(Connection& connection, const ReportRecord& report);
  /// Makes the report's posture the device's latest unless a newer one is there.
  void savePosture(Connection& connection, const ReportRecord& report);
  /// One report's statements inside the caller's transaction.
  std::expected<StoreOutcome, Error> storeInTransaction(Connection& connection,
                                                        const ReportRecord& report);

  using ReportCommit = GroupCommit<ReportRecord, std::expected<StoreOutcome, Error>>;
  /// Stores every report of `batch` in one transaction and sets each slot's result.
  void commitReports(std::span<ReportCommit::Slot* const> batch);

  Dialect dialect_;
  SessionPool pool_;
  std::mutex writers_;
  ReportCommit report_commit_{64};
  std::optional<WalCheckpointer> checkpointer_;  ///< SQLite only; stops before the pool closes
};

template <class Body>
auto SqlStore::write(std::string_view what, Body&& body)
    -> std::invoke_result_t<Body&, Connection&> {
  std::unique_lock<std::mutex> turn(writers_, std::defer_lock);
  if (dialect_.serializeWriters()) turn.lock();
  try {
    auto lease = pool_.acquire();
    auto& connection = lease.connection();
    dialect_.begin(connection);
    try {
      auto result = body(connection);
      if (result) {
        dialect_.commit(connection);
      } else {
        dialect_.rollback(connection);
      }
      return result;
    } catch (...) {
      try {
        dialect_.rollback(connection);
      } catch (...) {  // the first error is the one to report; the connection is suspect
        lease.discard();
      }
      throw;
    }
  } catch (const std::exception& e) {
    return std::unexpected(storageError(what, e));
  }
}

template <class Body>
auto SqlStore::read(std::string_view what, Body&& body)
    -> std::invoke_result_t<Body&, Connection&> {
  try {
    auto lease = pool_.acquire();
    return body(lease.connection());
  } catch (const std::exception& e) {
    return std::unexpected(storageError(what, e));
  }
}

}  // namespace mamori::collector
