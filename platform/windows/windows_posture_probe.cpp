// The Windows PostureProbe: the registry, WMI and Windows Update readers of this folder.

#include "com.hpp"
#include "mamori/platform/posture_probe.hpp"
#include "mamori/platform/usb_inventory.hpp"
#include "mamori/platform/windows_security.hpp"
#include "system_readers.hpp"
#include "wmi.hpp"

namespace mamori::platform {
namespace {

class WindowsPostureProbe final : public PostureProbe {
 public:
  policy::PostureFacts collect(policy::TimePoint now) override {
    const windows::ComApartment apartment;
    policy::PostureFacts facts;
    facts.collected_at = now;
    facts.device = windows::readIdentity();
    facts.os = windows::readOsRelease();
    facts.antimalware = windowsAntiMalware(
        windows::wmiQuery(R"(root\SecurityCenter2)",
                          "SELECT displayName, productState FROM AntiVirusProduct"),
        windows::wmiQuery(R"(root\Microsoft\Windows\Defender)",
                          "SELECT * FROM MSFT_MpComputerStatus"),
        now);
    facts.packages = windows::readWindowsUpdate();
    facts.usb = readUsbInventory();
    policy::LoginFacts login;
    login.windows_login = windows::readWindowsLogin();
    facts.login = std::move(login);
    return facts;
  }
};

}  // namespace

// ProbeOptions name files below a root and PAM services: nothing a Windows reader uses.
std::unique_ptr<PostureProbe> makePostureProbe(ProbeOptions) {
  return std::make_unique<WindowsPostureProbe>();
}

}  // namespace mamori::platform
