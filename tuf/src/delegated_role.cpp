#include <algorithm>
#include <ranges>

#include "mamori/tuf/metadata.hpp"

namespace mamori::tuf {
namespace {

// A `[...]` set at the start of `pattern` (fnmatch's: `!` negates, `a-z` ranges). Sets `consumed`
// to its length, or 0 when the bracket is not closed (then it is a literal `[`).
bool matchesSet(std::string_view pattern, char c, std::size_t& consumed) {
  std::size_t i = 1;
  const bool negated = i < pattern.size() && pattern[i] == '!';
  if (negated) ++i;
  const std::size_t first = i;
  bool found = false;
  for (; i < pattern.size() && (pattern[i] != ']' || i == first); ++i) {
    if (i + 2 < pattern.size() && pattern[i + 1] == '-' && pattern[i + 2] != ']') {
      found = found || (pattern[i] <= c && c <= pattern[i + 2]);
      i += 2;
    } else {
      found = found || pattern[i] == c;
    }
  }
  if (i >= pattern.size()) {
    consumed = 0;
    return false;
  }
  consumed = i + 1;
  return found != negated;
}

// Whether the pattern element at `p` (`?`, a `[...]` set, or a character) matches `c`; sets
// `length` to the element's length in the pattern.
bool elementMatches(std::string_view pattern, std::size_t p, char c, std::size_t& length) {
  length = 1;
  if (pattern[p] == '?') return true;
  if (pattern[p] == '[') {
    std::size_t consumed = 0;
    const bool in_set = matchesSet(pattern.substr(p), c, consumed);
    if (consumed > 0) {
      length = consumed;
      return in_set;
    }
  }
  return pattern[p] == c;
}

// fnmatch on one path segment: `*` any run, `?` one character, `[...]` a set. Greedy with one
// backtracking point (the last `*`), so a hostile pattern costs O(pattern x text), never more:
// patterns come from delegated roles, which are trusted less than the top-level targets.
bool segmentMatches(std::string_view pattern, std::string_view text) {
  constexpr auto kNone = std::string_view::npos;
  std::size_t p = 0;
  std::size_t t = 0;
  std::size_t star = kNone;
  std::size_t star_text = 0;
  while (t < text.size()) {
    std::size_t length = 1;
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      star_text = t;
    } else if (p < pattern.size() && elementMatches(pattern, p, text[t], length)) {
      p += length;
      ++t;
    } else if (star != kNone) {
      p = star + 1;
      t = ++star_text;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  for (const auto part : std::views::split(path, '/')) out.emplace_back(part.begin(), part.end());
  return out;
}

bool pathMatches(std::string_view pattern, std::string_view target) {
  const auto pattern_parts = segments(pattern);
  const auto target_parts = segments(target);
  if (pattern_parts.size() != target_parts.size()) return false;
  for (std::size_t i = 0; i < pattern_parts.size(); ++i) {
    if (!segmentMatches(pattern_parts[i], target_parts[i])) return false;
  }
  return true;
}

}  // namespace

bool DelegatedRole::isTrustedFor(std::string_view target_path) const {
  if (paths) {
    return std::ranges::any_of(*paths, [&](const auto& p) { return pathMatches(p, target_path); });
  }
  if (path_hash_prefixes) {
    const auto digest = hexDigest("sha256", target_path);
    return std::ranges::any_of(*path_hash_prefixes,
                               [&](const auto& prefix) { return digest.starts_with(prefix); });
  }
  return false;
}

}  // namespace mamori::tuf
