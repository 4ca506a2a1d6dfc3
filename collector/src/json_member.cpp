#include "json_member.hpp"

#include <cstddef>

namespace mamori::collector {
namespace {

constexpr std::size_t kNone = std::string_view::npos;

std::size_t skipSpace(std::string_view t, std::size_t i) {
  while (i < t.size() && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r')) ++i;
  return i;
}

// Just past the string that opens at `i`, or kNone: the next quote not escaped by an odd number
// of backslashes. Found with find (memchr): most of a report's text is inside strings.
std::size_t skipString(std::string_view t, std::size_t i) {
  for (std::size_t from = i + 1;;) {
    const std::size_t quote = t.find('"', from);
    if (quote == kNone) return kNone;
    std::size_t backslashes = 0;
    while (quote - backslashes > i + 1 && t[quote - backslashes - 1] == '\\') ++backslashes;
    if (backslashes % 2 == 0) return quote + 1;
    from = quote + 1;
  }
}

// Just past the value that starts at `i`, or kNone. Brackets are only counted, not matched in
// kind: the text was validated by a real parser before.
std::size_t skipValue(std::string_view t, std::size_t i) {
  if (i >= t.size()) return kNone;
  if (t[i] == '"') return skipString(t, i);
  if (t[i] != '{' && t[i] != '[') {
    while (i < t.size() && t[i] != ',' && t[i] != '}' && t[i] != ']' && t[i] != ' ' &&
           t[i] != '\t' && t[i] != '\n' && t[i] != '\r') {
      ++i;
    }
    return i;
  }
  int depth = 0;
  while (i < t.size()) {
    const char c = t[i];
    if (c == '"') {
      i = skipString(t, i);
      if (i == kNone) return kNone;
      continue;
    }
    if (c == '{' || c == '[') ++depth;
    if ((c == '}' || c == ']') && --depth == 0) return i + 1;
    ++i;
  }
  return kNone;
}

}  // namespace

std::optional<std::string_view> memberText(std::string_view object, std::string_view key) {
  std::optional<std::string_view> found;
  std::size_t i = skipSpace(object, 0);
  if (i >= object.size() || object[i] != '{') return std::nullopt;
  i = skipSpace(object, i + 1);
  if (i < object.size() && object[i] == '}') return std::nullopt;
  while (i < object.size() && object[i] == '"') {
    const std::size_t key_end = skipString(object, i);
    if (key_end == kNone) return std::nullopt;
    const auto name = object.substr(i + 1, key_end - i - 2);
    // An escaped name may spell `key` too, and then which of the two a parser keeps is unknown.
    if (name.find('\\') != std::string_view::npos) return std::nullopt;
    i = skipSpace(object, key_end);
    if (i >= object.size() || object[i] != ':') return std::nullopt;
    const std::size_t start = skipSpace(object, i + 1);
    const std::size_t end = skipValue(object, start);
    if (end == kNone) return std::nullopt;
    if (name == key) {
      if (found) return std::nullopt;  // twice: which one a parser keeps is its own choice
      found = object.substr(start, end - start);
    }
    i = skipSpace(object, end);
    if (i < object.size() && object[i] == '}') return found;
    if (i >= object.size() || object[i] != ',') return std::nullopt;
    i = skipSpace(object, i + 1);
  }
  return std::nullopt;
}

}  // namespace mamori::collector
