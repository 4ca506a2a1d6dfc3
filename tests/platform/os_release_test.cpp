// os-release(5): which OS and release a PC runs (PATCH-1, PATCH-2).

#include "mamori/platform/os_release.hpp"

#include <doctest/doctest.h>

namespace mamori::platform {
namespace {

TEST_CASE("PATCH-2: Debian 12's os-release gives id, version, codename and pretty name") {
  const auto os = parseOsRelease(
      "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"
      "NAME=\"Debian GNU/Linux\"\n"
      "VERSION_ID=\"12\"\n"
      "VERSION=\"12 (bookworm)\"\n"
      "VERSION_CODENAME=bookworm\n"
      "ID=debian\n"
      "HOME_URL=\"https://www.debian.org/\"\n");
  CHECK(os.id == "debian");
  CHECK(os.version_id == "12");
  CHECK(os.version_codename == "bookworm");
  CHECK(os.pretty_name == "Debian GNU/Linux 12 (bookworm)");
}

TEST_CASE("PATCH-2: values may be double-quoted, single-quoted or bare") {
  const auto os = parseOsRelease("ID='ubuntu'\nVERSION_ID=\"24.04\"\nVERSION_CODENAME=noble\n");
  CHECK(os.id == "ubuntu");
  CHECK(os.version_id == "24.04");
  CHECK(os.version_codename == "noble");
}

TEST_CASE("PATCH-2: backslash escapes in double quotes are undone, single quotes are literal") {
  const auto os = parseOsRelease(R"(PRETTY_NAME="Kommune \"Linux\" \$5 \\ edition")");
  CHECK(os.pretty_name == R"(Kommune "Linux" $5 \ edition)");
  const auto literal = parseOsRelease(R"(PRETTY_NAME='a\b')");
  CHECK(literal.pretty_name == R"(a\b)");
}

TEST_CASE("PATCH-2: comments, blank lines and lines without '=' are ignored") {
  const auto os = parseOsRelease(
      "# This file is part of the distribution.\n"
      "\n"
      "#ID=fedora\n"
      "garbage line\n"
      "ID=debian\n");
  CHECK(os.id == "debian");
}

TEST_CASE("PATCH-2: CRLF line ends and a missing final newline are tolerated") {
  const auto os = parseOsRelease("ID=debian\r\nVERSION_ID=\"12\"\r\nVERSION_CODENAME=bookworm");
  CHECK(os.id == "debian");
  CHECK(os.version_id == "12");
  CHECK(os.version_codename == "bookworm");
}

TEST_CASE("PATCH-2: keys that are absent stay empty (Debian testing has no VERSION_ID)") {
  const auto os = parseOsRelease(
      "PRETTY_NAME=\"Debian GNU/Linux trixie/sid\"\nID=debian\nVERSION_CODENAME=trixie\n");
  CHECK(os.id == "debian");
  CHECK(os.version_id.empty());
  CHECK(os.version_codename == "trixie");
  CHECK(parseOsRelease("").id.empty());
}

TEST_CASE(
    "PATCH-2: only exact keys match, ID_LIKE and VERSION do not overwrite ID and VERSION_ID") {
  const auto os = parseOsRelease(
      "ID=linuxmint\nID_LIKE=\"ubuntu debian\"\nVERSION_ID=\"21.3\"\n"
      "VERSION=\"21.3 (Virginia)\"\n");
  CHECK(os.id == "linuxmint");
  CHECK(os.version_id == "21.3");
}

TEST_CASE("PATCH-2: an empty value and an unterminated quote are kept as written") {
  const auto os = parseOsRelease("VERSION_ID=\nPRETTY_NAME=\"Debian\n");
  CHECK(os.version_id.empty());
  CHECK(os.pretty_name == "\"Debian");
}

}  // namespace
}  // namespace mamori::platform
