#pragma once

// Small helpers between the store's records and the database: statements run with values bound,
// rows read by column number, and the JSON text kept in TEXT columns. Everything here may throw
// (Poco or std exceptions); SqlStore's transaction wrappers turn that into Error.

#include <Poco/Data/Session.h>

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mamori/collector/store.hpp"
#include "sql_connection.hpp"
#include "sql_dialect.hpp"
#include "sql_values.hpp"

namespace mamori::collector::sql {

// ---- running statements ----

/// Runs `text` (`?` placeholders) with `values` bound through Poco::Data, which prepares it anew
/// each time: for statements run once (migrations, connection setup). Returns the number of rows
/// it changed.
std::size_t execValues(Poco::Data::Session& session, const Dialect& dialect, std::string_view text,
                       std::span<const Bound> values);
/// The same on a pooled connection: on SQLite the statement is prepared once per connection and
/// kept; PostgreSQL goes through Poco::Data as above.
std::size_t execValues(Connection& connection, const Dialect& dialect, std::string_view text,
                       std::span<const Bound> values);
/// Runs the query `text` with `values` bound, through Poco::Data.
Rows queryValues(Poco::Data::Session& session, const Dialect& dialect, std::string_view text,
                 std::span<const Bound> values);
/// The same on a pooled connection (SQLite: prepared once, as execValues).
Rows queryValues(Connection& connection, const Dialect& dialect, std::string_view text,
                 std::span<const Bound> values);

/// Runs `text` on `on` (a Connection or a Poco session) with `params` bound; returns the number
/// of rows it changed. Text parameters are borrowed for the call only.
template <class On, class... Params>
std::size_t exec(On& on, const Dialect& dialect, std::string_view text, const Params&... params) {
  const std::array<Bound, sizeof...(Params)> values{bound(params)...};
  return execValues(on, dialect, text, values);
}

/// Runs the query `text` on `on` with `params` bound; returns its rows.
template <class On, class... Params>
Rows query(On& on, const Dialect& dialect, std::string_view text, const Params&... params) {
  const std::array<Bound, sizeof...(Params)> values{bound(params)...};
  return queryValues(on, dialect, text, values);
}

/// One row of a query's result, read by column number. SQLite hands out typed values, PostgreSQL
/// text: both convert.
class Row {
 public:
  /// Columns are numbered from `first` on, so a record can be read from the middle of a join.
  Row(const Rows& rows, std::size_t row, std::size_t first = 0)
      : rows_(rows), row_(row), first_(first) {}

  [[nodiscard]] std::string text(std::size_t column) const;
  [[nodiscard]] std::int64_t number(std::size_t column) const;
  [[nodiscard]] policy::TimePoint time(std::size_t column) const;
  [[nodiscard]] std::optional<policy::TimePoint> optionalTime(std::size_t column) const;
  [[nodiscard]] policy::Segment segment(std::size_t column) const;
  [[nodiscard]] policy::Admission admission(std::size_t column) const;

 private:
  [[nodiscard]] const Cell& cell(std::size_t column) const {
    return rows_.at(row_, first_ + column);
  }

  const Rows& rows_;
  std::size_t row_;
  std::size_t first_;
};

// ---- records as rows: the columns to select (`d.`, `p.` aliases) and how to read them ----

inline constexpr std::size_t kDeviceColumnCount = 16;
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
