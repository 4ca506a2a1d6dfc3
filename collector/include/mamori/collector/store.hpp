#pragma once

// The collector's database: enrollment tokens, devices, their exceptions, every report and each
// device's latest posture. One schema on two engines through Poco::Data: an SQLite file (WAL) for
// one site, PostgreSQL when several collectors share the state. The schema is versioned; opening
// a database applies the missing migrations in order, each in its own transaction, and refuses a
// database newer than this code.
//
// Every method is safe to call from many threads at once (the HTTPS server's workers) and either
// completes or changes nothing. Failures are values; no Poco exception leaves this class.

#include <cstdint>
#include <expected>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mamori/error.hpp"
#include "mamori/policy/facts.hpp"
#include "mamori/policy/policy.hpp"
#include "mamori/policy/segment.hpp"
#include "mamori/policy/time.hpp"
#include "mamori/policy/verdict.hpp"
#include "mamori/protocol/messages.hpp"

namespace mamori::collector {

/// An enrollment token as stored: the secret itself is never stored, only its SHA-256.
struct TokenRecord {
  std::string id;  ///< public part of the token, printed by `token list`: 12 lower-case hex
  std::string department;
  policy::Segment segment = policy::Segment::kLgwan;
  policy::TimePoint created_at;
  policy::TimePoint expires;
  int max_uses = 1;
  int uses = 0;
  std::string created_by;
  std::string note;
  std::optional<policy::TimePoint> revoked_at;
};

/// One enrolled PC.
struct DeviceRecord {
  std::string id;  ///< assigned by the collector at enrollment (UUID text), the certificate CN
  policy::DeviceIdentity identity;  ///< pinned at enrollment (第86条)
  std::string department;
  policy::Segment segment = policy::Segment::kLgwan;
  std::string token_id;  ///< the token it enrolled with
  policy::TimePoint enrolled_at;
  std::string certificate_serial;       ///< of its current certificate
  std::string certificate_fingerprint;  ///< SHA-256 hex of its current certificate's DER
  policy::TimePoint certificate_expires;
  std::optional<policy::TimePoint> revoked_at;
  /// A CSIRT isolation in force (NET-4, 第107条3); none when the device is not isolated.
  std::optional<protocol::Isolation> isolation;
};

/// An unlock code the collector issued (issue 8): who let which PC's agent be removed, until
/// when. The code itself is not kept: it is a bearer permission until it expires.
struct UnlockCodeIssue {
  std::string device_id;
  policy::TimePoint issued_at;
  policy::TimePoint expires;
  std::string issued_by;
};

/// One isolation or release, as the collector keeps them for the audit (第107条3).
struct IsolationChange {
  std::string device_id;
  policy::TimePoint at;
  bool isolated = true;  ///< false: released
  std::string by;        ///< the admin who ordered it
  std::string reason;
};

/// A device's latest judged report, kept next to the history for the admission paths.
struct Posture {
  std::string report_id;
  policy::TimePoint received_at;
  /// When the agent collected what was judged (capped at received_at): freshness counts from
  /// here, so a report that waited days in an outbox does not make a PC look current.
  policy::TimePoint generated_at;
  /// The end of the grace period that keeps this posture from quarantine, if one does.
  std::optional<policy::TimePoint> grace_ends;
  std::int64_t policy_version = 0;
  bool compliant = false;
  policy::Admission admission = policy::Admission::kQuarantine;
  policy::Text admission_reason;  ///< why, in both languages
  std::string verdict_json;       ///< the collector's verdict as sent to the agent
  /// Requirement id -> since when it has been failing without a break (for grace periods).
  std::map<std::string, policy::TimePoint, std::less<>> failing_since;
};

/// One decision an agent took on its PC (第43条, 第123条), as filed by the collector: the columns
/// an admin lists and searches by, and the event as the agent sent it.
struct AuditRecord {
  std::string event_id;  ///< chosen by the agent (UUID): stored once
  std::string device_id;
  std::string report_id;          ///< the report that carried it
  policy::TimePoint at;           ///< the agent's clock
  policy::TimePoint received_at;  ///< the collector's clock
  std::string category;           ///< `usb`
  std::string action;             ///< `blocked`, `allowed-read-only`, ...
  std::string rule;               ///< the rule that decided
  std::string subject;            ///< what it was done to, in one line
  std::string user;               ///< logged in at the PC; empty when unknown
  std::int64_t policy_version = 0;
  std::string event_json;

