#pragma once

#include <boost/json/value.hpp>
#include <expected>

#include "mamori/error.hpp"
#include "mamori/policy/facts.hpp"
#include "mamori/policy/text.hpp"
#include "mamori/policy/verdict.hpp"

namespace mamori::policy {

/// The facts as JSON. An unobserved fact is `{"unknown": "<reason>"}` in place of its value;
/// USB ids are lower-case hex strings as lsusb prints them (`"0781"`); times are ISO 8601 UTC.
boost::json::value toJson(const PostureFacts& facts);

/// The inverse of toJson(PostureFacts), for a collector reading a report: strict like the policy
/// codec (a wrong type, an out-of-range value or an unknown key is an error naming its JSON
/// path), and all or nothing. Derived fields (`kinds`, `kind`) are re-derived, not trusted.
std::expected<PostureFacts, Error> factsFromJson(const boost::json::value& json);

/// One USB device as in the facts' `usb.devices` (identity, interfaces and their authorisation),
/// for documents that name a device outside the facts, such as the agent's audit events.
boost::json::value toJson(const UsbDevice& device);
/// The inverse of toJson(UsbDevice), as strict as factsFromJson.
std::expected<UsbDevice, Error> usbDeviceFromJson(const boost::json::value& json);

/// `{"id", "title", "status", "severity", "evidence", "remediation": {"ja", "en"}, ...}` with the
/// evidence in `lang`.
boost::json::value toJson(const Finding& finding, Lang lang);

/// `{"compliant", "admission", "segment", "policy_version", "findings": [...]}`.
boost::json::object toJson(const Verdict& verdict, Lang lang);

}  // namespace mamori::policy
