// WMI through COM under wine: wine implements root\cimv2's Win32_OperatingSystem, so the reader
// runs for real; the Security Center and Defender namespaces do not exist there, which is the
// failure path a Windows Server (no Security Center) takes.

#include <doctest/doctest.h>

#include "com.hpp"
#include "registry.hpp"
#include "system_readers.hpp"
#include "wmi.hpp"

namespace mamori::platform::windows {
namespace {

TEST_CASE("WMI: Win32_OperatingSystem's build matches the registry's") {
  const ComApartment apartment;
  const auto rows =
      wmiQuery(R"(root\cimv2)", "SELECT BuildNumber, Caption FROM Win32_OperatingSystem");
  REQUIRE_MESSAGE(rows, rows.error());
  REQUIRE(rows->size() == 1);
  const auto build = rows->front().string("BuildNumber");
  REQUIRE(build);
  auto key = RegistryKey::open(HKEY_LOCAL_MACHINE, kCurrentVersionKey);
  REQUIRE(key);
  CHECK(*build == key->string("CurrentBuildNumber"));
  CHECK(rows->front().string("Caption").value_or("").starts_with("Microsoft Windows"));
}

TEST_CASE("WMI: a namespace that does not exist is an error naming it, not an empty answer") {
  const ComApartment apartment;
  const auto rows = wmiQuery(R"(root\mamori-no-such-namespace)", "SELECT * FROM Anything");
  REQUIRE_FALSE(rows);
  CHECK(
      rows.error().starts_with(R"(WMI root\mamori-no-such-namespace "SELECT * FROM Anything": )"));
  CHECK(rows.error().find("0x8004") != std::string::npos);
}

}  // namespace
}  // namespace mamori::platform::windows
