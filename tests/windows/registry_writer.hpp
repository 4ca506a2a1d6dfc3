#pragma once

// Writes values into wine's registry for a test and puts the key back as it was afterwards: the
// readers are tested against the real registry API, not a stand-in.

#include <windows.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mamori::testing {

class RegistryValues {
 public:
  /// Opens (creating) `path` below `root` in the 64-bit view.
  RegistryValues(HKEY root, std::string path);
  ~RegistryValues();
  RegistryValues(const RegistryValues&) = delete;
  RegistryValues& operator=(const RegistryValues&) = delete;

  void setString(const std::string& name, const std::string& value, DWORD type = REG_SZ);
  void setDword(const std::string& name, std::uint32_t value);
  void remove(const std::string& name);

 private:
  struct Saved {
    std::wstring name;
    std::optional<std::pair<DWORD, std::vector<BYTE>>> old;  ///< nullopt: did not exist
  };
  void save(const std::wstring& name);

  HKEY key_ = nullptr;
  std::vector<Saved> saved_;
};

}  // namespace mamori::testing