  bool operator==(const AuditRecord&) const = default;
};

/// One report and the collector's judgement of it, as stored in the history.
struct ReportRecord {
  std::string report_id;  ///< chosen by the agent (UUID): the idempotency key
  std::string device_id;
  policy::TimePoint generated_at;  ///< the agent's clock
  policy::TimePoint received_at;   ///< the collector's clock
  std::string agent_version;
  std::int64_t agent_policy_version = 0;
  std::string agent_admission;  ///< what the agent concluded itself: `admit`, `warn`, ...
  Posture posture;              ///< the collector's judgement (report_id, received_at repeated)
  std::string facts_json;       ///< the facts as received
  std::vector<AuditRecord> audit_events;  ///< stored with the report, not read back with it
};

/// What storeReport() did.
struct StoreOutcome {
  bool duplicate = false;  ///< the report id was already stored: nothing changed
  Posture posture;         ///< the stored judgement (the earlier one for a duplicate)
};

/// An exception (例外措置, EXC-1) the collector holds for one device, granted by an admin.
struct ExceptionRecord {
  policy::Exception exception;  ///< scope unused: the record's device_id is the scope
  std::string device_id;
  policy::TimePoint created_at;
  std::optional<policy::TimePoint> revoked_at;
  std::string revoked_by;
};

/// What judging a device's report needs, read in one go: the device, its latest posture and its
/// exceptions that were not revoked.
struct DeviceStanding {
  DeviceRecord device;
  std::optional<Posture> posture;
  std::vector<ExceptionRecord> exceptions;
};

class Store {
 public:
  /// Opens (and migrates) the database named by `url`:
  /// - `sqlite:/path/to/file.db` or a plain path: an SQLite file, created when missing, in WAL
  ///   mode with foreign keys on;
  /// - `postgresql://user@host:port/dbname?...` (libpq URI syntax): an existing database.
  /// Errors: unreachable server, unreadable file, a schema newer than this code (kValidation,
  /// naming both versions), a failed migration (nothing of it applied).
  static std::expected<std::unique_ptr<Store>, Error> open(std::string_view url);

  virtual ~Store() = default;

  /// The schema version now in the database.
  [[nodiscard]] virtual std::expected<int, Error> schemaVersion() = 0;

  // ---- tokens ----
  /// kValidation when a token with the same id exists.
  virtual std::expected<void, Error> insertToken(const TokenRecord& token,
                                                 std::string_view secret_sha256_hex) = 0;
  /// Every token, revoked and used-up ones included, oldest first.
  [[nodiscard]] virtual std::expected<std::vector<TokenRecord>, Error> listTokens() = 0;
  /// kValidation when no such token; revoking twice keeps the first time.
  virtual std::expected<void, Error> revokeToken(std::string_view id, policy::TimePoint now) = 0;

  /// Enrollment in one transaction: the token `token_id` must exist, match the hash (compared
  /// in constant time), be unrevoked, unexpired at `now` and have uses left; then its use count
  /// goes up by one and `device` is inserted (or, when a device with the same non-empty machine
  /// id is already enrolled and not revoked, that device keeps its id and gets the new identity
  /// and certificate: the returned record says which id was used). The device takes the token's
  /// department and segment, `token_id` and `enrolled_at = now`, whatever `device` says. Errors
  /// (kValidation) say which condition failed, without the secret; on any error nothing
  /// changes. Callers that put the device id into the certificate look it up first with
  /// findDeviceByMachineId().
  virtual std::expected<DeviceRecord, Error> enroll(std::string_view token_id,
                                                    std::string_view secret_sha256_hex,
                                                    const DeviceRecord& device,
                                                    policy::TimePoint now) = 0;

