#pragma once

// What the staff member at the PC is told, the same on every OS (第43条; the staff configure
// nothing and must understand at once what happened and whom to ask): a USB device blocked, the
// PC put in or let out of quarantine or isolation. Linux shows them with notify-send
// (staff_notice.hpp), Windows in a message box in the console session (desktop_notice.hpp).

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <vector>

#include "mamori/policy/network_mode.hpp"
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

/// The staff member's notice on entering or leaving quarantine or isolation: why, what to fix
/// (`unmet`, each requirement with its title), and whom to call.
StaffNotice networkNotice(const policy::NetworkDecision& decision,
                          const std::vector<std::string>& unmet, const policy::Text& contact);

/// The ids of the findings the collector did not pass, from its verdict as it sent it.
std::vector<std::string> unmetRequirements(const boost::json::object& verdict);

}  // namespace mamori::agent
