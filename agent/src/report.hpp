#pragma once

#include <iosfwd>
#include <string>

#include "mamori/policy/facts.hpp"
#include "mamori/policy/policy.hpp"
#include "mamori/policy/verdict.hpp"

namespace mamori::agent {

/// Everything one check produced, for printing.
struct CheckReport {
  const policy::Policy& policy;
  const policy::PostureFacts& facts;
  const policy::Verdict& verdict;
  policy::TimePoint checked_at;
};

/// The table a staff member or administrator reads: what was judged, what was seen, what to do.
void printReport(std::ostream& out, const CheckReport& report, policy::Lang lang,
                 std::size_t columns);

/// The JSON document of `check --json` (a public contract: keep field names stable).
void printJsonReport(std::ostream& out, const CheckReport& report, policy::Lang lang);

}  // namespace mamori::agent
