// The Linux PostureProbe: composes the readers of this folder over one root directory.

#include "antimalware_probes.hpp"
#include "login_probe.hpp"
#include "mamori/platform/posture_probe.hpp"
#include "process_table.hpp"
#include "system_probes.hpp"
#include "usb_sysfs.hpp"

namespace mamori::platform {
namespace {

class LinuxPostureProbe final : public PostureProbe {
 public:
  explicit LinuxPostureProbe(ProbeOptions options)
      : fs_(options.root),
        commands_(std::move(options.commands)),
        login_services_(std::move(options.login_services)) {
    if (!commands_ && fs_.isLiveSystem()) commands_ = makeSystemCommandRunner();
  }

  policy::PostureFacts collect(policy::TimePoint now) override {
    policy::PostureFacts facts;
    facts.collected_at = now;
    facts.device = linux::readIdentity(fs_);
    facts.os = linux::readOsRelease(fs_);
    facts.usb = linux::readUsbInventory(fs_);
    facts.packages = linux::readPackageInventory(fs_);

    const auto processes = linux::runningProcessNames(fs_);
    const linux::AntiMalwareContext av{fs_, processes, facts.packages, commands_.get()};
    std::vector<policy::AntiMalwareProduct> products;
    for (auto probe : {linux::probeClamAv, linux::probeMdatp}) {
      if (auto product = probe(av)) products.push_back(std::move(*product));
    }
    facts.antimalware = std::move(products);
    facts.login = linux::readLoginFacts(fs_, login_services_);
    return facts;
  }

 private:
  linux::RootFs fs_;
  std::unique_ptr<CommandRunner> commands_;
  std::vector<std::string> login_services_;
};

}  // namespace

std::unique_ptr<PostureProbe> makePostureProbe(ProbeOptions options) {
  return std::make_unique<LinuxPostureProbe>(std::move(options));
}

}  // namespace mamori::platform
