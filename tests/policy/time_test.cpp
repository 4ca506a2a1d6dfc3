#include "mamori/policy/time.hpp"

#include <doctest/doctest.h>

using namespace mamori::policy;

TEST_CASE("timestamps: a date alone is midnight UTC, offsets convert to UTC") {
  CHECK(formatTimestamp(*parseTimestamp("2026-11-22")) == "2026-11-22T00:00:00Z");
  CHECK(formatTimestamp(*parseTimestamp("2026-11-22T09:30")) == "2026-11-22T09:30:00Z");
  CHECK(formatTimestamp(*parseTimestamp("2026-11-22T09:30:15Z")) == "2026-11-22T09:30:15Z");
  CHECK(formatTimestamp(*parseTimestamp("2026-11-22T18:30:00+09:00")) == "2026-11-22T09:30:00Z");
  CHECK(formatTimestamp(*parseTimestamp("2026-01-01T01:00:00+09:00")) == "2025-12-31T16:00:00Z");
  CHECK(formatTimestamp(*parseTimestamp("2026-11-22T00:00:00-05:00")) == "2026-11-22T05:00:00Z");
  CHECK(formatDate(*parseTimestamp("2028-06-30T23:59:59Z")) == "2028-06-30");
}

TEST_CASE("timestamps: malformed input is rejected with the reason") {
  for (const char* bad :
       {"", "2026", "2026-13-01", "2026-02-30", "2026-11-22T25:00", "2026-11-22 09:30",
        "2026-11-22T09:30+9", "2026-11-22T09:30:00ZZ", "22/11/2026"}) {
    CAPTURE(bad);
    const auto t = parseTimestamp(bad);
    REQUIRE_FALSE(t.has_value());
    CHECK(t.error().find("is not an ISO 8601 time") != std::string::npos);
  }
}

TEST_CASE("daysBetween rounds down and is negative backwards") {
  const auto a = *parseTimestamp("2026-11-01T00:00:00Z");
  CHECK(daysBetween(a, *parseTimestamp("2026-11-22T09:00:00Z")) == 21);
  CHECK(daysBetween(a, *parseTimestamp("2026-11-01T23:59:59Z")) == 0);
  CHECK(daysBetween(*parseTimestamp("2026-11-22T00:00:00Z"), a) == -21);
}
