#pragma once

// Values on their way into and out of SQL, independent of the engine: what a placeholder is bound
// to (borrowed from the caller for one call) and the rows a query returns (owned).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "mamori/policy/time.hpp"

namespace mamori::collector::sql {

/// A placeholder's value: NULL, an integer or text. Text is borrowed: it must outlive the call.
using Bound = std::variant<std::monostate, std::int64_t, std::string_view>;

inline Bound bound(std::string_view text) { return text; }
inline Bound bound(const std::string& text) { return std::string_view(text); }
inline Bound bound(const char* text) { return std::string_view(text); }
inline Bound bound(std::int64_t n) { return n; }
inline Bound bound(int n) { return std::int64_t{n}; }
inline Bound bound(bool b) { return std::int64_t{b ? 1 : 0}; }
inline Bound bound(policy::TimePoint t) { return std::int64_t{t.time_since_epoch().count()}; }
inline Bound bound(const std::optional<policy::TimePoint>& t) { return t ? bound(*t) : Bound(); }

/// One value of a result row: NULL, an integer or text (SQLite hands out typed values,
/// PostgreSQL mostly text; Row converts either way). A plain struct rather than a variant: GCC 12
/// warns falsely about variants of strings moved into a vector.
struct Cell {
  enum class Kind { kNull, kInteger, kText };
  Kind kind = Kind::kNull;
  std::int64_t integer = 0;
  std::string text;
};

/// The rows a query returned, row by row, every row `columns` cells wide.
class Rows {
 public:
  explicit Rows(std::size_t columns) : columns_(columns) {}

  [[nodiscard]] std::size_t rowCount() const {
    return columns_ == 0 ? 0 : cells_.size() / columns_;
  }
  [[nodiscard]] std::size_t columnCount() const { return columns_; }
  [[nodiscard]] const Cell& at(std::size_t row, std::size_t column) const {
    return cells_.at(row * columns_ + column);
  }
  // The next cell, filling rows in order.
  void addNull() { cells_.emplace_back(); }
  void addInteger(std::int64_t n) { cells_.push_back({Cell::Kind::kInteger, n, {}}); }
  void addText(std::string text) { cells_.push_back({Cell::Kind::kText, 0, std::move(text)}); }

 private:
  std::size_t columns_;
  std::vector<Cell> cells_;
};

}  // namespace mamori::collector::sql
