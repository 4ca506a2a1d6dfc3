#pragma once

#include <optional>
#include <string>
#include <utility>

namespace mamori::policy {

/// A fact a probe either observed, or could not, with the reason it could not. The evaluator
/// turns an unknown fact into an `unknown` finding that carries this reason as its evidence.
template <class T>
class Observed {
 public:
  /// Not observed yet: no probe ran.
  Observed() : reason_("not observed") {}
  Observed(T value) : value_(std::move(value)) {}  // NOLINT: implicit on purpose, like optional

  static Observed unknown(std::string reason) {
    Observed o;
    o.reason_ = std::move(reason);
    return o;
  }

  [[nodiscard]] bool known() const { return value_.has_value(); }
  [[nodiscard]] const T& value() const { return *value_; }
  [[nodiscard]] T& value() { return *value_; }
  [[nodiscard]] const T* operator->() const { return &*value_; }
  /// Why the fact is unknown; empty when known.
  [[nodiscard]] const std::string& reason() const { return reason_; }

 private:
  std::optional<T> value_;
  std::string reason_;
};

}  // namespace mamori::policy
