#pragma once

#include <boost/json/value.hpp>

#include "mamori/policy/facts.hpp"
#include "mamori/policy/text.hpp"
#include "mamori/policy/verdict.hpp"

namespace mamori::policy {

/// The facts as JSON. An unobserved fact is `{"unknown": "<reason>"}` in place of its value;
/// USB ids are lower-case hex strings as lsusb prints them (`"0781"`); times are ISO 8601 UTC.
boost::json::value toJson(const PostureFacts& facts);

/// `{"id", "title", "status", "severity", "evidence", "remediation": {"ja", "en"}, ...}` with the
/// evidence in `lang`.
boost::json::value toJson(const Finding& finding, Lang lang);

/// `{"compliant", "admission", "segment", "policy_version", "findings": [...]}`.
boost::json::object toJson(const Verdict& verdict, Lang lang);

}  // namespace mamori::policy
