#include "mamori/policy/debian_version.hpp"

#include <charconv>
#include <cstring>

namespace mamori::policy {
namespace {

// The C locale's classification, spelled out so the result never depends on the process locale.
bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// dpkg's order(): digits sort as 0 (handled by the numeric pass), letters by value, `~` before
// everything including the end of the string, other characters after all letters.
int order(char c) {
  if (isDigit(c)) return 0;
  if (isAlpha(c)) return c;
  if (c == '~') return -1;
  if (c != '\0') return static_cast<unsigned char>(c) + 256;
  return 0;
}

// dpkg's verrevcmp(), over string_views (no NUL terminator): alternate non-digit and digit runs.
int verrevcmp(std::string_view a, std::string_view b) {
  std::size_t i = 0, j = 0;
  const auto at = [](std::string_view s, std::size_t k) { return k < s.size() ? s[k] : '\0'; };
  while (i < a.size() || j < b.size()) {
    int first_diff = 0;
    while ((i < a.size() && !isDigit(a[i])) || (j < b.size() && !isDigit(b[j]))) {
      const int ac = order(at(a, i));
      const int bc = order(at(b, j));
      if (ac != bc) return ac - bc;
      ++i;
      ++j;
    }
    while (at(a, i) == '0') ++i;
    while (at(b, j) == '0') ++j;
    while (isDigit(at(a, i)) && isDigit(at(b, j))) {
      if (first_diff == 0) first_diff = at(a, i) - at(b, j);
      ++i;
      ++j;
    }
    if (isDigit(at(a, i))) return 1;
    if (isDigit(at(b, j))) return -1;
    if (first_diff != 0) return first_diff;
  }
  return 0;
}

}  // namespace

std::expected<DebianVersion, std::string> parseDebianVersion(std::string_view text,
                                                             VersionStrictness strictness) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return std::unexpected("version string is empty");
  text.remove_prefix(first);
  const auto end = text.find_first_of(" \t");
  if (end != std::string_view::npos) {
    if (text.find_first_not_of(" \t", end) != std::string_view::npos) {
      return std::unexpected("version string has embedded spaces");
    }
    text = text.substr(0, end);
  }

  DebianVersion v;
  if (const auto colon = text.find(':'); colon != std::string_view::npos) {
    const auto epoch = text.substr(0, colon);
    if (epoch.empty()) return std::unexpected("epoch in version is empty");
    std::uint32_t n = 0;
    const auto [ptr, ec] = std::from_chars(epoch.data(), epoch.data() + epoch.size(), n);
    if (ec == std::errc::result_out_of_range || (ec == std::errc{} && n > 2147483647U)) {
      return std::unexpected("epoch in version is too big");
    }
    if (ec != std::errc{} || ptr != epoch.data() + epoch.size()) {
      return std::unexpected("epoch in version is not number");
    }
    v.epoch = n;
    text.remove_prefix(colon + 1);
  }
  if (const auto hyphen = text.rfind('-'); hyphen != std::string_view::npos) {
    v.revision = text.substr(hyphen + 1);
    if (v.revision.empty()) return std::unexpected("revision number is empty");
    text = text.substr(0, hyphen);
  }
  if (text.empty()) return std::unexpected("version number is empty");
  v.upstream = text;

  if (strictness == VersionStrictness::kStrict) {
    if (!isDigit(v.upstream.front())) {
      return std::unexpected("version number does not start with digit");
    }
    for (char c : v.upstream) {
      if (!isDigit(c) && !isAlpha(c) && std::strchr(".-+~:", c) == nullptr) {
        return std::unexpected("invalid character in version number");
      }
    }
    for (char c : v.revision) {
      if (!isDigit(c) && !isAlpha(c) && std::strchr(".+~", c) == nullptr) {
        return std::unexpected("invalid character in revision number");
      }
    }
  }
  return v;
}

int compareDebianVersions(const DebianVersion& a, const DebianVersion& b) {
  if (a.epoch != b.epoch) return a.epoch > b.epoch ? 1 : -1;
  if (const int rc = verrevcmp(a.upstream, b.upstream); rc != 0) return rc;
  return verrevcmp(a.revision, b.revision);
}

std::expected<int, std::string> compareDebianVersions(std::string_view a, std::string_view b) {
  auto va = parseDebianVersion(a);
  if (!va) return std::unexpected("\"" + std::string(a) + "\": " + va.error());
  auto vb = parseDebianVersion(b);
  if (!vb) return std::unexpected("\"" + std::string(b) + "\": " + vb.error());
  return compareDebianVersions(*va, *vb);
}

}  // namespace mamori::policy
