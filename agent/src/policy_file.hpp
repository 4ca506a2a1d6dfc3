#pragma once

#include <expected>
#include <filesystem>
#include <optional>

#include "mamori/error.hpp"
#include "mamori/policy/policy.hpp"

namespace mamori::agent {

/// Reads and parses a policy file; the error names the file (and line, field and reason).
std::expected<policy::Policy, Error> loadPolicyFile(const std::filesystem::path& file);

/// The policy file when one is given, otherwise the built-in policy.
std::expected<policy::Policy, Error> loadPolicy(const std::optional<std::filesystem::path>& file);

}  // namespace mamori::agent
