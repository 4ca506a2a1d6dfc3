// The agent's self-update on Debian: dpkg in transient systemd units. The agent's own unit is
// sandboxed (ProtectSystem=strict) and dpkg's maintainer scripts restart it, which would kill a
// dpkg run as its child: so the install runs as `mamori-agent-update.service` and the restore as
// `mamori-agent-restore.timer`/`.service`, started by PID 1 through systemd-run.
//
// Limitation: the restore timer is transient (monotonic, in PID 1's memory). A reboot between
// the install and the deadline loses it; the new agent then confirms itself on its first report.

#include <sys/stat.h>

#include "mamori/platform/command_runner.hpp"
#include "mamori/platform/package_installer.hpp"

namespace mamori::platform {
namespace {

using namespace std::chrono_literals;

constexpr const char* kDpkg = "/usr/bin/dpkg";
constexpr const char* kDpkgQuery = "/usr/bin/dpkg-query";
constexpr const char* kDpkgDeb = "/usr/bin/dpkg-deb";
constexpr const char* kSystemctl = "/usr/bin/systemctl";
constexpr const char* kSystemdRun = "/usr/bin/systemd-run";
constexpr const char* kPackage = "mamori-agent";
constexpr const char* kUpdateUnit = "mamori-agent-update";
constexpr const char* kRestoreUnit = "mamori-agent-restore";

// Keeps the configuration files the admin changed (no prompt: nobody is there to answer).
constexpr const char* kDpkgInstall[] = {kDpkg, "--force-confdef", "--force-confold", "-i"};

std::string firstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

// ": <the last line a command printed on stderr>", or nothing: what an admin needs to read.
std::string lastLine(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (text.empty()) return {};
  return ": " + text.substr(text.rfind('\n') + 1);
}

// systemd-run starting a transient unit NAME that PID 1 forgets once it is over, with dpkg
// asking nothing; append the unit's own options, then its command.
std::vector<std::string> transientUnit(const char* name, const std::string& description) {
  return {kSystemdRun, "--unit=" + std::string(name), "--description=mamori agent: " + description,
          "--collect", "--setenv=DEBIAN_FRONTEND=noninteractive"};
}

class DebianPackageInstaller final : public PackageInstaller {
 public:
  DebianPackageInstaller(std::unique_ptr<CommandRunner> commands, std::string architecture)
      : commands_(std::move(commands)), architecture_(std::move(architecture)) {}

  [[nodiscard]] std::string packageName() const override { return kPackage; }
  [[nodiscard]] std::string platformName() const override { return "debian-" + architecture_; }

  std::expected<std::string, std::string> installedVersion() override {
    auto r = run({kDpkgQuery, "--show", "--showformat=${Status}\t${Version}", kPackage});
    if (!r) return std::unexpected(r.error());
    const auto tab = r->output.find('\t');
    if (r->exit_code != 0 || tab == std::string::npos) {
      return std::unexpected(std::string(kPackage) + " is not installed as a package");
    }
    const auto status = r->output.substr(0, tab);
    if (status != "install ok installed") {
      return std::unexpected(std::string(kPackage) + " is " + status);
    }
    return r->output.substr(tab + 1);
  }

  std::expected<PackageIdentity, std::string> identify(const std::filesystem::path& file) override {
    return identifyDebianPackage(*commands_, file);
  }

  std::expected<void, std::string> install(const std::filesystem::path& next,
                                           const std::filesystem::path& previous,
                                           std::chrono::seconds deadline) override {
    // Units of an earlier update that failed stay loaded, and their names would be taken.
    (void)run({kSystemctl, "reset-failed", std::string(kUpdateUnit) + ".service",
               std::string(kRestoreUnit) + ".service", std::string(kRestoreUnit) + ".timer"});
    (void)run({kSystemctl, "stop", std::string(kRestoreUnit) + ".timer"});
    // The restore clears a start limit the broken version may have hit, then installs the
    // previous package, whose postinst starts the agent again. No shell: systemd 252 does not
    // keep a `;` in a transient unit's command line intact.
    auto restore =
        transientUnit(kRestoreUnit, "restore the previous version unless the new one is healthy");
    restore.insert(
        restore.end(),
        {"--on-active=" + std::to_string(deadline.count()) + "s", "--timer-property=AccuracySec=1s",
         "--property=ExecStartPre=-" + std::string(kSystemctl) + " reset-failed " + kPackage +
             ".service",
         // dpkg's lock may be held (apt at work): the restore tries again until it is done.
         "--property=Restart=on-failure", "--property=RestartSec=20s"});
    restore.insert(restore.end(), std::begin(kDpkgInstall), std::end(kDpkgInstall));
    restore.push_back(previous.string());
    if (auto armed = runOk(restore); !armed)
      return std::unexpected("arming the restore: " + armed.error());
    auto update = transientUnit(kUpdateUnit, "install a new version");
    update.insert(update.end(), std::begin(kDpkgInstall), std::end(kDpkgInstall));
    update.push_back(next.string());
    if (auto started = runOk(update); !started) {
      (void)disarmRestore();
      return std::unexpected("starting the install: " + started.error());
    }
    return {};
  }

