// The dpkg database and logs: what is installed and when it last changed (PATCH-1, SW-1).

#include "mamori/platform/dpkg_status.hpp"

#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "mamori/policy/time.hpp"

namespace mamori::platform {
namespace {

constexpr std::string_view kStatus = R"(Package: zlib1g
Status: install ok installed
Priority: required
Architecture: amd64
Multi-Arch: same
Version: 1:1.2.13.dfsg-1
Depends: libc6 (>= 2.14)
Description: compression library - runtime
 zlib is a library implementing the deflate compression method found
 in gzip and PKZIP.
 Package: not-a-package
 Version: 9.9

Package: libc6
Status: install ok installed
Architecture: i386
Multi-Arch: same
Source: glibc
Version: 2.36-9+deb12u9
Description: GNU C Library: Shared libraries
 Contains the standard libraries.
 .
 Status: deinstall ok config-files

Package: cups-browsed
Status: deinstall ok config-files
Architecture: amd64
Version: 1.28.17-3
Config-Version: 1.28.17-3
Conffiles:
 /etc/cups/cups-browsed.conf 5e2a1c1b9a8e0f3d4c6b7a9e8d7c6b5a

Package: fonts-noto-cjk
Status: install ok half-installed
Architecture: all
Version: 1:20220127+repack1-1

Package: libc6
Status: install ok installed
Architecture: amd64
Multi-Arch: same
Version: 2.36-9+deb12u9

Package: openssl
Status: hold ok installed
Architecture: amd64
Version: 3.0.11-1~deb12u2
Conffiles:
 /etc/ssl/openssl.cnf 6b4bbd0c6d8b1e7d8a1b5d6e4f2c3a1b
)";

std::string at(std::optional<policy::TimePoint> t) {
  return t ? policy::formatTimestamp(*t) : std::string("nullopt");
}

TEST_CASE("SW-1: only installed packages are listed, removed and half-installed ones are not") {
  const auto packages = parseDpkgStatus(kStatus);
  REQUIRE(packages.size() == 4);
  for (const auto& p : packages) {
    CHECK(p.name != "cups-browsed");
    CHECK(p.name != "fonts-noto-cjk");
  }
}

TEST_CASE("SW-1: packages are sorted by name, then architecture, with both multiarch copies") {
  const auto packages = parseDpkgStatus(kStatus);
  REQUIRE(packages.size() == 4);
  CHECK(packages[0].name == "libc6");
  CHECK(packages[0].architecture == "amd64");
  CHECK(packages[1].name == "libc6");
  CHECK(packages[1].architecture == "i386");
  CHECK(packages[0].version == packages[1].version);
  CHECK(packages[2].name == "openssl");
  CHECK(packages[3].name == "zlib1g");
}

TEST_CASE("PATCH-1: versions are kept verbatim, epoch and revision included") {
  const auto packages = parseDpkgStatus(kStatus);
  REQUIRE(packages.size() == 4);
  CHECK(packages[2].version == "3.0.11-1~deb12u2");  // held, but installed all the same
  CHECK(packages[3].version == "1:1.2.13.dfsg-1");
}

TEST_CASE("SW-1: field-like text on continuation lines does not start or change a package") {
  const auto packages = parseDpkgStatus(kStatus);
  for (const auto& p : packages) {
    CHECK(p.name != "not-a-package");
    CHECK(p.version != "9.9");
  }
  // The i386 libc6 stays installed although its description mentions config-files.
  REQUIRE(packages.size() == 4);
  CHECK(packages[1].architecture == "i386");
}

TEST_CASE("SW-1: a file without a final newline or with CRLF line ends still parses") {
  const auto packages = parseDpkgStatus(
      "Package: bash\r\nStatus: install ok installed\r\nVersion: 5.2.15-2+b7\r\n"
      "Architecture: amd64\r\n\r\nPackage: dpkg\nStatus: install ok installed\n"
      "Version: 1.21.22\nArchitecture: amd64");
  REQUIRE(packages.size() == 2);
  CHECK(packages[0].name == "bash");
  CHECK(packages[0].version == "5.2.15-2+b7");
  CHECK(packages[1].name == "dpkg");
}

TEST_CASE("SW-1: an empty status file means no packages") {
  CHECK(parseDpkgStatus("").empty());
  CHECK(parseDpkgStatus("\n\n").empty());
}

TEST_CASE("PATCH-1: the last change in dpkg.log is its last install, upgrade, remove or purge") {
  constexpr std::string_view kLog =
      "2026-11-05 14:02:11 startup archives unpack\n"
      "2026-11-05 14:02:12 remove cups-browsed:amd64 1.28.17-3 <none>\n"
      "2026-11-05 14:02:13 status config-files cups-browsed:amd64 1.28.17-3\n"
      "2026-11-10 08:12:01 startup archives unpack\n"
      "2026-11-10 08:12:02 upgrade libssl3:amd64 3.0.9-1 3.0.11-1~deb12u2\n"
      "2026-11-10 08:12:03 upgrade openssl:amd64 3.0.9-1 3.0.11-1~deb12u2\n"
      "2026-11-10 08:12:05 startup packages configure\n"
      "2026-11-10 08:12:05 configure openssl:amd64 3.0.11-1~deb12u2 <none>\n"
      "2026-11-10 08:12:06 conffile /etc/ssl/openssl.cnf keep\n"
      "2026-11-10 08:12:06 status installed openssl:amd64 3.0.11-1~deb12u2\n"
      "2026-11-10 08:12:06 trigproc libc-bin:amd64 2.36-9+deb12u9 <none>\n"
      "2026-11-18 06:25:14 startup packages configure\n"
      "2026-11-18 06:25:15 status installed libc-bin:amd64 2.36-9+deb12u9\n";
  CHECK(at(lastChangeInDpkgLog(kLog)) == "2026-11-10T08:12:03Z");
}

TEST_CASE("PATCH-1: install, remove and purge count as changes as well as upgrade") {
  CHECK(at(lastChangeInDpkgLog("2026-11-02 09:41:18 install clamav:amd64 <none> 1.0.7\n")) ==
        "2026-11-02T09:41:18Z");
  CHECK(
      at(lastChangeInDpkgLog("2026-11-05 14:02:12 remove cups-browsed:amd64 1.28 <none>\n"
                             "2026-11-05 14:02:13 status config-files cups-browsed:amd64 1.28")) ==
      "2026-11-05T14:02:12Z");
  CHECK(at(lastChangeInDpkgLog("2026-11-06 10:00:00 purge cups-browsed:amd64 1.28 <none>")) ==
        "2026-11-06T10:00:00Z");
}

TEST_CASE("PATCH-1: a dpkg.log without any package change gives no time") {
  CHECK_FALSE(lastChangeInDpkgLog("").has_value());
  CHECK_FALSE(lastChangeInDpkgLog("2026-11-18 06:25:14 startup packages configure\n"
                                  "2026-11-18 06:25:15 status installed libc-bin:amd64 2.36\n"
                                  "2026-11-18 06:25:15 configure libc-bin:amd64 2.36 <none>\n")
                  .has_value());
}

TEST_CASE("PATCH-1: garbage and truncated lines in dpkg.log are skipped, not misread") {
  constexpr std::string_view kLog =
      "2026-11-10 08:12:03 upgrade openssl:amd64 3.0.9-1 3.0.11-1~deb12u2\n"
      "upgrade everything now\n"
      "2026-11-1\n"
      "\n"
      "2026-99-99 08:12:03 upgrade broken:amd64 1 2\n";
  CHECK(at(lastChangeInDpkgLog(kLog)) == "2026-11-10T08:12:03Z");
}

TEST_CASE("PATCH-1: the last change in apt's history is its latest End-Date") {
  constexpr std::string_view kHistory =
      "\nStart-Date: 2026-11-10  08:11:58\n"
      "Commandline: /usr/bin/unattended-upgrade\n"
      "Upgrade: openssl:amd64 (3.0.9-1, 3.0.11-1~deb12u2)\n"
      "End-Date: 2026-11-10  08:12:08\n"
      "\nStart-Date: 2026-11-02  09:41:12\n"
      "Commandline: apt-get install -y clamav clamav-daemon\n"
      "End-Date: 2026-11-02  09:41:35\n";
  // Entries are normally in order; the latest one wins even when they are not.
  CHECK(at(lastChangeInAptHistory(kHistory)) == "2026-11-10T08:12:08Z");
}

TEST_CASE("PATCH-1: apt history without an End-Date gives no time") {
  CHECK_FALSE(lastChangeInAptHistory("").has_value());
  // An interrupted run has a Start-Date but never wrote its End-Date.
  CHECK_FALSE(lastChangeInAptHistory("Start-Date: 2026-11-10  08:11:58\n"
                                     "Commandline: apt-get upgrade\n")
                  .has_value());
  CHECK_FALSE(lastChangeInAptHistory("End-Date: soon\n").has_value());
}

}  // namespace
}  // namespace mamori::platform
