#pragma once

// Serves a TufRepository to the updater in place of HTTP, with the one duty of a fetcher the
// tests rely on: never hand over more bytes than allowed. The real HTTP fetcher is exercised
// against a real server in tests/integration/tuf_client_test.sh.

#include <algorithm>
#include <string>
#include <vector>

#include "mamori/updater/fetcher.hpp"
#include "tuf/tuf_repository.hpp"

namespace mamori::testing {

class RepositoryFetcher final : public updater::Fetcher {
 public:
  static constexpr std::string_view kMetadataUrl = "https://repo.test/metadata";
  static constexpr std::string_view kTargetUrl = "https://repo.test/targets";

  explicit RepositoryFetcher(const TufRepository& repository) : repository_(repository) {}

  std::expected<std::string, updater::FetchError> fetch(const std::string& url,
                                                        std::uint64_t max_bytes) override {
    requests.push_back(url);
    const auto* files = &repository_.metadata_files;
    std::string name;
    if (url.starts_with(std::string(kMetadataUrl) + "/")) {
      name = url.substr(kMetadataUrl.size() + 1);
    } else if (url.starts_with(std::string(kTargetUrl) + "/")) {
      files = &repository_.target_files;
      name = url.substr(kTargetUrl.size() + 1);
    }
    const auto found = files->find(name);
    if (found == files->end()) {
      return std::unexpected(updater::FetchError{updater::FetchError::Kind::kNotFound,
                                                 makeError(ErrorCode::kIo, "HTTP 404", url)});
    }
    if (found->second.size() > max_bytes) {
      return std::unexpected(updater::FetchError{
          updater::FetchError::Kind::kTooLarge,
          makeError(ErrorCode::kIo, "more than " + std::to_string(max_bytes) + " bytes", url)});
    }
    return found->second;
  }

  /// How many requests asked for `name` (below either base URL).
  [[nodiscard]] std::size_t requestsFor(std::string_view name) const {
    const auto suffix = "/" + std::string(name);
    return static_cast<std::size_t>(
        std::ranges::count_if(requests, [&](const auto& url) { return url.ends_with(suffix); }));
  }

  std::vector<std::string> requests;

 private:
  const TufRepository& repository_;
};

}  // namespace mamori::testing
