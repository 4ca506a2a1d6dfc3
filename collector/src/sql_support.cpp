#include "sql_support.hpp"

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Statement.h>
#include <Poco/Nullable.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <charconv>
#include <stdexcept>

namespace mamori::collector::sql {
namespace {

std::optional<policy::Admission> parseAdmission(std::string_view id) {
  for (const auto a :
       {policy::Admission::kAdmit, policy::Admission::kWarn, policy::Admission::kQuarantine}) {
    if (policy::admissionId(a) == id) return a;
  }
  return std::nullopt;
}

// Owned copies of the bound values: a Poco::Data::Statement keeps its bindings until it is
// destroyed, and copying keeps that simple (this path is not the hot one on SQLite).
Poco::Data::Statement pocoStatement(Poco::Data::Session& session, const Dialect& dialect,
                                    std::string_view text, std::span<const Bound> values) {
  Poco::Data::Statement statement(session);
  statement << dialect.placeholders(text);
  for (const auto& value : values) {
    if (const auto* n = std::get_if<std::int64_t>(&value)) {
      statement, Poco::Data::Keywords::bind(Poco::Int64{*n});
    } else if (const auto* t = std::get_if<std::string_view>(&value)) {
      statement, Poco::Data::Keywords::bind(std::string(*t));
    } else {
      statement, Poco::Data::Keywords::bind(Poco::Nullable<Poco::Int64>());
    }
  }
  return statement;
}

Rows rowsOf(const Poco::Data::RecordSet& set) {
  Rows rows(set.columnCount());
  for (std::size_t row = 0; row < set.rowCount(); ++row) {
    for (std::size_t column = 0; column < set.columnCount(); ++column) {
      if (set.isNull(column, row)) {
        rows.addNull();
        continue;
      }
      const auto value = set.value(column, row);
      if (value.isInteger()) {
        rows.addInteger(static_cast<std::int64_t>(value.convert<Poco::Int64>()));
      } else {
        rows.addText(value.convert<std::string>());
      }
    }
  }
  return rows;
}

}  // namespace

std::size_t execValues(Poco::Data::Session& session, const Dialect& dialect, std::string_view text,
                       std::span<const Bound> values) {
  auto statement = pocoStatement(session, dialect, text, values);
  return statement.execute();
}

std::size_t execValues(Connection& connection, const Dialect& dialect, std::string_view text,
                       std::span<const Bound> values) {
  if (connection.statements) return connection.statements->exec(text, values);
  return execValues(connection.session, dialect, text, values);
}

Rows queryValues(Poco::Data::Session& session, const Dialect& dialect, std::string_view text,
                 std::span<const Bound> values) {
  auto statement = pocoStatement(session, dialect, text, values);
  statement.execute();
  return rowsOf(Poco::Data::RecordSet(statement));
}

Rows queryValues(Connection& connection, const Dialect& dialect, std::string_view text,
                 std::span<const Bound> values) {
  if (connection.statements) return connection.statements->query(text, values);
  return queryValues(connection.session, dialect, text, values);
}

std::string Row::text(std::size_t column) const {
  const auto& value = cell(column);
  switch (value.kind) {
    case Cell::Kind::kNull: return {};
    case Cell::Kind::kInteger: return std::to_string(value.integer);
    case Cell::Kind::kText: break;
  }
  return value.text;
}

std::int64_t Row::number(std::size_t column) const {
  const auto& value = cell(column);
  switch (value.kind) {
    case Cell::Kind::kNull: return 0;
    case Cell::Kind::kInteger: return value.integer;
    case Cell::Kind::kText: break;
  }
  const auto& t = value.text;
  std::int64_t n = 0;
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
  if (ec != std::errc() || end != t.data() + t.size()) {
    throw std::runtime_error("the database holds \"" + t + "\" where a number belongs");
  }
  return n;
}

policy::TimePoint Row::time(std::size_t column) const {
  return policy::TimePoint(std::chrono::seconds(number(column)));
}

std::optional<policy::TimePoint> Row::optionalTime(std::size_t column) const {
  if (cell(column).kind == Cell::Kind::kNull) return std::nullopt;
  return time(column);
}

policy::Segment Row::segment(std::size_t column) const {
  const auto id = text(column);
  const auto segment = policy::parseSegment(id);
  if (!segment) throw std::runtime_error("the database holds an unknown segment \"" + id + "\"");
  return *segment;
}

policy::Admission Row::admission(std::size_t column) const {
  const auto id = text(column);
  const auto admission = parseAdmission(id);
  if (!admission) {
    throw std::runtime_error("the database holds an unknown admission \"" + id + "\"");
  }
  return *admission;
}

std::string macsJson(const std::vector<std::string>& macs) {
  boost::json::array array;
  for (const auto& mac : macs) array.emplace_back(mac);
  return boost::json::serialize(array);
}

std::vector<std::string> macsFromJson(std::string_view json) {
  std::vector<std::string> macs;
  if (json.empty()) return macs;
  const auto value = boost::json::parse(json);  // kept: the loop below borrows from it
  for (const auto& mac : value.as_array()) {
    macs.emplace_back(mac.as_string());
  }
  return macs;
}

std::string failingSinceJson(const std::map<std::string, policy::TimePoint, std::less<>>& since) {
  boost::json::object object;
  for (const auto& [id, t] : since) object[id] = t.time_since_epoch().count();
  return boost::json::serialize(object);
}

std::map<std::string, policy::TimePoint, std::less<>> failingSinceFromJson(std::string_view json) {
  std::map<std::string, policy::TimePoint, std::less<>> since;
  if (json.empty()) return since;
  const auto value = boost::json::parse(json);
  for (const auto& [id, t] : value.as_object()) {
    since.emplace(std::string(id), policy::TimePoint(std::chrono::seconds(t.as_int64())));
  }
  return since;
}

const std::string_view kDeviceColumns =
    "d.id, d.machine_id, d.smbios_uuid, d.hostname, d.macs, d.department, d.segment, d.token_id,"
    " d.enrolled_at, d.certificate_serial, d.certificate_fingerprint, d.certificate_expires,"
    " d.revoked_at, d.isolated_at, d.isolated_by, d.isolation_reason";

DeviceRecord deviceFrom(const Row& row) {
  DeviceRecord d;
  d.id = row.text(0);
  d.identity.machine_id = row.text(1);
  d.identity.smbios_uuid = row.text(2);
  d.identity.hostname = row.text(3);
  d.identity.macs = macsFromJson(row.text(4));
  d.department = row.text(5);
  d.segment = row.segment(6);
  d.token_id = row.text(7);
  d.enrolled_at = row.time(8);
  d.certificate_serial = row.text(9);
  d.certificate_fingerprint = row.text(10);
  d.certificate_expires = row.time(11);
  d.revoked_at = row.optionalTime(12);
  if (const auto isolated = row.optionalTime(13)) {
    d.isolation = protocol::Isolation{*isolated, row.text(14), row.text(15)};
  }
  return d;
}

const std::string_view kPostureColumns =
    "p.report_id, p.received_at, p.policy_version, p.compliant, p.admission, p.verdict_json,"
    " p.failing_since_json, p.generated_at, p.grace_ends, p.reason_ja, p.reason_en";

Posture postureFrom(const Row& row) {
  Posture p;
  p.report_id = row.text(0);
  p.received_at = row.time(1);
  p.policy_version = row.number(2);
  p.compliant = row.number(3) != 0;
  p.admission = row.admission(4);
  p.verdict_json = row.text(5);
  p.failing_since = failingSinceFromJson(row.text(6));
  p.generated_at = row.time(7);
  p.grace_ends = row.optionalTime(8);
  p.admission_reason = {row.text(9), row.text(10)};
  return p;
}

std::string lowerAscii(std::string_view text) {
  std::string out(text);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace mamori::collector::sql