  // ---- devices ----
  [[nodiscard]] virtual std::expected<std::optional<DeviceRecord>, Error> findDevice(
      std::string_view id) = 0;
  /// The device with its latest posture and unrevoked exceptions (the hot path of every report:
  /// one query, a second only for a device that has exceptions).
  [[nodiscard]] virtual std::expected<std::optional<DeviceStanding>, Error> deviceStanding(
      std::string_view id) = 0;
  /// The unrevoked device one of whose pinned MAC addresses is `mac` (`aa:bb:cc:dd:ee:ff`,
  /// compared case-insensitively); the most recently enrolled one if several share it.
  [[nodiscard]] virtual std::expected<std::optional<DeviceRecord>, Error> findDeviceByMac(
      std::string_view mac) = 0;
  /// The unrevoked device enrolled (most recently) with `machine_id`: the id enroll() will
  /// keep for it. An empty machine id finds nothing.
  [[nodiscard]] virtual std::expected<std::optional<DeviceRecord>, Error> findDeviceByMachineId(
      std::string_view machine_id) = 0;
  /// Every device, revoked ones included, oldest enrollment first.
  [[nodiscard]] virtual std::expected<std::vector<DeviceRecord>, Error> listDevices() = 0;
  /// kValidation when no such device; revoking twice keeps the first time.
  virtual std::expected<void, Error> revokeDevice(std::string_view id, policy::TimePoint now) = 0;
  /// Isolates a device (`change.isolated`) or releases it, and logs the change, in one
  /// transaction. kValidation when there is no such device, when it is already isolated, or
  /// when a release finds it not isolated.
  virtual std::expected<void, Error> changeIsolation(const IsolationChange& change) = 0;
  /// Records an unlock code issued for a device (before it is handed out).
  virtual std::expected<void, Error> recordUnlockCode(const UnlockCodeIssue& issue) = 0;
  /// The unlock codes issued for a device, oldest first.
  [[nodiscard]] virtual std::expected<std::vector<UnlockCodeIssue>, Error> unlockCodes(
      std::string_view device_id) = 0;
  /// A device's isolations and releases, oldest first.
  [[nodiscard]] virtual std::expected<std::vector<IsolationChange>, Error> isolationHistory(
      std::string_view device_id) = 0;

  // ---- reports ----
  /// Stores a report and makes its posture the device's latest, in one transaction. A report
  /// id already stored for the same device changes nothing and returns the stored posture
  /// (`duplicate`); the same id from another device is an error (kValidation). A report collected
  /// (posture.generated_at) before the latest posture's, e.g. one that waited in an outbox, joins
  /// the history without replacing it. Its audit events are stored with it (an event id already
  /// stored is skipped). The device must be enrolled (else kIo: the foreign key
  /// refuses it).
  virtual std::expected<StoreOutcome, Error> storeReport(const ReportRecord& report) = 0;
  [[nodiscard]] virtual std::expected<std::optional<Posture>, Error> latestPosture(
      std::string_view device_id) = 0;
  /// The newest `limit` reports of a device, newest first (by received_at). Their postures
  /// carry no failing_since: only the latest posture keeps it.
  [[nodiscard]] virtual std::expected<std::vector<ReportRecord>, Error> reportsOf(
      std::string_view device_id, int limit) = 0;
  /// The number of reports stored for a device (for every device when `device_id` is empty).
  [[nodiscard]] virtual std::expected<std::int64_t, Error> countReports(
      std::string_view device_id) = 0;

  // ---- audit events ----
  /// The newest `limit` audit events, newest first (by the agent's time), of one device or of
  /// every device when `device_id` is empty.
  [[nodiscard]] virtual std::expected<std::vector<AuditRecord>, Error> auditEvents(
      std::string_view device_id, int limit) = 0;

  // ---- exceptions ----
  /// kValidation for an empty id or requirement, an unknown device or an id already used.
  virtual std::expected<void, Error> addException(const ExceptionRecord& record) = 0;
  /// All of them (device_id empty) or one device's, revoked ones included.
  [[nodiscard]] virtual std::expected<std::vector<ExceptionRecord>, Error> listExceptions(
      std::string_view device_id) = 0;
  /// kValidation when no such exception; revoking twice keeps the first time and revoker.
  virtual std::expected<void, Error> revokeException(std::string_view id, std::string_view by,
                                                     policy::TimePoint now) = 0;
};

}  // namespace mamori::collector
