#pragma once

#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "mamori/platform/package_installer.hpp"

namespace mamori::platform::fake {

/// A package system in memory, for unit tests of the agent's self-update. A package file is
/// identified by its content (`packages`), wherever it was moved; `install` is recorded, and the
/// test plays what happens next: the install finishing, the restore firing, a reboot losing it.
class FakePackageInstaller final : public PackageInstaller {
 public:
  std::string installed = "1.0.0-1";
  std::map<std::string, PackageIdentity> packages;  ///< by file content
  std::filesystem::path next, previous;
  std::chrono::seconds deadline{0};
  int installs = 0;
  std::string refuse_install;  ///< when not empty, `install` fails with it

  [[nodiscard]] std::string packageName() const override { return "mamori-agent"; }
  [[nodiscard]] std::string platformName() const override { return "debian-amd64"; }
  std::expected<std::string, std::string> installedVersion() override { return installed; }
  std::expected<PackageIdentity, std::string> identify(const std::filesystem::path& file) override {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    const auto it = packages.find(content.str());
    if (!in || it == packages.end()) {
      return std::unexpected(file.string() + " is not a Debian package");
    }
    return it->second;
  }
  std::expected<void, std::string> install(const std::filesystem::path& n,
                                           const std::filesystem::path& p,
                                           std::chrono::seconds d) override {
    if (!refuse_install.empty()) return std::unexpected(refuse_install);
    next = n, previous = p, deadline = d;
    ++installs;
    installing_ = armed_ = true;
    fired_ = false;
    return {};
  }
  bool installing() override { return installing_; }
  RestoreState disarmRestore() override {
    if (fired_) return RestoreState::kRunning;
    if (!armed_) return RestoreState::kNotArmed;
    armed_ = false;
    return RestoreState::kDisarmed;
  }

  /// The install ends: with the new version in place, or (failed) with the old one.
  void finishInstall(bool succeeded) {
    installing_ = false;
    if (succeeded) installed = identify(next).value().version;
  }
  /// A reboot loses the transient restore timer.
  void reboot() { armed_ = false; }
  /// The deadline passes undisarmed: the previous version is back.
  void fireRestore() {
    armed_ = false;
    fired_ = true;
    installed = identify(previous).value().version;
  }
  [[nodiscard]] bool armed() const { return armed_; }

 private:
  bool installing_ = false;
  bool armed_ = false;
  bool fired_ = false;
};

}  // namespace mamori::platform::fake
