#include "policy_file.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "mamori/policy/policy_codec.hpp"

namespace mamori::agent {
namespace {

// UTF-8 on every OS: on Windows path::string() would use the ANSI code page and fail on a
// Japanese folder name.
std::string utf8(const std::filesystem::path& file) {
  const auto u8 = file.u8string();
  return {u8.begin(), u8.end()};
}

std::unexpected<Error> fileError(ErrorCode code, std::string message,
                                 const std::filesystem::path& file) {
  return std::unexpected(makeError(code, std::move(message), utf8(file)));
}

}  // namespace

std::expected<policy::Policy, Error> loadPolicyFile(const std::filesystem::path& file) {
  // A policy is a few kilobytes; anything far larger is not one.
  constexpr std::uintmax_t kMaxSize = 4 << 20;
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  if (ec) return fileError(ErrorCode::kIo, ec.message(), file);
  if (size > kMaxSize) {
    return fileError(ErrorCode::kValidation, "larger than 4 MiB: not a policy file", file);
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return fileError(ErrorCode::kIo, std::strerror(errno), file);
  std::ostringstream text;
  text << in.rdbuf();
  auto parsed = policy::parsePolicy(text.str());
  if (!parsed) parsed.error().file = utf8(file);
  return parsed;
}

std::expected<policy::Policy, Error> loadPolicy(const std::optional<std::filesystem::path>& file) {
  if (!file) return policy::builtInPolicy();
  return loadPolicyFile(*file);
}

}  // namespace mamori::agent
