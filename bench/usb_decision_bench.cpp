// USB hot-plug decisions (issue 5: p99 <= 5 ms from the uevent to the `authorized` write).
//
// mamori's share of that time: decode the kernel's uevent, read the device from sysfs (its
// identity and raw descriptors), decide with policy::decideUsb, write `authorized`. Measured
// here on a sysfs-shaped tree in tmpfs (/dev/shm) through the enforcer's own code
// (UsbAuthorizer::handle), against a baseline in the same process that does only the same file
// reads and the write. The kernel's part (configuring the device, binding drivers) is measured
// in a real kernel by tests/e2e/usb. Linux only; run as `mamori_bench_usb [plugs]`.

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "block_device_control.hpp"
#include "mamori/platform/clock.hpp"
#include "mamori/platform/uevent.hpp"
#include "usb_authorizer.hpp"

namespace fs = std::filesystem;
using namespace mamori;
using Clock = std::chrono::steady_clock;
using Micros = std::chrono::duration<double, std::micro>;

namespace {

constexpr std::string_view kDevices = "sys/bus/usb/devices/";

struct Kind {
  const char* serial;
  std::uint8_t interface_class;
};
// A mix as a city PC sees it: unregistered sticks (blocked), registered ones, keyboards.
constexpr Kind kKinds[] = {{"UNREGISTERED", 0x08}, {"REGISTERED", 0x08}, {"", 0x03}};

std::string descriptors(std::uint8_t cls) {
  const unsigned char raw[] = {18, 1,    0,  2, 0, 0, 0, 64, 0x81, 0x07, 0x81, 0x55,
                               0,  1,    1,  2, 3, 1, 9, 2,  18,   0,    1,    1,
                               0,  0x80, 50, 9, 4, 0, 0, 2,  cls,  6,    0x50, 0};
  return {reinterpret_cast<const char*>(raw), sizeof raw};
}

void put(const fs::path& file, std::string_view content) {
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary | std::ios::trunc) << content;
}

// One held-back device as the kernel shows it before a decision: unconfigured, unauthorised.
void plugHeldBack(const fs::path& root, const std::string& name, const Kind& kind) {
  const auto dir = root / kDevices / name;
  put(dir / "authorized", "0\n");
  put(dir / "idVendor", "0781\n");
  put(dir / "idProduct", "5581\n");
  put(dir / "bDeviceClass", "00\n");
  put(dir / "bConfigurationValue", "\n");
  put(dir / "manufacturer", "SanDisk\n");
  put(dir / "product", "Ultra\n");
  if (*kind.serial) put(dir / "serial", std::string(kind.serial) + "\n");
  put(dir / "descriptors", descriptors(kind.interface_class));
}

std::string uevent(const std::string& name) {
  const auto devpath = "/devices/pci0000:00/0000:00:14.0/usb1/" + name;
  std::string m = "add@" + devpath + '\0';
  for (const auto& kv : {"ACTION=add", "SUBSYSTEM=usb", "DEVTYPE=usb_device", "SEQNUM=4711"}) {
    m += std::string(kv) + '\0';
  }
  return m + "DEVPATH=" + devpath + '\0';
}

// The baseline's I/O: what any decision needs at the least.
std::string readFile(const fs::path& file) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  char buffer[4096];
  const auto n = ::read(fd, buffer, sizeof buffer);
  ::close(fd);
  return n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : std::string();
}

void writeFile(const fs::path& file, std::string_view content) {
  const int fd = ::open(file.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return;
  (void)!::write(fd, content.data(), content.size());
  ::close(fd);
}

class Sink final : public platform::UsbEnforcerEvents {
 public:
  void onDecision(const platform::UsbDecisionRecord& r) override {
    blocked += !r.decision.authorize_device;
  }
  void onReadOnly(const platform::UsbReadOnlyRecord&) override {}
  void onError(const Error& e) override {
    std::fprintf(stderr, "error: %s\n", e.describe().c_str());
  }
  int blocked = 0;
};

class NoBlockDevices final : public platform::linux::BlockDeviceControl {
 public:
  std::expected<void, std::string> setReadOnly(const fs::path&) override { return {}; }
};

double percentile(std::vector<double> v, double p) {
  std::ranges::sort(v);
  const auto rank = static_cast<std::size_t>(p / 100.0 * static_cast<double>(v.size() - 1) + 0.5);
  return v[rank];
}

}  // namespace

