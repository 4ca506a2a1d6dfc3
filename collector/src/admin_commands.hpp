#pragma once

// The admin commands of mamori-collector, each on an open store. Output is for an admin at a
// terminal: Japanese by default, English with --lang en.

#include <boost/program_options/variables_map.hpp>
#include <iosfwd>
#include <string>

#include "mamori/collector/config.hpp"
#include "mamori/collector/policy_book.hpp"
#include "mamori/collector/store.hpp"
#include "mamori/policy/policy.hpp"
#include "mamori/policy/text.hpp"

namespace mamori::collector::admin {

struct Context {
  const CollectorConfig& config;
  Store& store;
  /// The collector's policy and the signed bundles it judges with.
  const PolicyBook& policies;
  policy::Lang lang;
  std::string user;  ///< who runs the command: recorded as creator / revoker
  policy::TimePoint now;
  std::ostream& out;
  std::ostream& err;
};

using Options = boost::program_options::variables_map;

// Shared by the command files.
bool ja(const Context& c);
int fail(const Context& c, const Error& e);
int usage(const Context& c, std::string_view message);

int tokenCreate(const Context& c, const Options& o);
int tokenList(const Context& c);
int tokenRevoke(const Context& c, const std::string& id);

int deviceList(const Context& c);
int deviceShow(const Context& c, const std::string& id);
int deviceRevoke(const Context& c, const std::string& id);
/// An unlock code for removing the device's agent (`--valid-hours`, 24 by default).
int deviceUnlockCode(const Context& c, const std::string& id, const Options& o);
/// CSIRT isolation and its release; both need `--reason`, and record the invoking admin.
int deviceIsolate(const Context& c, const std::string& device, const Options& o);
int deviceRelease(const Context& c, const std::string& device, const Options& o);
void printIsolationHistory(const Context& c, const std::vector<IsolationChange>& changes);

int exceptionAdd(const Context& c, const Options& o);
int exceptionList(const Context& c, const std::string& device);
int exceptionRevoke(const Context& c, const std::string& id);

/// Audit events, newest first: one device's or (`device` empty) every device's.
int auditList(const Context& c, const std::string& device, int limit);
/// The table auditList prints; `with_device` adds the device column.
void printAuditEvents(const Context& c, const std::vector<AuditRecord>& events, bool with_device);

/// Writes `<name>.key` (0600), `<name>.crt` and `ca.crt` into `--out-dir` for a service.
int serviceCertificate(const Context& c, const Options& o);

}  // namespace mamori::collector::admin
