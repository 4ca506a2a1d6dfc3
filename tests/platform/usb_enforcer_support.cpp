#include "usb_enforcer_support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>

namespace mamori::testing {
namespace {

constexpr std::string_view kDevices = "/sys/bus/usb/devices/";

std::string hex(unsigned value, int digits) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%0*x", digits, value);
  return buf;
}

std::string bytes(std::initializer_list<unsigned> values) {
  std::string out;
  for (const auto v : values) out += static_cast<char>(static_cast<std::uint8_t>(v));
  return out;
}

// Device descriptor, one configuration, one interface per class (no endpoints needed).
std::string descriptors(unsigned vid, unsigned pid, const std::vector<std::uint8_t>& classes) {
  auto raw = bytes({18, 1, 0x00, 0x02, 0, 0, 0, 64, vid & 0xffu, vid >> 8u, pid & 0xffu, pid >> 8u,
                    0x00, 0x01, 1, 2, 3, 1});
  const auto count = static_cast<unsigned>(classes.size());
  const auto total = 9 + 9 * count;
  raw += bytes({9, 2, total & 0xffu, total >> 8u, count, 1, 0, 0x80, 50});
  for (unsigned i = 0; i < count; ++i) raw += bytes({9, 4, i, 0, 0, classes[i], 0, 0, 0});
  return raw;
}

}  // namespace

UsbFixture::UsbFixture() : root_{"hosts/debian12"} {
  root_.write("/sys/bus/usb/drivers_probe", "");
}

void UsbFixture::plugHeldBack(std::string_view name, std::uint16_t vid, std::uint16_t pid,
                              std::string_view serial,
                              const std::vector<std::uint8_t>& classes) const {
  const auto dir = std::string(kDevices) + std::string(name) + "/";
  root_.write(dir + "authorized", "0\n");
  root_.write(dir + "idVendor", hex(vid, 4) + "\n");
  root_.write(dir + "idProduct", hex(pid, 4) + "\n");
  root_.write(dir + "bDeviceClass", "00\n");
  root_.write(dir + "bConfigurationValue", "\n");
  if (!serial.empty()) root_.write(dir + "serial", std::string(serial) + "\n");
  root_.write(dir + "descriptors", descriptors(vid, pid, classes));
}

void UsbFixture::addInterface(std::string_view device, std::uint8_t number, std::uint8_t cls,
                              bool authorized) const {
  const auto dir =
      std::string(kDevices) + std::string(device) + ":1." + std::to_string(number) + "/";
  root_.write(dir + "bInterfaceNumber", hex(number, 2) + "\n");
  root_.write(dir + "bInterfaceClass", hex(cls, 2) + "\n");
  root_.write(dir + "bInterfaceSubClass", "00\n");
  root_.write(dir + "bInterfaceProtocol", "00\n");
  root_.write(dir + "authorized", authorized ? "1\n" : "0\n");
}

void UsbFixture::addDisk(std::string_view interface, std::string_view disk,
                         const std::vector<std::string>& partitions) const {
  const auto block = std::string(kDevices) + std::string(interface) +
                     "/host0/target0:0:0/0:0:0:0/block/" + std::string(disk);
  root_.write(block + "/size", "30310400\n");
  root_.write(block + "/queue/rotational", "0\n");  // a subdirectory that is not a partition
  for (const auto& p : partitions) root_.write(block + "/" + p + "/partition", "1\n");
}

void UsbFixture::bind(std::string_view interface) const {
  root_.write(std::string(kDevices) + std::string(interface) + "/driver/name", "usbhid\n");
}

std::string UsbFixture::attribute(std::string_view entry) const {
  std::ifstream in(root_.path() / ("sys/bus/usb/devices/" + std::string(entry)));
  std::string line;
  std::getline(in, line);
  return line;
}

std::string UsbFixture::probed() const {
  std::ifstream in(root_.path() / "sys/bus/usb/drivers_probe");
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string uevent(std::string_view action, std::string_view devpath, std::string_view subsystem,
                   std::string_view devtype, std::string_view devname) {
  std::string m = std::string(action) + "@" + std::string(devpath) + '\0';
  const auto add = [&](std::string_view key, std::string_view value) {
    if (!value.empty()) m += std::string(key) + "=" + std::string(value) + '\0';
  };
  add("ACTION", action);
  add("DEVPATH", devpath);
  add("SUBSYSTEM", subsystem);
  add("DEVNAME", devname);
  add("DEVTYPE", devtype);
  add("SEQNUM", "4711");
  return m;
}

std::string usbDevpath(std::string_view name) {
  const auto bus = name.substr(0, name.find('-'));
  return "/devices/pci0000:00/0000:00:14.0/usb" + std::string(bus) + "/" + std::string(name);
}

const platform::UsbDecisionRecord& RecordingEvents::about(std::string_view port) const {
  const auto it = std::ranges::find_if(decisions.rbegin(), decisions.rend(),
                                       [&](const auto& r) { return r.device.port == port; });
  REQUIRE_MESSAGE(it != decisions.rend(), "no decision about " << port);
  return *it;
}

}  // namespace mamori::testing
