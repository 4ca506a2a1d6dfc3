#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mamori/policy/login.hpp"
#include "mamori/policy/observed.hpp"
#include "mamori/policy/time.hpp"
#include "mamori/policy/usb_class.hpp"

namespace mamori::policy {

// What the probes saw on one PC, as plain values. The agent evaluates these and sends them to
// the collector, which evaluates them again with its own policy: so they hold raw observations
// (versions, times, classes), never conclusions.

/// What identifies the PC itself (第86条: terminals are identified by device-specific
/// information). The collector pins these at enrollment and compares them on every report.
struct DeviceIdentity {
  std::string hostname;
  std::string machine_id;   ///< /etc/machine-id, or the Windows MachineGuid
  std::string smbios_uuid;  ///< the firmware's system UUID, lower case; empty when unreadable
  /// Permanent addresses of the physical network interfaces (`aa:bb:cc:dd:ee:ff`), sorted.
  std::vector<std::string> macs;

  bool operator==(const DeviceIdentity&) const = default;
};

/// From os-release, or from the Windows registry (id `windows`, version_id `10.0.19045`: one
/// feature release, as the end-of-support calendar names it).
struct OsRelease {
  std::string id;          ///< `debian`, `windows`
  std::string version_id;  ///< `12`, `10.0.19045`
  std::string pretty_name;
  std::string version_codename;  ///< `bookworm`; Windows: the release, `22H2`
  /// Windows only: EditionID (`Professional`, `Enterprise`), since support ends per edition.
  std::string edition;
  /// Windows only: the full build with its update revision, `10.0.19045.6456`. Windows updates
  /// are cumulative, so this number is the PC's patch level.
  std::string build;
};

// ---- USB -------------------------------------------------------------------------------------

struct UsbInterface {
  std::uint8_t number = 0;
  std::uint8_t interface_class = 0;
  std::uint8_t subclass = 0;
  std::uint8_t protocol = 0;
  bool authorized = true;

  [[nodiscard]] UsbKind kind() const { return usbKindOfClass(interface_class); }
};

struct UsbDevice {
  std::string port;  ///< sysfs bus path: `1-2.3`
  std::uint16_t vendor_id = 0;
  std::uint16_t product_id = 0;
  std::string serial;
  std::string manufacturer;
  std::string product;
  std::uint8_t device_class = 0;
  bool authorized = true;
  /// Interfaces of the active configuration; for an unauthorised (unconfigured) device, those
  /// its descriptors declare.
  std::vector<UsbInterface> interfaces;

  [[nodiscard]] bool hasKind(UsbKind kind) const;
  /// `0781:5581`
  [[nodiscard]] std::string vidPid() const;
};

/// A USB root hub, and whether the kernel authorises new devices on it by itself.
struct UsbController {
  std::string name;            ///< `usb1`
  int authorized_default = 1;  ///< 0 = new devices wait for a decision (enforcement on)
  std::optional<bool> interface_authorized_default;
};

struct UsbInventory {
  std::vector<UsbController> controllers;
  std::vector<UsbDevice> devices;  ///< root hubs excluded
};

/// The agent's own log of its USB decisions (USB-3, 第43条): read from the agent's store, not
/// from the OS, so only an agent that keeps one reports it.
struct UsbAuditLog {
  std::int64_t events = 0;   ///< decisions kept on the PC
  std::int64_t waiting = 0;  ///< not yet carried by a report to the collector
  std::int64_t dropped = 0;  ///< lost to the log's size limit before any report carried them
  std::optional<TimePoint> last_event;
};

// ---- Anti-malware ----------------------------------------------------------------------------

/// One signature database file (ClamAV `daily.cld`), from its header.
struct SignatureDatabase {
  std::string file;
  Observed<TimePoint> built;
  std::uint32_t version = 0;
  std::uint32_t signatures = 0;
  int functionality_level = 0;
};

struct AntiMalwareProduct {
  std::string id;    ///< `clamav`, `mdatp`: the key of policy min_engine_versions
  std::string name;  ///< `ClamAV`
  Observed<std::string> engine_version;
  Observed<bool> service_running;
  Observed<bool> real_time_protection;
  Observed<TimePoint> signatures_updated;
  Observed<std::string> signature_version;
  Observed<TimePoint> last_full_scan;
  /// The vendor's own word that its signatures are current, for products that report no date
  /// (third-party products seen through Windows Security Center).
  Observed<bool> signatures_reported_current =
      Observed<bool>::unknown("the product does not report it");
  std::vector<SignatureDatabase> databases;
};

// ---- Packages --------------------------------------------------------------------------------

struct InstalledPackage {
  std::string name;
  std::string version;
  std::string architecture;
};

/// A security update Windows Update offers this PC and has not installed.
struct PendingUpdate {
  std::string title;   ///< `2025-11 Cumulative Update for Windows 11 Version 24H2 ... (KB5068861)`
  TimePoint released;  ///< when Microsoft offered it (IUpdate::LastDeploymentChangeTime)
  bool operator==(const PendingUpdate&) const = default;
};

struct PackageInventory {
  std::string manager;                     ///< `dpkg`, `windows-update`
  std::vector<InstalledPackage> packages;  ///< sorted by name
  Observed<TimePoint> last_change;         ///< last install / upgrade / removal
  /// Windows: the security updates Windows Update knows of and has not installed (its last
  /// scan, read offline). Nullopt where the package manager keeps no such list (dpkg).
  std::optional<Observed<std::vector<PendingUpdate>>> pending_security_updates;

  /// Every installed instance of `name` (multiarch installs one per architecture); empty when
  /// not installed.
  [[nodiscard]] std::span<const InstalledPackage> find(std::string_view name) const;
};

// ---- All of it -------------------------------------------------------------------------------

struct PostureFacts {
  TimePoint collected_at;
  DeviceIdentity device;
  Observed<OsRelease> os;
  Observed<UsbInventory> usb;
  Observed<UsbAuditLog> usb_audit = Observed<UsbAuditLog>::unknown("no mamori agent log here");
  /// Known and empty means: looked everywhere, no product installed.
  Observed<std::vector<AntiMalwareProduct>> antimalware;
  Observed<PackageInventory> packages;
  Observed<LoginFacts> login;
};

}  // namespace mamori::policy
