#pragma once

// How the updater gets bytes: one GET, never more bytes than the caller allows. The limit comes
// from signed metadata where there is one (a file's length) and from fixed caps where the
// specification leaves it open (root, timestamp), so an endless-data attack costs the agent at
// most that many bytes.

#include <Poco/Net/Context.h>

#include <chrono>
#include <cstdint>
#include <expected>
#include <memory>
#include <string>

#include "mamori/error.hpp"

namespace mamori::updater {

struct FetchError {
  enum class Kind {
    kNotFound,  ///< HTTP 403 or 404: the repository has no such file (the end of a root chain)
    kTooLarge,  ///< more than the allowed bytes
    kFailed,    ///< anything else: unreachable, a TLS failure, another status, too slow
  };
  Kind kind = Kind::kFailed;
  Error error;
};

class Fetcher {
 public:
  virtual ~Fetcher() = default;
  /// The body at `url`, at most `max_bytes` long. Thread-compatible, not thread-safe.
  virtual std::expected<std::string, FetchError> fetch(const std::string& url,
                                                       std::uint64_t max_bytes) = 0;
};

struct HttpFetcherOptions {
  /// HTTPS settings (the CA to trust, a client certificate); null: the system's CAs.
  Poco::Net::Context::Ptr context;
  std::chrono::seconds connect_timeout{10};
  /// The whole download, so that a server trickling bytes (a slow-retrieval attack) is cut off.
  std::chrono::seconds deadline{300};
};

/// Makes Poco refuse every certificate that fails verification: no prompt, no silent accept.
/// Idempotent; every HTTPS client of mamori calls it before its first connection.
void refuseInvalidCertificates();

/// GET over HTTPS; plain HTTP only to a loopback address (a test repository), never across a
/// network.
std::unique_ptr<Fetcher> makeHttpFetcher(HttpFetcherOptions options = {});

}  // namespace mamori::updater
