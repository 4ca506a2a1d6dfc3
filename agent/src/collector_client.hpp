#pragma once

// The agent's side of the wire: HTTPS to the collector with Poco (TLS 1.2+), the collector's
// certificate verified against the CA given at enrollment (or the system's), and from
// enrollment on the device certificate presented on every request (mutual TLS).

#include <Poco/Net/Context.h>

#include <chrono>
#include <expected>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "mamori/error.hpp"
#include "mamori/protocol/messages.hpp"

namespace Poco::Net {
class HTTPSClientSession;
}

namespace mamori::agent {

struct ClientSettings {
  std::string url;  ///< `https://collector.city.local:8443`
  /// The CA that vouches for the collector's server certificate; none: the system's CAs.
  std::optional<std::filesystem::path> server_ca;
  /// The device's key and certificate; none before enrollment.
  std::optional<std::filesystem::path> key_file;
  std::optional<std::filesystem::path> certificate_file;
  std::chrono::seconds timeout{30};
};

/// A failed exchange: the HTTP status when the collector answered (0 when it could not be
/// reached), and its reason.
struct ExchangeError {
  int status = 0;
  Error error;
  /// Worth retrying later: unreachable, timeouts, 5xx, 429.
  [[nodiscard]] bool transient() const { return status == 0 || status >= 500 || status == 429; }
};

/// The TLS settings of every connection to the collector (reports, signed updates): TLS 1.2+,
/// the pinned CA or the system's, the device certificate once enrolled.
Poco::Net::Context::Ptr tlsContext(const ClientSettings& settings);

class CollectorClient {
 public:
  static std::expected<CollectorClient, Error> create(const ClientSettings& settings);
  CollectorClient(CollectorClient&&) noexcept;
  CollectorClient& operator=(CollectorClient&&) noexcept;
  ~CollectorClient();

  std::expected<protocol::EnrollResponse, ExchangeError> enroll(
      const protocol::EnrollRequest& request);
  /// Sends one queued report (its JSON text as queued) and returns the collector's answer.
  std::expected<protocol::ReportAck, ExchangeError> sendReport(std::string_view report_json);
  std::expected<protocol::AdmissionState, ExchangeError> admission();

 private:
  explicit CollectorClient(std::unique_ptr<Poco::Net::HTTPSClientSession> session);
  std::expected<std::string, ExchangeError> exchange(const std::string& method,
                                                     const std::string& path,
                                                     std::string_view body);
  std::unique_ptr<Poco::Net::HTTPSClientSession> session_;
};

}  // namespace mamori::agent
