#include "state_files.hpp"

// windows.h before sddl.h: not sorted.
// clang-format off
#include <windows.h>
#include <sddl.h>
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

}  // namespace

std::expected<void, std::string> createStateDirectory(const std::filesystem::path& dir) {
  OwnerOnly acl;
  if (!acl.ok()) return std::unexpected(failed("cannot build the ACL for", dir));
  if (!CreateDirectoryW(dir.c_str(), acl.attributes()) && GetLastError() != ERROR_ALREADY_EXISTS) {
    return std::unexpected(failed("cannot create", dir));
  }
  return {};
}

std::expected<void, std::string> writeStateFile(const std::filesystem::path& file,
                                                std::string_view text) {
  OwnerOnly acl;
  if (!acl.ok()) return std::unexpected(failed("cannot build the ACL for", file));
  auto temporary = file;
  temporary += L".new";
  const HANDLE h = CreateFileW(temporary.c_str(), GENERIC_WRITE, 0, acl.attributes(), CREATE_ALWAYS,
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
