// The registry readers against wine's registry: the test writes the values a Windows PC would
// hold, reads them through the production entry points, and judges them with the policy.

#include <doctest/doctest.h>

#include <algorithm>

#include "facts_builder.hpp"
#include "mamori/policy/evaluate.hpp"
#include "registry.hpp"
#include "registry_writer.hpp"
#include "system_readers.hpp"

namespace mamori::platform::windows {
namespace {

using testing::RegistryValues;

constexpr const char* kScratch = R"(Software\mamori-test\registry-key)";

TEST_CASE("registry: strings, expandable strings and DWORDs, absent and mistyped values") {
  RegistryValues values(HKEY_CURRENT_USER, kScratch);
  values.setString("Name", "総務課 端末 12");
  values.setString("Path", "%SystemRoot%\\system32", REG_EXPAND_SZ);
  values.setDword("Count", 42);

  auto key = RegistryKey::open(HKEY_CURRENT_USER, kScratch);
  REQUIRE(key);
  CHECK(key->string("Name") == "総務課 端末 12");
  CHECK(key->string("Path") == "%SystemRoot%\\system32");  // not expanded
  CHECK(key->dword("Count") == 42u);
  CHECK_FALSE(key->string("Count"));  // a DWORD is not a string
  CHECK_FALSE(key->dword("Name"));
  CHECK_FALSE(key->string("Missing"));
  CHECK(key->has("Name"));
  CHECK_FALSE(key->has("Missing"));
  auto names = key->valueNames();
  std::ranges::sort(names);
  CHECK(names == std::vector<std::string>{"Count", "Name", "Path"});
}

TEST_CASE("registry: a key that does not exist is an error naming it") {
  const auto key = RegistryKey::open(HKEY_LOCAL_MACHINE, R"(SOFTWARE\mamori-test\no-such-key)");
  REQUIRE_FALSE(key);
  CHECK(key.error() == R"(HKLM\SOFTWARE\mamori-test\no-such-key does not exist)");
}

TEST_CASE("PATCH-2: the OS from HKLM CurrentVersion: a Windows 10 22H2 PC, past its support") {
  RegistryValues values(HKEY_LOCAL_MACHINE, std::string(kCurrentVersionKey));
  values.setDword("CurrentMajorVersionNumber", 10);
  values.setDword("CurrentMinorVersionNumber", 0);
  values.setString("CurrentBuildNumber", "19045");
  values.setDword("UBR", 6456);
  values.setString("DisplayVersion", "22H2");
  values.setString("ProductName", "Windows 10 Pro");
  values.setString("EditionID", "Professional");

  const auto os = readOsRelease();
  REQUIRE(os.known());
  CHECK(os->version_id == "10.0.19045");
  CHECK(os->build == "10.0.19045.6456");
  CHECK(os->pretty_name == "Windows 10 Pro 22H2 (10.0.19045.6456)");

  auto facts = testing::healthyFacts();
  facts.os = os;
  const auto f = testing::findingOf(facts, "PATCH-2");
  CHECK(f.status == policy::Status::kFail);
  CHECK(f.evidence.en.find("reached end of support on 2025-10-14") != std::string::npos);
}

TEST_CASE("PATCH-2: a CurrentBuildNumber that is not a number makes the OS unknown, with why") {
  RegistryValues values(HKEY_LOCAL_MACHINE, std::string(kCurrentVersionKey));
  values.setString("CurrentBuildNumber", "unknown");
  const auto os = readOsRelease();
  REQUIRE_FALSE(os.known());
  CHECK(os.reason() == R"(HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion: )"
                       R"(CurrentBuildNumber "unknown" is not a number)");
}

TEST_CASE("MFA-1, MFA-3: login settings from the registry, auto-logon found, its password unread") {
  RegistryValues winlogon(HKEY_LOCAL_MACHINE,
                          R"(SOFTWARE\Microsoft\Windows NT\CurrentVersion\Winlogon)");
  winlogon.setString("AutoAdminLogon", "1");
  winlogon.setString("DefaultUserName", "madoguchi");
  winlogon.setString("DefaultPassword", "not-for-logs");
  RegistryValues system(HKEY_LOCAL_MACHINE,
                        R"(SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\System)");
  system.setDword("scforceoption", 1);
  system.setDword("InactivityTimeoutSecs", 600);
  system.setString(
      "ExcludedCredentialProviders",
      "{60b78e88-ead8-445c-9cfd-0b87f74ea6cd}, {cb82ea12-9f71-446d-89e1-8d0924e1256e}");

  const auto login = readWindowsLogin();
  CHECK(login.auto_admin_logon == "1");
  CHECK(login.default_user_name == "madoguchi");
  CHECK(login.default_password_present);
  CHECK(login.smart_card_required == 1u);
  CHECK(login.inactivity_timeout_seconds == 600u);
  CHECK(login.excluded_credential_providers ==
        std::vector<std::string>{"{60b78e88-ead8-445c-9cfd-0b87f74ea6cd}",
                                 "{cb82ea12-9f71-446d-89e1-8d0924e1256e}"});

  auto facts = testing::healthyFacts();
  policy::LoginFacts facts_login;
  facts_login.windows_login = login;
  facts.login = facts_login;
  const auto f = testing::findingOf(facts, "MFA-3");
  CHECK(f.status == policy::Status::kFail);
  CHECK(f.evidence.en.find("not-for-logs") == std::string::npos);
}

TEST_CASE("identity: MachineGuid from the registry, in lower case") {
  RegistryValues values(HKEY_LOCAL_MACHINE, R"(SOFTWARE\Microsoft\Cryptography)");
  values.setString("MachineGuid", "6F1C2A3B-0D4E-4F5A-8B9C-0123456789AB");
  const auto identity = readIdentity();
  CHECK(identity.machine_id == "6f1c2a3b-0d4e-4f5a-8b9c-0123456789ab");
  CHECK_FALSE(identity.hostname.empty());
}

}  // namespace
}  // namespace mamori::platform::windows
