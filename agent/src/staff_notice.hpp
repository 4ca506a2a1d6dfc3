#pragma once

// How the Linux agent tells the staff member at the PC (the words are staff_notices.hpp's).

#include <filesystem>
#include <optional>
#include <string>

#include "mamori/platform/command_runner.hpp"
#include "mamori/platform/console_session.hpp"
#include "mamori/policy/text.hpp"
#include "mamori/protocol/audit_event.hpp"
#include "staff_notices.hpp"

namespace mamori::agent {

/// Delivers notices: always to the agent's log (the journal under systemd), in both languages;
/// and, when the person at the console is at a desktop, as a desktop notification in `lang`
/// (notify-send in the user's own session, run as that user).
class StaffNotifier {
 public:
  StaffNotifier(platform::CommandRunner& commands, std::filesystem::path root, policy::Lang lang)
      : commands_(commands), root_(std::move(root)), lang_(lang) {}

  /// `console` is who sits at the PC (platform::activeConsoleSession), looked up by the caller,
  /// which also names that person in the audit record.
  void notify(const StaffNotice& notice, const std::optional<platform::LoginSession>& console);

 private:
  void showOnDesktop(const StaffNotice& notice, const platform::LoginSession& session);

  platform::CommandRunner& commands_;
  std::filesystem::path root_;
  policy::Lang lang_;
};

}  // namespace mamori::agent
