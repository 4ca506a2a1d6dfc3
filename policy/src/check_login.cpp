// MFA-1..MFA-5: one entry per requirement, handing the facts to the side of the OS they came
// from. Both sides use the same finding ids, so a city's report reads the same for every PC.

#include "checks.hpp"
#include "login_linux_pam.hpp"
#include "login_linux_settings.hpp"
#include "login_windows.hpp"

namespace mamori::policy::checks {
namespace {

using LinuxCheck = Finding (*)(const Context&, const LinuxLogin&);
using WindowsCheck = Finding (*)(const Context&, const WindowsLogin&);

Finding byOs(const Context& c, std::string_view id, LinuxCheck on_linux, WindowsCheck on_windows) {
  const Text fix{"エージェントがログイン設定を読めるようにしてください（root 権限で実行）。",
                 "Let the agent read the login configuration (run it with root rights)."};
  if (!c.facts.login.known()) return unknown(id, reasonText(c.facts.login.reason()), fix);
  const LoginFacts& login = c.facts.login.value();
  if (login.linux_login) return on_linux(c, *login.linux_login);
  if (login.windows_login) return on_windows(c, *login.windows_login);
  return unknown(id, {"ログイン設定が収集されていません", "no login configuration was collected"},
                 fix);
}

}  // namespace

Finding loginFactors(const Context& c) {
  return byOs(c, "MFA-1", linux_login::factors, windows::factors);
}
Finding loginFactorKinds(const Context& c) {
  return byOs(c, "MFA-2", linux_login::factorKinds, windows::factorKinds);
}
Finding noAutoLogin(const Context& c) {
  return byOs(c, "MFA-3", linux_login::autoLogin, windows::autoLogin);
}
Finding loginAttemptsLimited(const Context& c) {
  return byOs(c, "MFA-4", linux_login::attemptsLimited, windows::attemptsLimited);
}
Finding screenLocks(const Context& c) {
  return byOs(c, "MFA-5", linux_login::screenLock, windows::screenLock);
}

}  // namespace mamori::policy::checks
