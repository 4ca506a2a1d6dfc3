// WindowsLogin: the registry values and the account policy the MFA checks (MFA-1..MFA-5) judge.

// windows.h first: the headers after it use its types.
// clang-format off
#include <windows.h>
#include <lm.h>
#include <sddl.h>
#include <wtsapi32.h>
// clang-format on

#include "../decode/text_lines.hpp"
#include "system_readers.hpp"
#include "wide_string.hpp"

namespace mamori::platform::windows {
namespace {

constexpr std::string_view kSystemPolicies =
    R"(SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\System)";
constexpr std::string_view kPassportForWork = R"(SOFTWARE\Policies\Microsoft\PassportForWork)";
constexpr std::string_view kWinlogon = R"(SOFTWARE\Microsoft\Windows NT\CurrentVersion\Winlogon)";
constexpr std::string_view kDesktopPolicies =
    R"(Software\Policies\Microsoft\Windows\Control Panel\Desktop)";

std::vector<std::string> splitCommas(std::string_view list) {
  std::vector<std::string> out;
  while (!list.empty()) {
    const auto comma = list.find(',');
    const auto item = textscan::trim(list.substr(0, comma));
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return out;
}

// The user at the console: screen-saver policy is per user, and the service's own HKCU is the
// SYSTEM profile. Empty when nobody is logged on or the token cannot be had (not LocalSystem).
std::string consoleUserSid() {
  const DWORD session = WTSGetActiveConsoleSessionId();
  HANDLE token = nullptr;
  if (session == 0xFFFFFFFF || !WTSQueryUserToken(session, &token)) return {};
  std::string sid;
  DWORD size = 0;
  GetTokenInformation(token, TokenUser, nullptr, 0, &size);
  std::vector<std::uint8_t> buffer(size);
  if (size && GetTokenInformation(token, TokenUser, buffer.data(), size, &size)) {
    wchar_t* text = nullptr;
    if (ConvertSidToStringSidW(reinterpret_cast<TOKEN_USER*>(buffer.data())->User.Sid, &text)) {
      sid = narrow(text);
      LocalFree(text);
    }
  }
  CloseHandle(token);
  return sid;
}

std::optional<std::uint32_t> lockoutThreshold() {
  USER_MODALS_INFO_3* info = nullptr;
  if (NetUserModalsGet(nullptr, 3, reinterpret_cast<BYTE**>(&info)) != NERR_Success || !info) {
    return std::nullopt;
  }
  const std::uint32_t threshold = info->usrmod3_lockout_threshold;
  NetApiBufferFree(info);
  return threshold;
}

}  // namespace

policy::WindowsLogin readWindowsLogin() {
  policy::WindowsLogin w;
  if (auto key = RegistryKey::open(HKEY_LOCAL_MACHINE, kSystemPolicies)) {
    w.smart_card_required = key->dword("scforceoption");
    w.inactivity_timeout_seconds = key->dword("InactivityTimeoutSecs");
    if (auto list = key->string("ExcludedCredentialProviders")) {
      w.excluded_credential_providers = splitCommas(*list);
    }
  }
  if (auto key = RegistryKey::open(HKEY_LOCAL_MACHINE, kPassportForWork)) {
    w.hello_for_business_enabled = key->dword("Enabled");
    w.hello_require_security_device = key->dword("RequireSecurityDevice");
  }
  if (auto key = RegistryKey::open(HKEY_LOCAL_MACHINE, kWinlogon)) {
    w.auto_admin_logon = key->string("AutoAdminLogon");
    w.default_user_name = key->string("DefaultUserName");
    w.default_password_present = key->has("DefaultPassword");  // a secret: never read
  }
  w.lockout_threshold = lockoutThreshold();

  const auto sid = consoleUserSid();
  auto desktop = sid.empty()
                     ? RegistryKey::open(HKEY_CURRENT_USER, kDesktopPolicies)
                     : RegistryKey::open(HKEY_USERS, sid + "\\" + std::string(kDesktopPolicies));
  if (desktop) {
    w.screen_saver_active = desktop->string("ScreenSaveActive");
    w.screen_saver_secure = desktop->string("ScreenSaverIsSecure");
    w.screen_saver_timeout = desktop->string("ScreenSaveTimeOut");
  }
  return w;
}

}  // namespace mamori::platform::windows
