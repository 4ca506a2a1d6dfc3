// The Windows service's settings as the MSI writes them, and the enrollment token taken out of
// the registry into a file only SYSTEM and Administrators may open.

#include "agent_settings.hpp"

#include <aclapi.h>
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "registry.hpp"
#include "registry_writer.hpp"
#include "state_files.hpp"

namespace mamori::agent::windows {
namespace {

using testing::RegistryValues;

constexpr const char* kKey = R"(SOFTWARE\mamori-test\Agent)";
constexpr const char* kEnrollment = R"(SOFTWARE\mamori-test\Agent\Enrollment)";

TEST_CASE("service settings: the values the MSI writes") {
  RegistryValues values(HKEY_LOCAL_MACHINE, kKey);
  values.setString("CollectorUrl", "https://collector.example.lg.jp:8443");
  values.setString("CollectorCa", R"(\\fileserver\mamori\collector-ca.crt)");
  values.setString("Segment", "mynumber");
  values.setString("PolicyFile", R"(C:\ProgramData\mamori\ポリシー.json)");
  values.setDword("IntervalSeconds", 900);
  const auto s = readAgentSettings(kKey);
  REQUIRE_MESSAGE(s, s.error());
  CHECK(s->collector_url == "https://collector.example.lg.jp:8443");
  CHECK(s->collector_ca->wstring() == LR"(\\fileserver\mamori\collector-ca.crt)");
  CHECK(s->segment == policy::Segment::kMynumber);
  CHECK(s->policy_file->wstring() == L"C:\\ProgramData\\mamori\\ポリシー.json");
  CHECK(s->interval == std::chrono::seconds{900});
}

TEST_CASE("service settings: absent key gives the defaults, a wrong value an error naming it") {
  const auto defaults = readAgentSettings(R"(SOFTWARE\mamori-test\not-installed)");
  REQUIRE(defaults);
  CHECK(defaults->collector_url.empty());
  CHECK_FALSE(defaults->collector_ca);
  CHECK_FALSE(defaults->segment);
  CHECK(defaults->interval == std::chrono::hours{1});

  RegistryValues values(HKEY_LOCAL_MACHINE, kKey);
  values.setString("Segment", "guest");
  CHECK(readAgentSettings(kKey).error() ==
        R"(Segment "guest" is not a segment (mynumber, lgwan, internet))");
  values.setString("Segment", "lgwan");
  values.setDword("IntervalSeconds", 5);
  CHECK(readAgentSettings(kKey).error() == "IntervalSeconds 5 is out of range (60 to 86400)");
}

TEST_CASE("enrollment token: moved into the state folder, gone from the registry") {
  const auto dir = std::filesystem::temp_directory_path() / "mamori-token-test";
  std::filesystem::remove_all(dir);
  {
    RegistryValues values(HKEY_LOCAL_MACHINE, kEnrollment);
    values.setString("EnrollToken", "tok-7f3a9c");
    const auto taken = takeEnrollmentToken(dir, kEnrollment);
    REQUIRE_MESSAGE(taken, taken.error());
    CHECK(*taken);
    auto key = platform::windows::RegistryKey::open(HKEY_LOCAL_MACHINE, kEnrollment);
    REQUIRE(key);
    CHECK_FALSE(key->has("EnrollToken"));
  }
  {
    std::ifstream in(dir / "enroll-token", std::ios::binary);
    std::stringstream content;
    content << in.rdbuf();
    CHECK(content.str() == "tok-7f3a9c");
  }
  // No token given: nothing taken, nothing written.
  CHECK(takeEnrollmentToken(dir, kEnrollment) == false);
  std::filesystem::remove_all(dir);
}

// wine keeps no ACLs on files, so what the DACLs become is not seen here (README "Windows");
// that the takeover runs through, and that a planted temporary is not written through, is.
TEST_CASE("state folder: one someone else made is taken over, its files too") {
  const auto dir = std::filesystem::temp_directory_path() / "mamori-state-takeover";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);  // made before mamori, with inherited rights
  std::ofstream(dir / "server-ca.crt") << "planted";
  const auto taken = createStateDirectory(dir);
  CHECK_MESSAGE(taken, (taken ? "" : taken.error()));
  std::ofstream(dir / "enrollment.json.new") << "planted, and kept open by nobody";
  REQUIRE(writeStateFile(dir / "enrollment.json", "{}"));
  CHECK(readStateFile(dir / "enrollment.json") == "{}");
  CHECK_FALSE(std::filesystem::exists(dir / "enrollment.json.new"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace mamori::agent::windows
