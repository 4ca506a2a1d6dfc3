// ClamAV database headers: how mamori tells the age of the signatures (AV-2).

#include "mamori/platform/clamav_header.hpp"

#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "mamori/policy/time.hpp"

namespace mamori::platform {
namespace {

// A database file as freshclam leaves it: the header padded with spaces to 512 bytes, then the
// payload (a gzipped tar for .cvd).
std::string database(std::string_view header, std::string_view payload = "\x1f\x8b\x08\x00") {
  std::string bytes(header);
  bytes.resize(512, ' ');
  bytes += payload;
  return bytes;
}

std::string when(const ClamAvHeader& h) { return policy::formatTimestamp(h.built); }

constexpr std::string_view kMainCvd =
    "ClamAV-VDB:16 Sep 2023 08-32 -0400:62:6647427:90:a8a1fd3ac2a0ab8bd5b4ae1ff2abb87b:"
    "Tp8f2QvxKb0KyRpr9Fd3s1xgOHQeDULbDVVhWg1HbCu2h8b97YJZbkZ0KJpV1RDWAXvq3P2zwcnKfYXvRDvv5z:"
    "sigmgr:1694867520";

TEST_CASE("AV-2: a .cvd header yields build time, version, signature count, level and builder") {
  const auto h = parseClamAvHeader(database(kMainCvd));
  REQUIRE_MESSAGE(h.has_value(), h.error());
  CHECK(when(*h) == "2023-09-16T12:32:00Z");
  CHECK(h->version == 62);
  CHECK(h->signatures == 6647427);
  CHECK(h->functionality_level == 90);
  CHECK(h->builder == "sigmgr");
}

TEST_CASE("AV-2: the build time comes from stime, as ClamAV ages databases, not from the text") {
  // The text says 1 Jan; stime says 21 Nov 2026 21:00 UTC. ClamAV trusts stime.
  const auto h = parseClamAvHeader(
      database("ClamAV-VDB:01 Jan 2026 00-00 +0000:27462:2071584:90:X:X:raynman:1795294800"));
  REQUIRE_MESSAGE(h.has_value(), h.error());
  CHECK(when(*h) == "2026-11-21T21:00:00Z");
}

TEST_CASE("AV-2: an old header without stime falls back to the build-time text and its zone") {
  const auto h = parseClamAvHeader(database(
      "ClamAV-VDB:16 Nov 2023 09-26 -0500:27095:2046413:90:0123456789abcdef0123456789abcdef:"
      "c2lnbmF0dXJl:raynman"));
  REQUIRE_MESSAGE(h.has_value(), h.error());
  CHECK(when(*h) == "2023-11-16T14:26:00Z");
  CHECK(h->version == 27095);
  CHECK(h->builder == "raynman");
}

TEST_CASE("AV-2: a positive zone offset is subtracted from the build-time text") {
  const auto h =
      parseClamAvHeader(database("ClamAV-VDB:01 Dec 2026 09-30 +0930:27470:10:90:X:X:b"));
  REQUIRE_MESSAGE(h.has_value(), h.error());
  CHECK(when(*h) == "2026-12-01T00:00:00Z");
}

TEST_CASE("AV-2: a .cld header written by freshclam (md5 and dsig X) is read like a .cvd") {
  const auto h = parseClamAvHeader(
      database("ClamAV-VDB:21 Nov 2026 21-00 +0000:27462:2071584:90:X:X:raynman:1795294800",
               std::string("COPYING\0", 8)));
  REQUIRE_MESSAGE(h.has_value(), h.error());
  CHECK(h->version == 27462);
  CHECK(h->signatures == 2071584);
  CHECK(h->builder == "raynman");
  CHECK(when(*h) == "2026-11-21T21:00:00Z");
}

TEST_CASE("AV-2: a file shorter than a header is rejected and the reason names 512 bytes") {
  const std::string truncated(kMainCvd.substr(0, 100));
  const auto h = parseClamAvHeader(truncated);
  REQUIRE_FALSE(h.has_value());
  CHECK(h.error().find("512") != std::string::npos);
  CHECK(h.error().find("100") != std::string::npos);
}

TEST_CASE("AV-2: a file without the ClamAV-VDB magic is rejected") {
  std::string html = "<!DOCTYPE html><html><body>502 Bad Gateway</body></html>";
  html.resize(600, '\0');
  const auto h = parseClamAvHeader(html);
  REQUIRE_FALSE(h.has_value());
  CHECK(h.error().find("ClamAV-VDB") != std::string::npos);
}

TEST_CASE("AV-2: a header whose version is not a number is rejected") {
  const auto h = parseClamAvHeader(
      database("ClamAV-VDB:21 Nov 2026 21-00 +0000:27x62:2071584:90:X:X:raynman:1795294800"));
  REQUIRE_FALSE(h.has_value());
  CHECK(h.error().find("version") != std::string::npos);
}

TEST_CASE("AV-2: a header whose signature count or level is not a number is rejected") {
  CHECK_FALSE(parseClamAvHeader(database("ClamAV-VDB:21 Nov 2026 21-00 +0000:1:many:90:X:X:b:1"))
                  .has_value());
  CHECK_FALSE(
      parseClamAvHeader(database("ClamAV-VDB:21 Nov 2026 21-00 +0000:1:2:-:X:X:b:1")).has_value());
}

TEST_CASE("AV-2: a header with too few fields is rejected and says how many it has") {
  const auto h = parseClamAvHeader(database("ClamAV-VDB:21 Nov 2026 21-00 +0000:27462:2071584"));
  REQUIRE_FALSE(h.has_value());
  CHECK(h.error().find("3 fields") != std::string::npos);
}

TEST_CASE("AV-2: without stime, an unreadable build-time text is rejected rather than guessed") {
  CHECK_FALSE(
      parseClamAvHeader(database("ClamAV-VDB:yesterday:27462:2071584:90:X:X:raynman")).has_value());
  CHECK_FALSE(
      parseClamAvHeader(database("ClamAV-VDB:31 Feb 2026 10-00 +0000:27462:2071584:90:X:X:r"))
          .has_value());
  CHECK_FALSE(
      parseClamAvHeader(database("ClamAV-VDB:21 Foo 2026 10-00 +0000:27462:2071584:90:X:X:r"))
          .has_value());
}

TEST_CASE("AV-2: the header ends at the first line break and its space padding is stripped") {
  // Whatever follows a newline inside the 512 bytes is not part of the header.
  const auto h = parseClamAvHeader(database(
      "ClamAV-VDB:21 Nov 2026 21-00 +0000:27462:2071584:90:X:X:raynman:1795294800\n:junk:99"));
  REQUIRE_MESSAGE(h.has_value(), h.error());
  CHECK(h->builder == "raynman");
  CHECK(when(*h) == "2026-11-21T21:00:00Z");

  // Padding after the builder (no stime): the builder carries no trailing spaces.
  const auto old =
      parseClamAvHeader(database("ClamAV-VDB:16 Nov 2023 09-26 -0500:1:2:90:X:X:sigmgr"));
  REQUIRE_MESSAGE(old.has_value(), old.error());
  CHECK(old->builder == "sigmgr");
}

TEST_CASE("AV-2: only the first 512 bytes are the header, the payload is never parsed") {
  const auto h = parseClamAvHeader(database(kMainCvd, std::string(4096, ':')));
  REQUIRE_MESSAGE(h.has_value(), h.error());
  CHECK(h->version == 62);
}

}  // namespace
}  // namespace mamori::platform
