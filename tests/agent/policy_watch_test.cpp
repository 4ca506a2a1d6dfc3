// A running service follows its policy file (issue 5: "policy changes apply to present devices
// immediately"), and a bad file never replaces the last good policy.

#include "policy_watch.hpp"

#include <doctest/doctest.h>

#include <chrono>

#include "mamori/policy/policy_codec.hpp"
#include "policy_file.hpp"
#include "temp_root.hpp"

namespace mamori::agent {
namespace {

using testing::TempRoot;

std::string policyText(int version, std::string_view mode = "allowlist") {
  return R"({"format": "mamori-policy/1", "version": )" + std::to_string(version) +
         R"(, "common": {"usb": {"mode": ")" + std::string(mode) + R"("}}})";
}

// Rewrites the file with a later modification time, as an editor or a package upgrade does.
void rewrite(const TempRoot& root, std::string_view text, int step) {
  root.write("/policy.json", text);
  std::filesystem::last_write_time(
      root.path() / "policy.json",
      std::filesystem::file_time_type::clock::now() + std::chrono::seconds(step));
}

TEST_CASE("a changed policy file replaces the running policy, and a bad one is refused once") {
  const TempRoot root;
  root.write("/policy.json", policyText(3));
  const auto file = root.path() / "policy.json";
  PolicyWatch watch(file, *loadPolicyFile(file));
  CHECK(watch.poll() == false);

  rewrite(root, policyText(4, "block_all"), 1);
  CHECK(watch.poll() == true);
  CHECK(watch.current().version == 4);
  CHECK(watch.current().profile(policy::Segment::kLgwan).usb.mode == policy::UsbMode::kBlockAll);

  rewrite(root,
          R"({"format": "mamori-policy/1", "version": 5, "common": {"usb": {"mode": "open"}}})", 2);
  const auto refused = watch.poll();
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().file == file.string());
  CHECK(refused.error().field == "$.common.usb.mode");
  CHECK(watch.current().version == 4);
  CHECK(watch.poll() == false);  // said once

  rewrite(root, policyText(2), 3);
  const auto older = watch.poll();
  REQUIRE_FALSE(older.has_value());
  CHECK(older.error().field == "$.version");
  CHECK(watch.current().version == 4);

  root.remove("/policy.json");
  CHECK(watch.poll() == false);  // being replaced: keep running
  CHECK(watch.current().version == 4);
}

TEST_CASE("the built-in policy has no file to watch") {
  PolicyWatch watch(std::nullopt, policy::builtInPolicy());
  CHECK(watch.poll() == false);
}

TEST_CASE("a signed policy is taken only when newer than the running one") {
  PolicyWatch watch(std::nullopt, *policy::parsePolicy(policyText(7)));
  CHECK_FALSE(watch.offer(*policy::parsePolicy(policyText(7))));
  CHECK_FALSE(watch.offer(*policy::parsePolicy(policyText(6))));
  CHECK(watch.current().version == 7);
  CHECK(watch.offer(*policy::parsePolicy(policyText(8, "block_all"))));
  CHECK(watch.current().version == 8);
  CHECK(watch.current().profile(policy::Segment::kLgwan).usb.mode == policy::UsbMode::kBlockAll);
}

}  // namespace
}  // namespace mamori::agent
