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

// fnmatch on one path segment: `*` any run, `?` one character, `[...]` a set.
bool segmentMatches(std::string_view pattern, std::string_view text) {
  if (pattern.empty()) return text.empty();
  if (pattern.front() == '*') {
    for (std::size_t skip = 0; skip <= text.size(); ++skip) {
      if (segmentMatches(pattern.substr(1), text.substr(skip))) return true;
    }
    return false;
  }
  if (text.empty()) return false;
  if (pattern.front() == '?') return segmentMatches(pattern.substr(1), text.substr(1));
  if (pattern.front() == '[') {
    std::size_t consumed = 0;
    const bool in_set = matchesSet(pattern, text.front(), consumed);
    if (consumed > 0) return in_set && segmentMatches(pattern.substr(consumed), text.substr(1));
  }
  return pattern.front() == text.front() && segmentMatches(pattern.substr(1), text.substr(1));
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
