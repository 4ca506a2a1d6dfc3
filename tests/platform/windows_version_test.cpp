// The Windows version from the registry's CurrentVersion values (PATCH-1, PATCH-2).

#include "mamori/platform/windows_version.hpp"

#include <doctest/doctest.h>

namespace mamori::platform {
namespace {

WindowsVersionValues windows10Pro() {
  WindowsVersionValues v;
  v.major = 10;
  v.minor = 0;
  v.current_version = "6.3";
  v.build = "19045";
  v.ubr = 6456;
  v.display_version = "22H2";
  v.release_id = "2009";
  v.product_name = "Windows 10 Pro";
  v.edition_id = "Professional";
  return v;
}

TEST_CASE("PATCH-2: Windows 10 22H2: release, full build, edition and a readable name") {
  const auto os = windowsOsRelease(windows10Pro());
  REQUIRE(os);
  CHECK(os->id == "windows");
  CHECK(os->version_id == "10.0.19045");
  CHECK(os->build == "10.0.19045.6456");
  CHECK(os->edition == "Professional");
  CHECK(os->version_codename == "22H2");
  CHECK(os->pretty_name == "Windows 10 Pro 22H2 (10.0.19045.6456)");
}

TEST_CASE("PATCH-2: Windows 11 still says Windows 10 in ProductName: the build tells") {
  auto v = windows10Pro();
  v.build = "26100";
  v.ubr = 7171;
  v.display_version = "24H2";
  v.product_name = "Windows 10 Enterprise";
  v.edition_id = "Enterprise";
  const auto os = windowsOsRelease(v);
  REQUIRE(os);
  CHECK(os->pretty_name == "Windows 11 Enterprise 24H2 (10.0.26100.7171)");
}

TEST_CASE(
    "PATCH-2: before DisplayVersion, ReleaseId names the release, before 10, CurrentVersion") {
  auto v = windows10Pro();
  v.display_version.clear();
  v.release_id = "1809";
  v.build = "17763";
  CHECK(windowsOsRelease(v)->version_codename == "1809");

  WindowsVersionValues seven;
  seven.current_version = "6.1";
  seven.build = "7601";
  seven.product_name = "Windows 7 Professional";
  const auto os = windowsOsRelease(seven);
  REQUIRE(os);
  CHECK(os->version_id == "6.1.7601");
  CHECK(os->build == "6.1.7601.0");
}

TEST_CASE("PATCH-2: a build number that is not a number is an error, not a guess") {
  auto v = windows10Pro();
  v.build = "19045a";
  CHECK(windowsOsRelease(v).error() == "CurrentBuildNumber \"19045a\" is not a number");
  v.build = "19045";
  v.major.reset();
  v.current_version = "";
  CHECK(windowsOsRelease(v).error() == "no Windows major or minor version");
}

}  // namespace
}  // namespace mamori::platform
