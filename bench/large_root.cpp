#include "large_root.hpp"

#include <fstream>
#include <sstream>
#include <string>

namespace mamori::bench {
namespace {

void write(const std::filesystem::path& file, const std::string& content) {
  std::filesystem::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary | std::ios::trunc) << content;
}

std::string hex4(int v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04x", v & 0xffff);
  return buf;
}

std::string dpkgStatus(int packages) {
  std::ostringstream s;
  for (int i = 0; i < packages; ++i) {
    s << "Package: pkg-" << i << "\nStatus: install ok installed\nPriority: optional\n"
      << "Section: libs\nInstalled-Size: " << 100 + i << "\nMaintainer: Debian Developers "
      << "<debian-devel@lists.debian.org>\nArchitecture: amd64\nMulti-Arch: same\n"
      << "Source: src-" << i / 3 << "\nVersion: " << 1 + i % 7 << "." << i % 13 << "." << i % 5
      << "-" << 1 + i % 3 << "+deb12u" << i % 4 << "\nDepends: libc6 (>= 2.34), pkg-"
      << (i + 1) % packages << " (= ${binary:Version})\nDescription: package number " << i
      << "\n This is a long description of the package that spans several lines\n"
      << " like real Debian packages do, so the status file has a realistic size.\n .\n"
      << " It is here only to be parsed.\n\n";
  }
  s << "Package: openssl\nStatus: install ok installed\nArchitecture: amd64\n"
    << "Version: 3.0.11-1~deb12u2\nDescription: Secure Sockets Layer toolkit\n\n";
  s << "Package: libclamav11\nStatus: install ok installed\nArchitecture: amd64\n"
    << "Version: 1.0.7+dfsg-1~deb12u1\nDescription: anti-virus utility for Unix - library\n\n";
  return s.str();
}

std::string dpkgLog(int lines) {
  std::ostringstream s;
  for (int i = 0; i < lines; ++i) {
    const int day = 1 + (i * 21) / lines;
    char stamp[32];
    std::snprintf(stamp, sizeof stamp, "2026-11-%02d 10:%02d:%02d", day, (i / 60) % 60, i % 60);
    s << stamp << (i % 4 == 0 ? " upgrade pkg-" : " status installed pkg-") << i % 3000
      << ":amd64 1.0-1 1.0-2\n";
  }
  return s.str();
}

std::string clamHeader(long stime, int version) {
  std::string h = "ClamAV-VDB:21 Nov 2026 21-00 +0000:" + std::to_string(version) +
                  ":2070000:90:X:X:raynman:" + std::to_string(stime);
  h.resize(512, ' ');
  return h + "payload";
}

void writeUsbDevice(const std::filesystem::path& devices, const std::string& name, int i) {
  const auto dir = devices / name;
  const int cls = i % 4 == 0 ? 0x08 : i % 4 == 1 ? 0x03 : i % 4 == 2 ? 0x09 : 0x0e;
  write(dir / "idVendor", hex4(0x1000 + i) + "\n");
  write(dir / "idProduct", hex4(0x2000 + i) + "\n");
  write(dir / "bDeviceClass", "00\n");
  write(dir / "serial", "SERIAL" + std::to_string(i) + "\n");
  write(dir / "manufacturer", "Vendor " + std::to_string(i) + "\n");
  write(dir / "product", "Product " + std::to_string(i) + "\n");
  write(dir / "authorized", "1\n");
  for (int k = 0; k < 2; ++k) {
    const auto iface = devices / (name + ":1." + std::to_string(k));
    write(iface / "bInterfaceNumber", "0" + std::to_string(k) + "\n");
    write(iface / "bInterfaceClass", hex4(cls).substr(2) + "\n");
    write(iface / "bInterfaceSubClass", "06\n");
    write(iface / "bInterfaceProtocol", "50\n");
    write(iface / "authorized", "1\n");
  }
}

}  // namespace

void writeLargeRoot(const std::filesystem::path& dir, const LargeRootSize& size) {
  write(dir / "etc/os-release",
        "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n");
  write(dir / "etc/hostname", "bench-pc\n");
  write(dir / "etc/machine-id", "0123456789abcdef0123456789abcdef\n");
  write(dir / "var/lib/dpkg/status", dpkgStatus(size.packages));
  write(dir / "var/log/dpkg.log", dpkgLog(size.dpkg_log_lines));
  write(dir / "var/log/apt/history.log",
        "Start-Date: 2026-11-21  10:00:00\n"
        "End-Date: 2026-11-21  10:05:00\n");
  write(dir / "var/lib/clamav/main.cvd", clamHeader(1694822400, 62));
  write(dir / "var/lib/clamav/daily.cld", clamHeader(1795294800, 27462));
  write(dir / "var/lib/clamav/bytecode.cvd", clamHeader(1677456000, 334));
  for (int p = 1; p <= size.processes; ++p) {
    const char* name = p == 50 ? "clamd" : p == 51 ? "clamonacc" : "worker";
    write(dir / "proc" / std::to_string(p) / "comm", std::string(name) + "\n");
  }
  const auto devices = dir / "sys/bus/usb/devices";
  for (int bus = 1; bus <= 4; ++bus) {
    write(devices / ("usb" + std::to_string(bus)) / "authorized_default", "0\n");
  }
  for (int i = 0; i < size.usb_devices; ++i) {
    writeUsbDevice(devices, std::to_string(1 + i % 4) + "-" + std::to_string(1 + i / 4), i);
  }
}

}  // namespace mamori::bench
