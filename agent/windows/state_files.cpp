#include "state_files.hpp"

// windows.h before sddl.h: not sorted.
// clang-format off
#include <windows.h>
#include <sddl.h>
#include <aclapi.h>
// clang-format on

#include <fstream>
#include <sstream>

#include "wide_string.hpp"
#include "windows_error.hpp"

namespace mamori::agent::windows {
namespace {

using platform::windows::narrow;

// Protected DACL: full access for LocalSystem and the Administrators group, nobody else.
constexpr const wchar_t* kOwnerOnly = L"D:P(A;;FA;;;SY)(A;;FA;;;BA)";

class OwnerOnly {
 public:
  OwnerOnly() {
    ok_ = ConvertStringSecurityDescriptorToSecurityDescriptorW(
        kOwnerOnly, SDDL_REVISION_1, &attributes_.lpSecurityDescriptor, nullptr);
  }
  ~OwnerOnly() { LocalFree(attributes_.lpSecurityDescriptor); }
  OwnerOnly(const OwnerOnly&) = delete;
  OwnerOnly& operator=(const OwnerOnly&) = delete;
  [[nodiscard]] bool ok() const { return ok_ != 0; }
  SECURITY_ATTRIBUTES* attributes() { return &attributes_; }

 private:
  SECURITY_ATTRIBUTES attributes_{sizeof(SECURITY_ATTRIBUTES), nullptr, FALSE};
  BOOL ok_ = FALSE;
};

std::string failed(std::string_view what, const std::filesystem::path& path) {
  return std::string(what) + " " + narrow(path.wstring()) + ": " +
         platform::windows::describeWin32Error(GetLastError());
}

// Gives `path` the owner-only DACL, protected from inheritance, and the Administrators group as
// owner (an owner may always change the DACL back).
std::expected<void, std::string> protect(const std::filesystem::path& path, OwnerOnly& acl) {
  BOOL present = FALSE, defaulted = FALSE;
  PACL dacl = nullptr;
  GetSecurityDescriptorDacl(acl.attributes()->lpSecurityDescriptor, &present, &dacl, &defaulted);
  BYTE sid_buffer[SECURITY_MAX_SID_SIZE] = {};
  DWORD sid_size = sizeof sid_buffer;
  PSID administrators = sid_buffer;
  const bool named =
      CreateWellKnownSid(WinBuiltinAdministratorsSid, nullptr, administrators, &sid_size);
  auto wide = path.wstring();
  DWORD rc = SetNamedSecurityInfoW(wide.data(), SE_FILE_OBJECT,
                                   DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION |
                                       (named ? OWNER_SECURITY_INFORMATION : 0),
                                   named ? administrators : nullptr, nullptr, dacl, nullptr);
  if (rc != ERROR_SUCCESS && named) {
    // Taking ownership needs a privilege LocalSystem has; a by-hand run may lack it, and the
    // DACL alone still shuts others out.
    rc = SetNamedSecurityInfoW(wide.data(), SE_FILE_OBJECT,
                               DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION,
                               nullptr, nullptr, dacl, nullptr);
  }
  if (rc != ERROR_SUCCESS) {
    return std::unexpected("cannot make " + narrow(path.wstring()) +
                           " owner-only: " + platform::windows::describeWin32Error(rc));
  }
  return {};
}

}  // namespace

std::expected<void, std::string> createStateDirectory(const std::filesystem::path& dir) {
  OwnerOnly acl;
  if (!acl.ok()) return std::unexpected(failed("cannot build the ACL for", dir));
  if (CreateDirectoryW(dir.c_str(), acl.attributes())) return {};
  if (GetLastError() != ERROR_ALREADY_EXISTS) return std::unexpected(failed("cannot create", dir));
  // There already: made by someone else, perhaps a user (any user may create folders in
  // ProgramData, and owns what they create). Its ACL and its files' are made owner-only now,
  // so that nobody but SYSTEM and Administrators can replace the pin or lift a quarantine.
  if (auto locked = protect(dir, acl); !locked) return locked;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (auto locked = protect(entry.path(), acl); !locked) return locked;
  }
  return {};
}

std::expected<void, std::string> writeStateFile(const std::filesystem::path& file,
                                                std::string_view text) {
  OwnerOnly acl;
  if (!acl.ok()) return std::unexpected(failed("cannot build the ACL for", file));
  auto temporary = file;
  temporary += L".new";
  // A new file, never one left there (by a crash, or by someone else, with an ACL of theirs).
  DeleteFileW(temporary.c_str());
  const HANDLE h = CreateFileW(temporary.c_str(), GENERIC_WRITE, 0, acl.attributes(), CREATE_NEW,
                               FILE_ATTRIBUTE_NORMAL, nullptr);
  if (h == INVALID_HANDLE_VALUE) return std::unexpected(failed("cannot create", temporary));
  DWORD written = 0;
  const BOOL ok = WriteFile(h, text.data(), static_cast<DWORD>(text.size()), &written, nullptr) &&
                  FlushFileBuffers(h);
  CloseHandle(h);
  if (!ok || written != text.size()) {
    const auto error = failed("cannot write", temporary);
    DeleteFileW(temporary.c_str());
    return std::unexpected(error);
  }
  if (!MoveFileExW(temporary.c_str(), file.c_str(),
                   MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) {
    const auto error = failed("cannot replace", file);
    DeleteFileW(temporary.c_str());
    return std::unexpected(error);
  }
  return {};
}

std::expected<std::string, std::string> readStateFile(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::unexpected("cannot read " + narrow(file.wstring()));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace mamori::agent::windows
