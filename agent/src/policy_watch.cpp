#include "policy_watch.hpp"

#include "policy_file.hpp"

namespace mamori::agent {

PolicyWatch::PolicyWatch(std::optional<std::filesystem::path> file, policy::Policy initial)
    : file_(std::move(file)), current_(std::move(initial)) {
  if (file_) seen_ = stampOf(*file_);
}

std::optional<PolicyWatch::Stamp> PolicyWatch::stampOf(const std::filesystem::path& file) {
  std::error_code time_ec, size_ec;
  Stamp stamp{std::filesystem::last_write_time(file, time_ec),
              std::filesystem::file_size(file, size_ec)};
  if (time_ec || size_ec) return std::nullopt;
  return stamp;
}

std::expected<bool, Error> PolicyWatch::poll() {
  if (!file_) return false;
  // A file being replaced may be missing for a moment: keep the running policy and look again.
  const auto stamp = stampOf(*file_);
  if (!stamp || stamp == seen_) return false;
  seen_ = stamp;
  auto loaded = loadPolicyFile(*file_);
  if (!loaded) return std::unexpected(loaded.error());
  if (loaded->version < current_.version) {
    Error older = makeError(ErrorCode::kValidation,
                            "version " + std::to_string(loaded->version) +
                                " is older than the running version " +
                                std::to_string(current_.version) + "; the running policy is kept",
                            file_->string());
    older.field = "$.version";
    return std::unexpected(std::move(older));
  }
  current_ = std::move(*loaded);
  return true;
}

bool PolicyWatch::offer(policy::Policy candidate) {
  if (candidate.version <= current_.version) return false;
  current_ = std::move(candidate);
  return true;
}

}  // namespace mamori::agent