int main(int argc, char** argv) {
  const int plugs = argc > 1 ? std::max(30, std::atoi(argv[1])) : 3000;
  const fs::path base = fs::exists("/dev/shm") ? "/dev/shm" : fs::temp_directory_path();
  const fs::path root = base / ("mamori-usb-bench-" + std::to_string(::getpid()));
  put(root / kDevices / "usb1/authorized_default", "1\n");
  put(root / kDevices / "usb1/interface_authorized_default", "1\n");
  put(root / "sys/bus/usb/drivers_probe", "");

  policy::UsbRules rules;
  rules.allowlist.push_back({0x0781, 0x5581, "REGISTERED", "bench medium", false});
  Sink sink;
  NoBlockDevices no_block_devices;
  platform::linux::UsbAuthorizer authorizer(platform::linux::RootFs(root), no_block_devices,
                                            platform::systemClock(), sink);
  if (!authorizer.lock() || !authorizer.apply({rules, 1})) return 1;

  std::vector<std::string> names;
  for (int i = 0; i < 64; ++i)
    names.push_back("1-" + std::to_string(i % 8 + 1) + "." + std::to_string(i / 8 + 1));
  std::vector<double> mamori, baseline;
  for (int i = 0; i < plugs; ++i) {
    const auto& name = names[static_cast<std::size_t>(i) % names.size()];
    const auto& kind = kKinds[i % 3];
    plugHeldBack(root, name, kind);
    const auto message = uevent(name);

    auto start = Clock::now();  // as the socket's recv() returns
    auto event = platform::parseUevent(message);
    if (!event) return 1;
    authorizer.handle(*event, start);
    mamori.push_back(Micros(Clock::now() - start).count());

    writeFile(root / kDevices / name / "authorized", "0\n");
    start = Clock::now();
    const auto dir = root / kDevices / name;
    std::size_t bytes = 0;
    for (const char* attribute : {"idVendor", "idProduct", "bDeviceClass", "serial", "manufacturer",
                                  "product", "authorized", "descriptors"}) {
      bytes += readFile(dir / attribute).size();
    }
    const bool allowed = i % 3 != 0;  // as the policy decides: all but the unregistered sticks
    if (bytes > 0 && allowed) writeFile(dir / "authorized", "1\n");
    baseline.push_back(Micros(Clock::now() - start).count());
  }
  fs::remove_all(root);

  const double m50 = percentile(mamori, 50), m99 = percentile(mamori, 99);
  const double b50 = percentile(baseline, 50), b99 = percentile(baseline, 99);
  std::printf(
      "usb decision bench: %d hot-plugs (a third each: unregistered stick, registered "
      "stick, keyboard), sysfs-shaped tree in %s\n",
      plugs, base.c_str());
  std::printf(
      "  mamori   (uevent decoded, device read, decided, authorized written): p50 %7.1f us  "
      "p99 %7.1f us  max %7.1f us\n",
      m50, m99, *std::ranges::max_element(mamori));
  std::printf(
      "  baseline (the same attribute reads and the write, nothing else):     p50 %7.1f us  "
      "p99 %7.1f us\n",
      b50, b99);
  std::printf("  ratio mamori/baseline: p50 %.2fx, p99 %.2fx; blocked %d of %d\n", m50 / b50,
              m99 / b99, sink.blocked, plugs);
  std::printf("  target p99 <= 5 ms (mamori's share): %s (%.2f ms)\n",
              m99 <= 5000 ? "met" : "NOT met", m99 / 1000);
  return 0;
}
