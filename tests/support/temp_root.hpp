#pragma once

#include <chrono>
#include <filesystem>
#include <initializer_list>
#include <string>
#include <string_view>

namespace mamori::testing {

/// tests/fixtures in the source tree.
std::filesystem::path fixturesDir();

/// The content of a file below tests/fixtures (`mdatp/health-101.23062.json`); throws when
/// missing, which fails the test that asked.
std::string readFixture(std::string_view relative);

/// A private temporary directory holding a fake system root, removed when destroyed.
/// Built from fixture layers (`hosts/debian12`, then `overlays/clamav-stale`, ...): later layers
/// add or replace files of earlier ones, so each scenario states only what differs.
class TempRoot {
 public:
  explicit TempRoot(std::initializer_list<std::string_view> layers = {});
  TempRoot(const TempRoot&) = delete;
  TempRoot& operator=(const TempRoot&) = delete;
  ~TempRoot();

  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

  /// Writes `content` to `relative` (`/etc/hostname`), creating directories.
  void write(std::string_view relative, std::string_view content) const;
  /// Removes a file or a whole directory.
  void remove(std::string_view relative) const;
  /// Dates `relative` `ahead` into the future, so it is newer than anything the test writes
  /// (dconf reads a compiled database only when it is newer than its keyfiles).
  void postdate(std::string_view relative,
                std::chrono::minutes ahead = std::chrono::minutes(1)) const;

 private:
  std::filesystem::path path_;
};

}  // namespace mamori::testing
