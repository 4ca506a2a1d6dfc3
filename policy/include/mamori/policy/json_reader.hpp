#pragma once

// A strict reader over Boost.JSON values for mamori's codecs (policy, facts, and the wire
// messages of mamori_protocol): every value knows its JSON path, every object remembers which
// keys were read so unknown keys are errors, and every failure names the path, the offending
// value and the reason.
//
// Decoding failures unwind as `DecodeFailure` to the codec's entry point, which returns them as
// `std::expected<..., Error>` through `decoded()`. The exception never leaves a codec: it spares
// each of the hundred field reads an error branch while the public APIs stay value-based.

#include <boost/container/small_vector.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mamori/error.hpp"

namespace mamori::policy::json {

struct DecodeFailure {
  Error error;
};

/// Parses JSON text into `storage` (the default resource when empty); syntax errors carry line
/// and column.
boost::json::value parseText(std::string_view text, boost::json::storage_ptr storage = {});

/// A JSON value and where it sits in the document. The path (`$.facts.os.version`) is worked
/// out only when something fails: decoding a report reads hundreds of values, and spelling out
/// each one's path up front cost more than the rest of the decode.
class Node {
 public:
  /// The document's root, `$`.
  explicit Node(const boost::json::value& document) : value_(&document), root_(&document) {}

  /// `$.a.b[2]`: found by walking the document from its root to this value.
  [[nodiscard]] std::string path() const;
  [[nodiscard]] const boost::json::value& raw() const { return *value_; }

  /// Throws a DecodeFailure for this node: `$.a.b: <value> <reason>`.
  [[noreturn]] void fail(std::string_view reason) const;

  [[nodiscard]] std::string_view string() const;
  [[nodiscard]] std::string_view nonEmptyString() const;
  [[nodiscard]] bool boolean() const;
  [[nodiscard]] std::int64_t integer(std::int64_t min, std::int64_t max) const;
  [[nodiscard]] bool isNull() const { return value_->is_null(); }
  [[nodiscard]] std::vector<Node> array() const;
  /// The members of an object, in document order, as (key, node).
  [[nodiscard]] std::vector<std::pair<std::string, Node>> members() const;

  /// A string that must be one of `choices`; returns its index.
  [[nodiscard]] std::size_t oneOf(std::initializer_list<std::string_view> choices) const;

  /// A value inside this node's document.
  [[nodiscard]] Node child(const boost::json::value& value) const { return {value, *root_}; }

 private:
  Node(const boost::json::value& value, const boost::json::value& root)
      : value_(&value), root_(&root) {}

  const boost::json::value* value_;
  const boost::json::value* root_;
};

/// Reads an object's fields; `finish()` rejects any key that was not read. Keys are the codec's
/// own names (string literals): they are kept as views, not copied.
class Fields {
 public:
  explicit Fields(const Node& node);

  [[nodiscard]] std::optional<Node> optional(std::string_view key);
  [[nodiscard]] Node required(std::string_view key);
  /// Fails on the first key nobody asked for: unknown keys are errors, not ignored.
  void finish() const;

 private:
  Node node_;
  boost::container::small_vector<std::string_view, 24> read_;
};

/// Shortens a value for an error message.
std::string excerpt(const boost::json::value& value);

/// Runs `decode` and returns its value, or the Error a DecodeFailure inside it carried: the
/// entry point of every codec, where decoding failures become values again.
template <class Decode>
auto decoded(Decode decode) -> std::expected<decltype(decode()), Error> {
  try {
    return decode();
  } catch (DecodeFailure& failure) {
    return std::unexpected(std::move(failure.error));
  }
}

}  // namespace mamori::policy::json
