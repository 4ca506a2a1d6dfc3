#pragma once

// Small helpers between the store's records and Poco::Data: values bound by copy, rows read by
// column number, and the JSON text kept in TEXT columns. Everything here may throw (Poco or std
// exceptions); SqlStore's transaction wrappers turn that into Error.

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Nullable.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mamori/collector/store.hpp"
#include "sql_dialect.hpp"

namespace mamori::collector::sql {

// ---- values bound to placeholders (always copied: the statement outlives no temporary) ----

inline std::string param(std::string_view text) { return std::string(text); }
inline std::string param(const std::string& text) { return text; }
inline std::string param(const char* text) { return text; }
inline Poco::Int64 param(std::int64_t n) { return n; }
inline Poco::Int64 param(int n) { return n; }
inline Poco::Int64 param(bool b) { return b ? 1 : 0; }
inline Poco::Int64 param(policy::TimePoint t) { return t.time_since_epoch().count(); }
inline Poco::Nullable<Poco::Int64> param(const std::optional<policy::TimePoint>& t) {
  return t ? Poco::Nullable<Poco::Int64>(param(*t)) : Poco::Nullable<Poco::Int64>();
}

/// Runs `text` (`?` placeholders) with `params` bound; returns the number of rows it changed.
template <class... Params>
std::size_t exec(Poco::Data::Session& session, const Dialect& dialect, std::string_view text,
                 const Params&... params) {
  Poco::Data::Statement statement(session);
  statement << dialect.placeholders(text);
  ((statement, Poco::Data::Keywords::bind(param(params))), ...);
  return statement.execute();
}

/// Runs the query `text` with `params` bound; the rows come back as a RecordSet.
template <class... Params>
Poco::Data::RecordSet query(Poco::Data::Session& session, const Dialect& dialect,
                            std::string_view text, const Params&... params) {
  Poco::Data::Statement statement(session);
  statement << dialect.placeholders(text);
  ((statement, Poco::Data::Keywords::bind(param(params))), ...);
  statement.execute();
  return Poco::Data::RecordSet(statement);
}

/// One row of a RecordSet, read by column number. SQLite hands out typed values, PostgreSQL
/// text: both convert.
class Row {
 public:
  /// Columns are numbered from `first` on, so a record can be read from the middle of a join.
  Row(const Poco::Data::RecordSet& rows, std::size_t row, std::size_t first = 0)
      : rows_(rows), row_(row), first_(first) {}

  [[nodiscard]] std::string text(std::size_t column) const;
  [[nodiscard]] std::int64_t number(std::size_t column) const;
  [[nodiscard]] policy::TimePoint time(std::size_t column) const;
  [[nodiscard]] std::optional<policy::TimePoint> optionalTime(std::size_t column) const;
  [[nodiscard]] policy::Segment segment(std::size_t column) const;
  [[nodiscard]] policy::Admission admission(std::size_t column) const;

 private:
  const Poco::Data::RecordSet& rows_;
  std::size_t row_;
  std::size_t first_;
};

// ---- records as rows: the columns to select (`d.`, `p.` aliases) and how to read them ----

inline constexpr std::size_t kDeviceColumnCount = 13;
/// kDeviceColumnCount columns of `devices d`.
extern const std::string_view kDeviceColumns;
DeviceRecord deviceFrom(const Row& row);
inline constexpr std::size_t kPostureColumnCount = 11;
/// kPostureColumnCount columns of `postures p`.
extern const std::string_view kPostureColumns;
Posture postureFrom(const Row& row);

// ---- JSON kept in TEXT columns ----

std::string macsJson(const std::vector<std::string>& macs);
std::vector<std::string> macsFromJson(std::string_view json);

/// `{"AV-2": 1795340400, ...}`: requirement id -> Unix seconds.
std::string failingSinceJson(const std::map<std::string, policy::TimePoint, std::less<>>& since);
std::map<std::string, policy::TimePoint, std::less<>> failingSinceFromJson(std::string_view json);

/// `text` in lower case (ASCII), as MAC addresses are compared.
std::string lowerAscii(std::string_view text);

}  // namespace mamori::collector::sql
