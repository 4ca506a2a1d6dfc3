#include "agent_settings.hpp"

#include <sddl.h>
#include <shlobj.h>

#include "registry.hpp"
#include "wide_string.hpp"
#include "windows_error.hpp"

namespace mamori::agent::windows {
namespace {

using platform::windows::narrow;
using platform::windows::RegistryKey;
using platform::windows::widen;

// Protected DACL: full access for LocalSystem and the Administrators group, nobody else.
constexpr const wchar_t* kOwnerOnly = L"D:P(A;;FA;;;SY)(A;;FA;;;BA)";

class LocalMemory {
 public:
  explicit LocalMemory(void* p) : p_(p) {}
  ~LocalMemory() { LocalFree(p_); }
  LocalMemory(const LocalMemory&) = delete;
  LocalMemory& operator=(const LocalMemory&) = delete;

 private:
  void* p_;
};

std::string lastError(std::string_view what) {
  return std::string(what) + ": " + platform::windows::describeWin32Error(GetLastError());
}

}  // namespace

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

  SECURITY_ATTRIBUTES sa{sizeof sa, nullptr, FALSE};
  if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(kOwnerOnly, SDDL_REVISION_1,
                                                            &sa.lpSecurityDescriptor, nullptr)) {
    return std::unexpected(lastError("cannot build the token file's ACL"));
  }
  const LocalMemory descriptor(sa.lpSecurityDescriptor);
  CreateDirectoryW(state_dir.c_str(), &sa);  // the directory too: owner-only from creation
  const auto file = state_dir / "enroll-token";
  const HANDLE h = CreateFileW(file.c_str(), GENERIC_WRITE, 0, &sa, CREATE_ALWAYS,
                               FILE_ATTRIBUTE_NORMAL, nullptr);
  if (h == INVALID_HANDLE_VALUE)
    return std::unexpected(lastError("cannot create " + narrow(file.wstring())));
  DWORD written = 0;
  const BOOL ok = WriteFile(h, token.data(), static_cast<DWORD>(token.size()), &written, nullptr) &&
                  FlushFileBuffers(h);
  CloseHandle(h);
  if (!ok || written != token.size())
    return std::unexpected(lastError("cannot write the token file"));

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
