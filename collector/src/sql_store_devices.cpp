// Devices: the records enrollment writes and the lookups admission needs (by id, MAC, machine id).

#include "sql_store.hpp"
#include "sql_support.hpp"

namespace mamori::collector {

using sql::deviceFrom;
using sql::exec;
using sql::kDeviceColumns;
using sql::query;
using sql::Row;

namespace {

std::string selectDevices(std::string_view rest) {
  return "SELECT " + std::string(kDeviceColumns) + " FROM devices d " + std::string(rest);
}

}  // namespace

std::optional<DeviceRecord> SqlStore::deviceWhere(Connection& connection, std::string_view where,
                                                  std::string_view value) {
  const auto rows = query(connection, dialect_, selectDevices(where), value);
  if (rows.rowCount() == 0) return std::nullopt;
  return deviceFrom(Row(rows, 0));
}

std::expected<DeviceRecord, Error> SqlStore::saveDevice(Connection& c, DeviceRecord d) {
  const auto existing = d.identity.machine_id.empty()
                            ? std::nullopt
                            : deviceWhere(c,
                                          "WHERE d.machine_id = ? AND d.revoked_at IS NULL"
                                          " ORDER BY d.enrolled_at DESC LIMIT 1",
                                          d.identity.machine_id);
  if (existing) d.id = existing->id;
  const auto macs = sql::macsJson(d.identity.macs);
  // New devices and re-enrolled ones differ only in which row they land: one upsert for both.
  const auto saved = exec(
      c, dialect_,
      "INSERT INTO devices (id, machine_id, smbios_uuid, hostname, macs, department, segment,"
      " token_id, enrolled_at, certificate_serial, certificate_fingerprint, certificate_expires,"
      " revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL) ON CONFLICT (id) DO UPDATE"
      " SET machine_id = excluded.machine_id, smbios_uuid = excluded.smbios_uuid,"
      " hostname = excluded.hostname, macs = excluded.macs, department = excluded.department,"
      " segment = excluded.segment, token_id = excluded.token_id,"
      " enrolled_at = excluded.enrolled_at, certificate_serial = excluded.certificate_serial,"
      " certificate_fingerprint = excluded.certificate_fingerprint,"
      " certificate_expires = excluded.certificate_expires"
      " WHERE devices.revoked_at IS NULL AND devices.machine_id = excluded.machine_id",
      d.id, d.identity.machine_id, d.identity.smbios_uuid, d.identity.hostname, macs, d.department,
      policy::segmentId(d.segment), d.token_id, d.enrolled_at, d.certificate_serial,
      d.certificate_fingerprint, d.certificate_expires);
  if (saved == 0) {
    return std::unexpected(ruleError("device id " + d.id + " belongs to another machine"));
  }
  exec(c, dialect_, "DELETE FROM device_macs WHERE device_id = ?", d.id);
  for (const auto& mac : d.identity.macs) {
    exec(c, dialect_,
         "INSERT INTO device_macs (mac, device_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
         sql::lowerAscii(mac), d.id);
  }
  return d;
}

std::expected<std::optional<DeviceRecord>, Error> SqlStore::findDevice(std::string_view id) {
  return read("cannot read the device",
              [&](Connection& c) -> std::expected<std::optional<DeviceRecord>, Error> {
                return deviceWhere(c, "WHERE d.id = ?", id);
              });
}

std::expected<std::optional<DeviceRecord>, Error> SqlStore::findDeviceByMac(std::string_view mac) {
  return read("cannot look up the MAC address",
              [&](Connection& c) -> std::expected<std::optional<DeviceRecord>, Error> {
                return deviceWhere(c,
                                   "JOIN device_macs m ON m.device_id = d.id"
                                   " WHERE m.mac = ? AND d.revoked_at IS NULL"
                                   " ORDER BY d.enrolled_at DESC, d.id LIMIT 1",
                                   sql::lowerAscii(mac));
              });
}

std::expected<std::optional<DeviceRecord>, Error> SqlStore::findDeviceByMachineId(
    std::string_view machine_id) {
  if (machine_id.empty()) return std::nullopt;
  return read("cannot look up the machine id",
              [&](Connection& c) -> std::expected<std::optional<DeviceRecord>, Error> {
                return deviceWhere(c,
                                   "WHERE d.machine_id = ? AND d.revoked_at IS NULL"
                                   " ORDER BY d.enrolled_at DESC LIMIT 1",
                                   machine_id);
              });
}

std::expected<std::vector<DeviceRecord>, Error> SqlStore::listDevices() {
  return read("cannot list the devices",
              [&](Connection& c) -> std::expected<std::vector<DeviceRecord>, Error> {
                const auto rows = query(c, dialect_, selectDevices("ORDER BY d.enrolled_at, d.id"));
                std::vector<DeviceRecord> devices;
                for (std::size_t i = 0; i < rows.rowCount(); ++i) {
                  devices.push_back(deviceFrom(Row(rows, i)));
                }
                return devices;
              });
}

std::expected<void, Error> SqlStore::revokeDevice(std::string_view id, policy::TimePoint now) {
  return write("cannot revoke the device", [&](Connection& c) -> std::expected<void, Error> {
    exec(c, dialect_, "UPDATE devices SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", now,
         id);
    if (query(c, dialect_, "SELECT id FROM devices WHERE id = ?", id).rowCount() == 0) {
      return std::unexpected(ruleError("no device " + std::string(id)));
    }
    return {};
  });
}

// Isolation is checked and changed under the write transaction: two admins isolating the same
// PC at once leave one isolation and one refusal, not two.
std::expected<void, Error> SqlStore::changeIsolation(const IsolationChange& change) {
  return write("cannot change the isolation", [&](Connection& c) -> std::expected<void, Error> {
    const auto device = deviceWhere(c, "WHERE d.id = ?", change.device_id);
    if (!device) return std::unexpected(ruleError("no device " + change.device_id));
    if (change.isolated && device->isolation) {
      return std::unexpected(ruleError("device " + change.device_id +
                                       " is already isolated (since " +
                                       policy::formatTimestamp(device->isolation->since) + ", by " +
                                       device->isolation->by + ")"));
    }
    if (!change.isolated && !device->isolation) {
      return std::unexpected(ruleError("device " + change.device_id + " is not isolated"));
    }
    if (change.isolated) {
      exec(c, dialect_,
           "UPDATE devices SET isolated_at = ?, isolated_by = ?, isolation_reason = ? WHERE id = ?",
           change.at, change.by, change.reason, change.device_id);
    } else {
      exec(c, dialect_,
           "UPDATE devices SET isolated_at = NULL, isolated_by = '', isolation_reason = ''"
           " WHERE id = ?",
           change.device_id);
    }
    exec(c, dialect_,
         "INSERT INTO isolation_changes (device_id, at, isolated, by_user, reason)"
         " VALUES (?, ?, ?, ?, ?)",
         change.device_id, change.at, change.isolated ? 1 : 0, change.by, change.reason);
    return {};
  });
}

std::expected<std::vector<IsolationChange>, Error> SqlStore::isolationHistory(
    std::string_view device_id) {
  return read("cannot read the isolation history",
              [&](Connection& c) -> std::expected<std::vector<IsolationChange>, Error> {
                const auto rows = query(c, dialect_,
                                        "SELECT device_id, at, isolated, by_user, reason"
                                        " FROM isolation_changes WHERE device_id = ?"
                                        " ORDER BY at, isolated DESC",
                                        device_id);
                std::vector<IsolationChange> changes;
                for (std::size_t i = 0; i < rows.rowCount(); ++i) {
                  const Row row(rows, i);
                  changes.push_back(
                      {row.text(0), row.time(1), row.number(2) != 0, row.text(3), row.text(4)});
                }
                return changes;
              });
}

std::expected<void, Error> SqlStore::recordUnlockCode(const UnlockCodeIssue& issue) {
  return write("cannot record the unlock code", [&](Connection& c) -> std::expected<void, Error> {
    if (!deviceWhere(c, "WHERE d.id = ?", issue.device_id)) {
      return std::unexpected(ruleError("no device " + issue.device_id));
    }
    exec(c, dialect_,
         "INSERT INTO unlock_codes (device_id, issued_at, expires, issued_by) VALUES (?, ?, ?, ?)",
         issue.device_id, issue.issued_at, issue.expires, issue.issued_by);
    return {};
  });
}

std::expected<std::vector<UnlockCodeIssue>, Error> SqlStore::unlockCodes(
    std::string_view device_id) {
  return read("cannot read the unlock codes",
              [&](Connection& c) -> std::expected<std::vector<UnlockCodeIssue>, Error> {
                const auto rows = query(c, dialect_,
                                        "SELECT device_id, issued_at, expires, issued_by"
                                        " FROM unlock_codes WHERE device_id = ? ORDER BY issued_at",
                                        device_id);
                std::vector<UnlockCodeIssue> issued;
                for (std::size_t i = 0; i < rows.rowCount(); ++i) {
                  const Row row(rows, i);
                  issued.push_back({row.text(0), row.time(1), row.time(2), row.text(3)});
                }
                return issued;
              });
}

}  // namespace mamori::collector
