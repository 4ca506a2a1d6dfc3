#include "system_readers.hpp"

namespace mamori::platform::windows {

WindowsVersionValues readWindowsVersionValues(const RegistryKey& key) {
  WindowsVersionValues v;
  v.major = key.dword("CurrentMajorVersionNumber");
  v.minor = key.dword("CurrentMinorVersionNumber");
  v.current_version = key.string("CurrentVersion").value_or("");
  v.build = key.string("CurrentBuildNumber").value_or("");
  v.ubr = key.dword("UBR");
  v.display_version = key.string("DisplayVersion").value_or("");
  v.release_id = key.string("ReleaseId").value_or("");
  v.product_name = key.string("ProductName").value_or("");
  v.edition_id = key.string("EditionID").value_or("");
  return v;
}

policy::Observed<policy::OsRelease> readOsRelease() {
  auto key = RegistryKey::open(HKEY_LOCAL_MACHINE, kCurrentVersionKey);
  if (!key) return policy::Observed<policy::OsRelease>::unknown(key.error());
  auto os = windowsOsRelease(readWindowsVersionValues(*key));
  if (!os) {
    return policy::Observed<policy::OsRelease>::unknown(
        describeKey(HKEY_LOCAL_MACHINE, kCurrentVersionKey) + ": " + os.error());
  }
  return *os;
}

}  // namespace mamori::platform::windows
