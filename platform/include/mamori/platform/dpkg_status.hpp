#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "mamori/policy/facts.hpp"

namespace mamori::platform {

/// The installed packages of a dpkg status file (`/var/lib/dpkg/status`), sorted by name then
/// architecture: every package whose files are on disk (`installed`, `unpacked`,
/// `half-configured`, `triggers-*`). Failed unpacks (`half-installed`) and removed packages
/// (`config-files`) are skipped.
std::vector<policy::InstalledPackage> parseDpkgStatus(std::string_view text);

/// The time of the last package change in a dpkg log (`install`, `upgrade`, `remove`, `purge`
/// lines). dpkg logs local time without a zone; it is read as UTC, which a limit in days
/// tolerates. nullopt when the log has no such line.
std::optional<policy::TimePoint> lastChangeInDpkgLog(std::string_view text);

/// The same from apt's history log (`End-Date: 2026-11-20  10:15:03`).
std::optional<policy::TimePoint> lastChangeInAptHistory(std::string_view text);

}  // namespace mamori::platform