  bool installing() override {
    const auto state = property(std::string(kUpdateUnit) + ".service", "ActiveState");
    return state == "active" || state == "activating" || state == "deactivating" ||
           state == "reloading";
  }

  RestoreState disarmRestore() override {
    const auto timer = std::string(kRestoreUnit) + ".timer";
    const auto state = property(timer, "SubState");
    if (state == "waiting") {
      if (runOk({kSystemctl, "stop", timer})) return RestoreState::kDisarmed;
      return RestoreState::kRunning;
    }
    if (state == "running" || state == "elapsed") return RestoreState::kRunning;
    const auto service = property(std::string(kRestoreUnit) + ".service", "ActiveState");
    return service == "active" || service == "activating" ? RestoreState::kRunning
                                                          : RestoreState::kNotArmed;
  }

 private:
  std::expected<CommandResult, std::string> run(const std::vector<std::string>& argv) {
    return commands_->run(argv, 30s);
  }
  std::expected<void, std::string> runOk(const std::vector<std::string>& argv) {
    auto r = run(argv);
    if (!r) return std::unexpected(r.error());
    if (r->exit_code != 0) {
      return std::unexpected(argv.front() + " exited with " + std::to_string(r->exit_code) +
                             lastLine(r->errors));
    }
    return {};
  }
  std::string property(const std::string& unit, const std::string& name) {
    auto r = run({kSystemctl, "show", "--property=" + name, "--value", unit});
    return r && r->exit_code == 0 ? firstLine(r->output) : std::string();
  }

  std::unique_ptr<CommandRunner> commands_;
  std::string architecture_;
};

bool exists(const char* path) {
  struct stat st {};
  return ::stat(path, &st) == 0;
}

}  // namespace

std::expected<PackageIdentity, std::string> identifyDebianPackage(
    CommandRunner& commands, const std::filesystem::path& file) {
  auto r =
      commands.run({kDpkgDeb, "--field", file.string(), "Package", "Version", "Architecture"}, 30s);
  if (!r) return std::unexpected(r.error());
  if (r->exit_code != 0) {
    return std::unexpected(file.string() + " is not a Debian package" + lastLine(r->errors));
  }
  PackageIdentity identity;
  std::size_t pos = 0;
  while (pos < r->output.size()) {
    const auto end = std::min(r->output.find('\n', pos), r->output.size());
    const std::string line = r->output.substr(pos, end - pos);
    pos = end + 1;
    const auto colon = line.find(": ");
    if (colon == std::string::npos) continue;
    const auto field = line.substr(0, colon), value = line.substr(colon + 2);
    if (field == "Package") identity.name = value;
    if (field == "Version") identity.version = value;
    if (field == "Architecture") identity.architecture = value;
  }
  if (identity.name.empty() || identity.version.empty() || identity.architecture.empty()) {
    return std::unexpected(file.string() + ": no Package, Version or Architecture field");
  }
  identity.platform = "debian-" + identity.architecture;
  return identity;
}

std::expected<std::unique_ptr<PackageInstaller>, std::string> makePackageInstaller() {
  if (!exists("/run/systemd/system")) return std::unexpected("systemd is not running");
  for (const char* tool : {kDpkg, kDpkgQuery, kDpkgDeb, kSystemctl, kSystemdRun}) {
    if (!exists(tool)) return std::unexpected(std::string(tool) + " is missing");
  }
  auto commands = makeSystemCommandRunner();
  auto arch = commands->run({kDpkg, "--print-architecture"}, 10s);
  if (!arch || arch->exit_code != 0) return std::unexpected("dpkg --print-architecture failed");
  // Known to dpkg in any state: the agent may start while dpkg configures it.
  auto known = commands->run({kDpkgQuery, "--show", kPackage}, 10s);
  if (!known || known->exit_code != 0) {
    return std::unexpected(std::string(kPackage) + " is not installed as a package");
  }
  return std::make_unique<DebianPackageInstaller>(std::move(commands), firstLine(arch->output));
}

}  // namespace mamori::platform
