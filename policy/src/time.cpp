#include "mamori/policy/time.hpp"

#include <charconv>
#include <cstdio>

namespace mamori::policy {
namespace {

// Reads exactly `width` digits at `pos`; advances `pos`.
bool readDigits(std::string_view text, std::size_t& pos, std::size_t width, int& out) {
  if (pos + width > text.size()) return false;
  const char* first = text.data() + pos;
  for (std::size_t i = 0; i < width; ++i) {
    if (first[i] < '0' || first[i] > '9') return false;
  }
  std::from_chars(first, first + width, out);
  pos += width;
  return true;
}

bool expect(std::string_view text, std::size_t& pos, char c) {
  if (pos >= text.size() || text[pos] != c) return false;
  ++pos;
  return true;
}

}  // namespace

std::expected<TimePoint, std::string> parseTimestamp(std::string_view text) {
  using namespace std::chrono;
  const auto bad = [&](std::string_view why) {
    return std::unexpected("\"" + std::string(text) +
                           "\" is not an ISO 8601 time: " + std::string(why));
  };
  std::size_t pos = 0;
  int y = 0, mo = 0, d = 0;
  if (!readDigits(text, pos, 4, y) || !expect(text, pos, '-') || !readDigits(text, pos, 2, mo) ||
      !expect(text, pos, '-') || !readDigits(text, pos, 2, d)) {
    return bad("expected YYYY-MM-DD");
  }
  const year_month_day date{year{y}, month{static_cast<unsigned>(mo)},
                            day{static_cast<unsigned>(d)}};
  if (!date.ok()) return bad("no such date");
  TimePoint t = sys_days{date};
  if (pos == text.size()) return t;

  int h = 0, mi = 0, s = 0;
  if (!expect(text, pos, 'T') || !readDigits(text, pos, 2, h) || !expect(text, pos, ':') ||
      !readDigits(text, pos, 2, mi)) {
    return bad("expected THH:MM after the date");
  }
  if (pos < text.size() && text[pos] == ':' && !(++pos, readDigits(text, pos, 2, s))) {
    return bad("expected two digits of seconds");
  }
  if (h > 23 || mi > 59 || s > 60) return bad("time of day out of range");
  t += hours{h} + minutes{mi} + seconds{s};
  if (pos == text.size() || (text[pos] == 'Z' && pos + 1 == text.size())) return t;

  const char sign = text[pos++];
  int oh = 0, om = 0;
  if ((sign != '+' && sign != '-') || !readDigits(text, pos, 2, oh) || !expect(text, pos, ':') ||
      !readDigits(text, pos, 2, om) || pos != text.size() || oh > 23 || om > 59) {
    return bad("expected Z or an offset such as +09:00");
  }
  const auto offset = hours{oh} + minutes{om};
  return sign == '+' ? t - offset : t + offset;
}

std::string formatTimestamp(TimePoint t) {
  using namespace std::chrono;
  const auto day_start = floor<days>(t);
  const year_month_day date{day_start};
  const hh_mm_ss time{t - day_start};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                static_cast<int>(time.seconds().count()));
  return buf;
}

std::string formatDate(TimePoint t) { return formatTimestamp(t).substr(0, 10); }

long long daysBetween(TimePoint from, TimePoint to) {
  return std::chrono::floor<std::chrono::days>(to - from).count();
}

}  // namespace mamori::policy
