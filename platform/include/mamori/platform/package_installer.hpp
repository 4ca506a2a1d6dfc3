#pragma once

// Installing the agent's own package (issue 9, self-update): the OS boundary. The agent decides
// what to install from signed metadata; this installs it in a way that survives the agent being
// stopped by the install itself, and arms a restore of the previous package that runs by itself
// unless the new agent disarms it in time. On Debian: dpkg, in transient systemd units (not in
// the agent's cgroup or sandbox). Tests use platform/fake's.

#include <chrono>
#include <expected>
#include <filesystem>
#include <memory>
#include <string>

#include "mamori/platform/command_runner.hpp"

namespace mamori::platform {

/// What a package file declares itself to be (its control fields on Debian).
struct PackageIdentity {
  std::string name;
  std::string version;
  std::string architecture;  ///< the package manager's (`amd64`)
  std::string platform;      ///< the repository's folder for it (`debian-amd64`)
};

/// The restore armed by `install`, when asked to disarm it.
enum class RestoreState {
  kDisarmed,  ///< it was waiting, and now will not run
  kRunning,   ///< its time came: it runs or has run, and cannot be stopped safely
  kNotArmed,  ///< there is none (never armed, or lost with a reboot)
};

class PackageInstaller {
 public:
  virtual ~PackageInstaller() = default;

  /// The agent's package name (`mamori-agent`).
  [[nodiscard]] virtual std::string packageName() const = 0;
  /// This PC's folder of agent packages in the repository: `debian-amd64`.
  [[nodiscard]] virtual std::string platformName() const = 0;
  /// The fully installed version of the agent's package; the error says what else it is.
  virtual std::expected<std::string, std::string> installedVersion() = 0;
  /// What `file` declares itself to be.
  virtual std::expected<PackageIdentity, std::string> identify(
      const std::filesystem::path& file) = 0;
  /// Arms the restore first: after `deadline`, unless disarmed, `previous` is installed again.
  /// Then starts installing `next`. Both run outside the agent's service, so they go on when
  /// the install restarts the agent; this returns once both are started.
  virtual std::expected<void, std::string> install(const std::filesystem::path& next,
                                                   const std::filesystem::path& previous,
                                                   std::chrono::seconds deadline) = 0;
  /// Whether the install `install` started still runs.
  virtual bool installing() = 0;
  virtual RestoreState disarmRestore() = 0;
};

/// What the Debian package `file` declares (`dpkg-deb --field`).
std::expected<PackageIdentity, std::string> identifyDebianPackage(
    CommandRunner& commands, const std::filesystem::path& file);

/// The package manager of this PC when the agent can update itself here (Linux: dpkg, with
/// systemd as PID 1, the agent installed as the package `mamori-agent`); the error says why not.
std::expected<std::unique_ptr<PackageInstaller>, std::string> makePackageInstaller();

}  // namespace mamori::platform
