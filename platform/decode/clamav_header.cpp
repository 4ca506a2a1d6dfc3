#include "mamori/platform/clamav_header.hpp"

#include <array>
#include <charconv>
#include <vector>

namespace mamori::platform {
namespace {

constexpr std::string_view kMagic = "ClamAV-VDB:";
constexpr std::size_t kHeaderSize = 512;

template <class T>
bool toNumber(std::string_view s, T& out) {
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && ptr == s.data() + s.size() && !s.empty();
}

// `16 Nov 2023 09-26 -0500` (sigtool writes strftime "%d %b %Y %H-%M %z" in the C locale).
std::expected<policy::TimePoint, std::string> parseBuildTime(std::string_view s) {
  using namespace std::chrono;
  constexpr std::array<std::string_view, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int d = 0, y = 0, h = 0, mi = 0, off = 0;
  if (s.size() < 23 || !toNumber(s.substr(0, 2), d) || !toNumber(s.substr(7, 4), y) ||
      !toNumber(s.substr(12, 2), h) || !toNumber(s.substr(15, 2), mi) ||
      !toNumber(s.substr(19, 4), off) || (s[18] != '+' && s[18] != '-')) {
    return std::unexpected("build time \"" + std::string(s) + "\" is not in ClamAV's format");
  }
  unsigned m = 0;
  while (m < kMonths.size() && kMonths[m] != s.substr(3, 3)) ++m;
  const year_month_day date{year{y}, month{m + 1}, day{static_cast<unsigned>(d)}};
  if (m == kMonths.size() || !date.ok() || h > 23 || mi > 59) {
    return std::unexpected("build time \"" + std::string(s) + "\" has no valid date");
  }
  const auto offset = hours{off / 100} + minutes{off % 100};
  const policy::TimePoint local = sys_days{date} + hours{h} + minutes{mi};
  return s[18] == '-' ? local + offset : local - offset;
}

}  // namespace

std::expected<ClamAvHeader, std::string> parseClamAvHeader(std::string_view bytes) {
  if (bytes.size() < kHeaderSize) {
    return std::unexpected("file is shorter than a database header (" +
                           std::to_string(bytes.size()) + " of 512 bytes)");
  }
  auto header = bytes.substr(0, kHeaderSize);
  if (!header.starts_with(kMagic)) return std::unexpected("no ClamAV-VDB header");
  // ClamAV cuts at the first line break and strips the space padding.
  header = header.substr(0, header.find_first_of("\r\n"));
  header = header.substr(0, header.find_last_not_of(' ') + 1);

  std::vector<std::string_view> fields;
  for (std::size_t start = kMagic.size();;) {
    const auto colon = header.find(':', start);
    fields.push_back(header.substr(start, colon - start));
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  if (fields.size() < 7) {
    return std::unexpected("header has " + std::to_string(fields.size()) +
                           " fields, expected at least 7");
  }
  ClamAvHeader h;
  if (!toNumber(fields[1], h.version)) return std::unexpected("version field is not a number");
  if (!toNumber(fields[2], h.signatures)) {
    return std::unexpected("signature count is not a number");
  }
  if (!toNumber(fields[3], h.functionality_level)) {
    return std::unexpected("functionality level is not a number");
  }
  h.builder = fields[6];
  long long stime = 0;
  if (fields.size() >= 8 && toNumber(fields[7], stime) && stime > 0) {
    h.built = policy::TimePoint{std::chrono::seconds{stime}};
  } else {
    auto built = parseBuildTime(fields[0]);
    if (!built) return std::unexpected(built.error());
    h.built = *built;
  }
  return h;
}

}  // namespace mamori::platform
