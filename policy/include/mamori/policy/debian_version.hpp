#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

namespace mamori::policy {

/// `[epoch:]upstream[-revision]`, as dpkg splits it.
struct DebianVersion {
  std::uint32_t epoch = 0;
  std::string upstream;
  std::string revision;
};

enum class VersionStrictness {
  kDpkg,    ///< accept what dpkg accepts (it only warns about odd characters)
  kStrict,  ///< also reject what dpkg warns about: for versions an administrator types
};

/// Parses a version exactly as dpkg's parseversion() does; the error is dpkg's reason.
std::expected<DebianVersion, std::string> parseDebianVersion(
    std::string_view text, VersionStrictness strictness = VersionStrictness::kDpkg);

/// <0, 0, >0 like dpkg_version_compare(). Also orders plain dotted versions (`1.0.10` > `1.0.9`),
/// which is why engine and OS build numbers are compared with it too.
int compareDebianVersions(const DebianVersion& a, const DebianVersion& b);

/// Parses both (dpkg rules) and compares; the error names the version that does not parse.
std::expected<int, std::string> compareDebianVersions(std::string_view a, std::string_view b);

}  // namespace mamori::policy
