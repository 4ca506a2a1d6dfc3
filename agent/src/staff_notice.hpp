#pragma once

// What the staff member at the PC is told when mamori blocks a USB device (第43条; the staff
// configure nothing and must understand at once what happened and whom to ask).

#include <filesystem>
#include <optional>
#include <string>

#include "mamori/platform/command_runner.hpp"
#include "mamori/platform/console_session.hpp"
#include "mamori/policy/text.hpp"
#include "mamori/protocol/audit_event.hpp"

namespace mamori::agent {

struct StaffNotice {
  policy::Text title;
  policy::Text body;
};

/// The notice for a USB decision the staff should hear about (a device or part of it blocked,
/// or a decision that could not be applied); nullopt for a device that simply works.
/// `contact` is whom to ask (the policy's help desk); a generic "the information system
/// administrator" when empty.
std::optional<StaffNotice> usbNotice(const protocol::UsbDecisionEvent& event,
                                     const policy::Text& contact);

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
