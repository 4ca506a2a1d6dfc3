#pragma once

// `mamori-policy`: the admins' tool for signed policy distribution.
//   keygen   --out FILE [--type ed25519|ecdsa]
//   lint     POLICY_FILE...
//   init     --repo DIR --root-key F... --targets-key F... --snapshot-key F --timestamp-key F
//   sign     --repo DIR --key F... --segment SEG [--department NAME --role ROLE] POLICY_FILE
//   delegate --repo DIR --key F... --role NAME --role-key F... --path PATTERN... [--terminating]
//   rotate-root --repo DIR --key CURRENT_ROOT_KEY... [--root-key F...] [--root-threshold N]
//            [--targets-key F...] [--snapshot-key F...] [--timestamp-key F...]
//   publish  --repo DIR --snapshot-key F --timestamp-key F
//   status   --repo DIR
// Root and targets keys never leave the admins' machine; snapshot and timestamp keys live on the
// collector, which publishes (and re-signs) by itself. Output in Japanese, `--lang en` for English.

#include <ostream>
#include <span>
#include <string_view>

#include "mamori/policy/time.hpp"

namespace mamori::repository {

struct ToolEnvironment {
  std::string_view locale;  ///< LANG
  policy::TimePoint now;
};

int runPolicyTool(std::span<const char* const> args, const ToolEnvironment& env, std::ostream& out,
                  std::ostream& err);

}  // namespace mamori::repository
