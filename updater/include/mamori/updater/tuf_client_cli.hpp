#pragma once

// `mamori-tuf-client`: the TUF conformance suite's client-under-test protocol
// (theupdateframework/tuf-conformance, CLIENT-CLI.md) over mamori's updater:
//   --metadata-dir DIR init ROOT_FILE
//   --metadata-dir DIR --metadata-url URL refresh
//   --metadata-dir DIR --metadata-url URL --target-name PATH --target-base-url URL
//     --target-dir DIR download
// Exit 0 on full success, 1 otherwise, with the reason on stderr. `--reference-time TIME`
// checks expiry against TIME instead of the clock (for tests; the clock-rollback defence still
// applies to it).

#include <ostream>
#include <span>

namespace mamori::updater {

int runTufClient(std::span<const char* const> args, std::ostream& out, std::ostream& err);

}  // namespace mamori::updater
