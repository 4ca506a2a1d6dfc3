#include "mamori/tuf/canonical_json.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <vector>

namespace mamori::tuf {
namespace {

// Thrown from the offending number; each enclosing array and object prepends its step on the
// way out, so the path is spelled only when there is a failure to report.
struct NotCanonical {
  std::string path;
};

void appendString(std::string& out, std::string_view text) {
  out += '"';
  for (const char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

void append(std::string& out, const boost::json::value& value);

template <class Step>
void appendAt(std::string& out, const boost::json::value& value, Step step) {
  try {
    append(out, value);
  } catch (NotCanonical& failure) {
    failure.path.insert(0, step());
    throw;
  }
}

void append(std::string& out, const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::null: out += "null"; return;
    case boost::json::kind::bool_: out += value.get_bool() ? "true" : "false"; return;
    case boost::json::kind::int64: out += std::to_string(value.get_int64()); return;
    case boost::json::kind::uint64: out += std::to_string(value.get_uint64()); return;
    case boost::json::kind::double_: throw NotCanonical{};
    case boost::json::kind::string: appendString(out, value.get_string()); return;
    case boost::json::kind::array: {
      out += '[';
      std::size_t index = 0;
      for (const auto& element : value.get_array()) {
        if (index > 0) out += ',';
        appendAt(out, element, [index] { return "[" + std::to_string(index) + "]"; });
        ++index;
      }
      out += ']';
      return;
    }
    case boost::json::kind::object: {
      // Sorted by UTF-8 bytes, which is the code point order Python's sort gives.
      std::vector<const boost::json::key_value_pair*> members;
      for (const auto& member : value.get_object()) members.push_back(&member);
      std::ranges::sort(members, {}, [](const auto* m) { return std::string_view(m->key()); });
      out += '{';
      for (std::size_t i = 0; i < members.size(); ++i) {
        if (i > 0) out += ',';
        appendString(out, members[i]->key());
        out += ':';
        appendAt(out, members[i]->value(), [&] { return "." + std::string(members[i]->key()); });
      }
      out += '}';
      return;
    }
  }
}

}  // namespace

std::expected<std::string, Error> canonicalJson(const boost::json::value& value) {
  std::string out;
  try {
    append(out, value);
  } catch (const NotCanonical& failure) {
    Error error = makeError(ErrorCode::kValidation,
                            "a floating-point number has no canonical JSON form (TUF allows "
                            "integers only)");
    error.field = "$" + failure.path;
    return std::unexpected(std::move(error));
  }
  return out;
}

}  // namespace mamori::tuf
