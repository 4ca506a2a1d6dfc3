#include "mamori/policy/debian_version.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

using namespace mamori::policy;

namespace {

int sign(int v) { return (v > 0) - (v < 0); }

}  // namespace

TEST_CASE("Debian versions: every published vector of dpkg and apt compares as upstream says") {
  std::ifstream in(MAMORI_VERSION_VECTORS);
  REQUIRE(in);
  int checked = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line.front() == '#') continue;
    std::istringstream fields(line);
    std::string a, b;
    int expected = 0;
    REQUIRE(static_cast<bool>(fields >> a >> b >> expected));
    CAPTURE(line);
    const auto order = compareDebianVersions(a, b);
    REQUIRE(order.has_value());
    CHECK(sign(*order) == expected);
    ++checked;
  }
  CHECK(checked >= 100);
}

TEST_CASE("Debian versions: the parts dpkg splits") {
  const auto v = parseDebianVersion("1:2.30-1+deb12u1");
  REQUIRE(v);
  CHECK(v->epoch == 1);
  CHECK(v->upstream == "2.30");
  CHECK(v->revision == "1+deb12u1");
  // The last hyphen separates the revision; earlier ones belong to the upstream version.
  const auto w = parseDebianVersion("1.0-beta-2");
  REQUIRE(w);
  CHECK(w->upstream == "1.0-beta");
  CHECK(w->revision == "2");
}

TEST_CASE("Debian versions: tilde sorts before everything, even the end") {
  CHECK(*compareDebianVersions("1.0~rc1", "1.0") < 0);
  CHECK(*compareDebianVersions("3.0.11-1~deb12u2", "3.0.11-1") < 0);
  CHECK(*compareDebianVersions("3.0.15-1~deb12u1", "3.0.11-1~deb12u2") > 0);
  CHECK(*compareDebianVersions("1.0.10", "1.0.9") > 0);
  CHECK(*compareDebianVersions("101.24092.0002", "101.23062.0010") > 0);
}

TEST_CASE("Debian versions: what dpkg rejects is rejected with dpkg's reason") {
  const auto reason = [](std::string_view text) { return parseDebianVersion(text).error(); };
  CHECK(reason("") == "version string is empty");
  CHECK(reason("1.0 2") == "version string has embedded spaces");
  CHECK(reason(":1.0") == "epoch in version is empty");
  CHECK(reason("a:1.0") == "epoch in version is not number");
  CHECK(reason("99999999999:1.0") == "epoch in version is too big");
  CHECK(reason("1.0-") == "revision number is empty");
  CHECK(reason("-1") == "version number is empty");
  CHECK(parseDebianVersion(" 1.0 ").has_value());  // surrounding blanks are allowed
}

TEST_CASE("Debian versions: strict parsing also rejects what dpkg only warns about") {
  CHECK(parseDebianVersion("abc", VersionStrictness::kDpkg).has_value());
  CHECK(parseDebianVersion("abc", VersionStrictness::kStrict).error() ==
        "version number does not start with digit");
  CHECK(parseDebianVersion("1.0_1", VersionStrictness::kStrict).error() ==
        "invalid character in version number");
  CHECK(parseDebianVersion("1.0-a_b", VersionStrictness::kStrict).error() ==
        "invalid character in revision number");
  CHECK(compareDebianVersions("1.0", "1.0-").error() == "\"1.0-\": revision number is empty");
}
