#include "mamori/platform/console_session.hpp"

#include "root_fs.hpp"

namespace mamori::platform {

std::optional<LoginSession> activeConsoleSession(const std::filesystem::path& root) {
  constexpr std::string_view kSessions = "/run/systemd/sessions";
  const linux::RootFs fs(root);
  std::optional<LoginSession> found;
  for (const auto& name : fs.list(kSessions)) {
    // `<id>.ref` files are pipes logind keeps; only plain session files describe sessions.
    if (name.find('.') != std::string::npos) continue;
    const auto text = fs.read(std::string(kSessions) + "/" + name, 64 * 1024);
    if (!text) continue;
    auto session = parseLoginSession(name, *text);
    if (!session || !session->active || session->remote || session->seat != "seat0") continue;
    if (!found || (session->graphical() && !found->graphical())) found = std::move(session);
  }
  return found;
}

}  // namespace mamori::platform
