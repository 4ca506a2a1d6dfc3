// Packages, OS and identity as the Linux probe reads them from fixture trees (PATCH-1, SW-1).

#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "fake_command_runner.hpp"
#include "mamori/platform/posture_probe.hpp"
#include "mamori/policy/time.hpp"
#include "temp_root.hpp"

namespace mamori::platform {
namespace {

using testing::TempRoot;

policy::PostureFacts collect(const TempRoot& root) {
  auto probe = makePostureProbe({root.path(), std::make_unique<fake::FakeCommandRunner>()});
  return probe->collect(*policy::parseTimestamp("2026-11-22T09:00:00Z"));
}

std::string at(const policy::Observed<policy::TimePoint>& t) {
  return t.known() ? policy::formatTimestamp(t.value()) : "unknown: " + t.reason();
}

TEST_CASE("SW-1: the installed packages of a Debian 12 PC come from the dpkg database") {
  const TempRoot root{"hosts/debian12"};
  const auto facts = collect(root);
  REQUIRE_MESSAGE(facts.packages.known(), facts.packages.reason());
  const auto& inventory = facts.packages.value();
  CHECK(inventory.manager == "dpkg");
  // 30 stanzas: one removed (config-files) and one half-installed are not installed.
  CHECK(inventory.packages.size() == 28);
  CHECK(inventory.find("cups-browsed").empty());
  CHECK(inventory.find("fonts-noto-cjk").empty());
}

TEST_CASE("PATCH-1: package versions are reported as dpkg has them") {
  const TempRoot root{"hosts/debian12"};
  const auto facts = collect(root);
  REQUIRE_MESSAGE(facts.packages.known(), facts.packages.reason());
  const auto openssl = facts.packages->find("openssl");
  REQUIRE(openssl.size() == 1);
  CHECK(openssl[0].version == "3.0.11-1~deb12u2");
  CHECK(openssl[0].architecture == "amd64");
  const auto ssh = facts.packages->find("openssh-server");
  REQUIRE(ssh.size() == 1);
  CHECK(ssh[0].version == "1:9.2p1-2+deb12u3");
}

TEST_CASE("PATCH-1: a multiarch library installed for two architectures is listed twice") {
  const TempRoot root{"hosts/debian12"};
  const auto facts = collect(root);
  REQUIRE_MESSAGE(facts.packages.known(), facts.packages.reason());
  const auto libc = facts.packages->find("libc6");
  REQUIRE(libc.size() == 2);
  CHECK(libc[0].architecture == "amd64");
  CHECK(libc[1].architecture == "i386");
  CHECK(libc[0].version == "2.36-9+deb12u9");
  CHECK(libc[1].version == "2.36-9+deb12u9");
}

TEST_CASE("PATCH-1: the last package change is the newest of dpkg.log and apt's history") {
  const TempRoot root{"hosts/debian12"};
  const auto facts = collect(root);
  REQUIRE_MESSAGE(facts.packages.known(), facts.packages.reason());
  // dpkg -i of mamori-agent at 10:30:15 came after apt's last run (End-Date 08:12:08);
  // the later `startup` and `status` lines of 18 Nov are not changes.
  CHECK(at(facts.packages->last_change) == "2026-11-10T10:30:15Z");
}

TEST_CASE("PATCH-1: with dpkg.log rotated away, the last change comes from apt's history") {
  const TempRoot root{"hosts/debian12"};
  root.remove("/var/log/dpkg.log");
  const auto facts = collect(root);
  REQUIRE_MESSAGE(facts.packages.known(), facts.packages.reason());
  CHECK(at(facts.packages->last_change) == "2026-11-10T08:12:08Z");
}

TEST_CASE("PATCH-1: a freshly rotated dpkg.log is backed by dpkg.log.1") {
  const TempRoot root{"hosts/debian12"};
  root.remove("/var/log/apt");
  root.write("/var/log/dpkg.log.1", "2026-11-12 07:00:01 upgrade tzdata:all 2024a 2024b\n");
  root.write("/var/log/dpkg.log", "2026-11-19 00:00:01 startup packages configure\n");
  const auto facts = collect(root);
  REQUIRE_MESSAGE(facts.packages.known(), facts.packages.reason());
  CHECK(at(facts.packages->last_change) == "2026-11-12T07:00:01Z");
}

TEST_CASE("PATCH-1: with no package log at all, the last change is unknown with the reason") {
  const TempRoot root{"hosts/debian12"};
  root.remove("/var/log/dpkg.log");
  root.remove("/var/log/apt");
  const auto facts = collect(root);
  REQUIRE_MESSAGE(facts.packages.known(), facts.packages.reason());
  CHECK(facts.packages->packages.size() == 28);
  REQUIRE_FALSE(facts.packages->last_change.known());
  CHECK(facts.packages->last_change.reason().find("dpkg.log") != std::string::npos);
}

TEST_CASE("SW-1: without a dpkg database the package inventory is unknown, not empty") {
  const TempRoot root{"hosts/debian12"};
  root.remove("/var/lib/dpkg/status");
  const auto facts = collect(root);
  REQUIRE_FALSE(facts.packages.known());
  CHECK(facts.packages.reason().find("/var/lib/dpkg/status") != std::string::npos);
}

TEST_CASE("PATCH-2: the OS comes from /etc/os-release") {
  const TempRoot root{"hosts/debian12"};
  const auto facts = collect(root);
  REQUIRE_MESSAGE(facts.os.known(), facts.os.reason());
  CHECK(facts.os->id == "debian");
  CHECK(facts.os->version_id == "12");
  CHECK(facts.os->version_codename == "bookworm");
  CHECK(facts.os->pretty_name == "Debian GNU/Linux 12 (bookworm)");
}

TEST_CASE("PATCH-2: /usr/lib/os-release stands in when /etc/os-release is missing") {
  const TempRoot root{"hosts/debian12"};
  root.remove("/etc/os-release");
  root.write("/usr/lib/os-release", "ID=debian\nVERSION_ID=\"12\"\n");
  const auto facts = collect(root);
  REQUIRE_MESSAGE(facts.os.known(), facts.os.reason());
  CHECK(facts.os->version_id == "12");
}

TEST_CASE("PATCH-2: without any os-release the OS is unknown with the reason") {
  const TempRoot root{"hosts/debian12"};
  root.remove("/etc/os-release");
  const auto facts = collect(root);
  REQUIRE_FALSE(facts.os.known());
  CHECK(facts.os.reason().find("os-release") != std::string::npos);

  root.write("/etc/os-release", "NAME=\"Something\"\n");
  const auto without_id = collect(root);
  REQUIRE_FALSE(without_id.os.known());
  CHECK(without_id.os.reason().find("ID") != std::string::npos);
}

TEST_CASE("NET-1: the PC is identified by its host name and machine id") {
  const TempRoot root{"hosts/debian12"};
  const auto facts = collect(root);
  CHECK(facts.device.hostname == "soumu-pc-014");
  CHECK(facts.device.machine_id == "3f9c2a7e5d1b48c6a0e4f7b2c9d81a5e");
  CHECK(facts.collected_at == *policy::parseTimestamp("2026-11-22T09:00:00Z"));

  const TempRoot bare{"hosts/debian12-bare"};
  CHECK(collect(bare).device.hostname == "kikaku-pc-003");
}

TEST_CASE("SW-1: the bare PC's small dpkg database is read the same way") {
  const TempRoot root{"hosts/debian12-bare"};
  const auto facts = collect(root);
  REQUIRE_MESSAGE(facts.packages.known(), facts.packages.reason());
  CHECK(facts.packages->packages.size() == 8);
  CHECK(facts.packages->find("clamav").empty());
  CHECK(at(facts.packages->last_change) == "2026-10-28T16:03:41Z");
}

}  // namespace
}  // namespace mamori::platform
