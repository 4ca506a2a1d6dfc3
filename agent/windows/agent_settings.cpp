#include "agent_settings.hpp"

#include <shlobj.h>

#include "registry.hpp"
#include "state_files.hpp"
#include "wide_string.hpp"
#include "windows_error.hpp"

namespace mamori::agent::windows {

using platform::windows::RegistryKey;
using platform::windows::widen;

std::expected<AgentSettings, std::string> readAgentSettings(std::string_view key_path) {
  AgentSettings settings;
  auto key = RegistryKey::open(HKEY_LOCAL_MACHINE, key_path);
  if (!key) return settings;  // not installed by the MSI: built-in policy, local-only
  settings.collector_url = key->string("CollectorUrl").value_or("");
  if (auto id = key->string("Segment"); id && !id->empty()) {
    settings.segment = policy::parseSegment(*id);
    if (!settings.segment) {
      return std::unexpected("Segment \"" + *id +
                             "\" is not a segment (mynumber, lgwan, internet)");
    }
  }
  if (auto file = key->string("CollectorCa"); file && !file->empty()) {
    settings.collector_ca = std::filesystem::path(widen(*file));
  }
  if (auto file = key->string("PolicyFile"); file && !file->empty()) {
    settings.policy_file = std::filesystem::path(widen(*file));
  }
  if (auto seconds = key->dword("IntervalSeconds")) {
    if (*seconds < 60 || *seconds > 86400) {
      return std::unexpected("IntervalSeconds " + std::to_string(*seconds) +
                             " is out of range (60 to 86400)");
    }
    settings.interval = std::chrono::seconds{*seconds};
  }
  return settings;
}

std::filesystem::path stateDirectory() {
  PWSTR program_data = nullptr;
  std::filesystem::path dir = L"C:\\ProgramData";
  if (SUCCEEDED(SHGetKnownFolderPath(FOLDERID_ProgramData, 0, nullptr, &program_data))) {
    dir = program_data;
  }
  CoTaskMemFree(program_data);
  return dir / "mamori";
}

std::expected<bool, std::string> takeEnrollmentToken(const std::filesystem::path& state_dir,
                                                     std::string_view key_path) {
  std::string token;
  {
    auto key = RegistryKey::open(HKEY_LOCAL_MACHINE, key_path);
    if (!key) return false;
    token = key->string("EnrollToken").value_or("");
  }
  if (token.empty()) return false;

  if (auto dir = createStateDirectory(state_dir); !dir) return std::unexpected(dir.error());
  if (auto written = writeStateFile(state_dir / "enroll-token", token); !written) {
    return std::unexpected(written.error());
  }

  // Only now, with the token safe, is the readable copy removed.
  HKEY key = nullptr;
  if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, widen(key_path).c_str(), 0, KEY_SET_VALUE | KEY_WOW64_64KEY,
                    &key) != ERROR_SUCCESS) {
    return std::unexpected("cannot open HKLM\\" + std::string(key_path) + " to remove the token");
  }
  const LONG rc = RegDeleteValueW(key, L"EnrollToken");
  RegCloseKey(key);
  if (rc != ERROR_SUCCESS) {
    return std::unexpected("cannot remove EnrollToken: " +
                           platform::windows::describeWin32Error(static_cast<DWORD>(rc)));
  }
  return true;
}

}  // namespace mamori::agent::windows
