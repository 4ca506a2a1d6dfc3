#include "policy_watch.hpp"

#include "policy_file.hpp"

namespace mamori::agent {

PolicyWatch::PolicyWatch(std::optional<std::filesystem::path> file, policy::Policy initial)
    : file_(std::move(file)), current_(std::move(initial)) {
  std::error_code ec;
  if (file_) {
    seen_time_ = std::filesystem::last_write_time(*file_, ec);
    seen_size_ = std::filesystem::file_size(*file_, ec);
  }
}

std::expected<bool, Error> PolicyWatch::poll() {
  if (!file_) return false;
  std::error_code time_ec, size_ec;
  const auto time = std::filesystem::last_write_time(*file_, time_ec);
  const auto size = std::filesystem::file_size(*file_, size_ec);
  // A file being replaced may be missing for a moment: keep the running policy and look again.
  if (time_ec || size_ec) return false;
  if (time == seen_time_ && size == seen_size_) return false;
  seen_time_ = time;
  seen_size_ = size;
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

}  // namespace mamori::agent
