#include "mamori/policy/json_reader.hpp"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <boost/json/stream_parser.hpp>

namespace mamori::policy::json {
namespace {

[[noreturn]] void throwAt(std::string path, std::string message) {
  throw DecodeFailure{Error{ErrorCode::kValidation, std::move(message), {}, std::move(path)}};
}

std::string_view typeName(const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::null: return "null";
    case boost::json::kind::bool_: return "a boolean";
    case boost::json::kind::int64:
    case boost::json::kind::uint64:
    case boost::json::kind::double_: return "a number";
    case boost::json::kind::string: return "a string";
    case boost::json::kind::array: return "an array";
    case boost::json::kind::object: return "an object";
  }
  return "a value";
}

}  // namespace

std::string excerpt(const boost::json::value& value) {
  constexpr std::size_t kMax = 60;
  std::string text = boost::json::serialize(value);
  if (text.size() > kMax) text = text.substr(0, kMax - 3) + "...";
  return text;
}

boost::json::value parseText(std::string_view text, boost::json::storage_ptr storage) {
  boost::json::stream_parser parser(std::move(storage));
  boost::system::error_code ec;
  const std::size_t consumed = parser.write(text.data(), text.size(), ec);
  if (!ec) parser.finish(ec);
  if (!ec) return parser.release();

  // Line and column of the first byte the parser could not take.
  const std::size_t offset = std::min(consumed, text.size());
  const auto before = text.substr(0, offset);
  const int line = static_cast<int>(std::ranges::count(before, '\n')) + 1;
  const auto line_start = before.rfind('\n');
  const int column =
      static_cast<int>(offset - (line_start == std::string_view::npos ? 0 : line_start + 1)) + 1;
  throw DecodeFailure{
      Error{ErrorCode::kParse, "invalid JSON: " + ec.message(), {}, {}, line, column}};
}

namespace {

// Appends the path from `from` down to `target` to `out`; false when `target` is not below.
bool appendPathTo(const boost::json::value& from, const boost::json::value* target,
                  std::string& out) {
  if (&from == target) return true;
  const auto size = out.size();
  if (from.is_object()) {
    for (const auto& [key, value] : from.get_object()) {
      out.append(1, '.').append(key);
      if (appendPathTo(value, target, out)) return true;
      out.resize(size);
    }
  } else if (from.is_array()) {
    const auto& items = from.get_array();
    for (std::size_t i = 0; i < items.size(); ++i) {
      out.append(1, '[').append(std::to_string(i)).append(1, ']');
      if (appendPathTo(items[i], target, out)) return true;
      out.resize(size);
    }
  }
  return false;
}

}  // namespace

std::string Node::path() const {
  std::string path = "$";
  appendPathTo(*root_, value_, path);
  return path;
}

void Node::fail(std::string_view reason) const {
  throwAt(path(), excerpt(*value_) + " " + std::string(reason));
}

std::string_view Node::string() const {
  if (!value_->is_string()) fail("is " + std::string(typeName(*value_)) + ", expected a string");
  return value_->get_string();
}

std::string_view Node::nonEmptyString() const {
  const auto s = string();
  if (s.find_first_not_of(" \t\r\n") == std::string_view::npos) fail("must not be empty");
  return s;
}

bool Node::boolean() const {
  if (!value_->is_bool()) fail("is " + std::string(typeName(*value_)) + ", expected true or false");
  return value_->get_bool();
}

std::int64_t Node::integer(std::int64_t min, std::int64_t max) const {
  std::int64_t n = 0;
  if (value_->is_int64()) {
    n = value_->get_int64();
  } else if (value_->is_uint64() && value_->get_uint64() <= INT64_MAX) {
    n = static_cast<std::int64_t>(value_->get_uint64());  // an unsigned built in memory
  } else if (value_->is_uint64() || value_->is_double()) {
    fail("is not a whole number between " + std::to_string(min) + " and " + std::to_string(max));
  } else {
    fail("is " + std::string(typeName(*value_)) + ", expected a whole number");
  }
  if (n < min || n > max) {
    fail("is out of range: expected " + std::to_string(min) + " to " + std::to_string(max));
  }
  return n;
}

std::vector<Node> Node::array() const {
  if (!value_->is_array()) fail("is " + std::string(typeName(*value_)) + ", expected an array");
  std::vector<Node> items;
  const auto& arr = value_->get_array();
  items.reserve(arr.size());
  for (const auto& item : arr) items.push_back(child(item));
  return items;
}

std::vector<std::pair<std::string, Node>> Node::members() const {
  if (!value_->is_object()) fail("is " + std::string(typeName(*value_)) + ", expected an object");
  std::vector<std::pair<std::string, Node>> out;
  for (const auto& [key, value] : value_->get_object()) {
    out.emplace_back(std::string(key), child(value));
  }
  return out;
}

std::size_t Node::oneOf(std::initializer_list<std::string_view> choices) const {
  const auto s = string();
  const auto it = std::ranges::find(choices, s);
  if (it != choices.end()) return static_cast<std::size_t>(it - choices.begin());
  std::string list;
  for (auto c : choices) list += (list.empty() ? "" : ", ") + std::string(c);
  fail("is not one of: " + list);
}

Fields::Fields(const Node& node) : node_(node) {
  if (!node.raw().is_object()) {
    node.fail("is " + std::string(typeName(node.raw())) + ", expected an object");
  }
}

std::optional<Node> Fields::optional(std::string_view key) {
  if (std::ranges::find(read_, key) == read_.end()) read_.push_back(key);
  const auto* value = node_.raw().get_object().if_contains(key);
  if (value == nullptr) return std::nullopt;
  return node_.child(*value);
}

Node Fields::required(std::string_view key) {
  auto node = optional(key);
  if (!node) throwAt(node_.path(), "missing required field \"" + std::string(key) + "\"");
  return *node;
}

void Fields::finish() const {
  for (const auto& [key, value] : node_.raw().get_object()) {
    if (std::ranges::find(read_, std::string_view(key)) == read_.end()) {
      auto sorted = read_;
      std::ranges::sort(sorted);
      std::string known;
      for (const auto k : sorted) known.append(known.empty() ? "" : ", ").append(k);
      throwAt(node_.path() + '.' + std::string(key),
              "unknown field (expected one of: " + known + ")");
    }
  }
}

}  // namespace mamori::policy::json
