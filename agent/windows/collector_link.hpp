#pragma once

// The Windows agent's exchanges with the collector: enrollment, reports and the admission, the
// same messages and paths as the Linux agent's CollectorClient, over HttpsClient (WinHTTP).

#include <expected>
#include <string>
#include <string_view>

#include "https_client.hpp"
#include "mamori/protocol/messages.hpp"

namespace mamori::agent::windows {

/// A failed exchange: the HTTP status when the collector answered (0 when it could not be
/// reached or trusted), and why.
struct ExchangeFailure {
  int status = 0;
  std::string reason;
  /// Worth retrying later: unreachable, timeouts, 5xx, 429.
  [[nodiscard]] bool transient() const { return status == 0 || status >= 500 || status == 429; }
};

class CollectorLink {
 public:
  explicit CollectorLink(HttpsClient client) : client_(std::move(client)) {}

  std::expected<protocol::EnrollResponse, ExchangeFailure> enroll(
      const protocol::EnrollRequest& request);
  /// Sends one report (its JSON text) and returns the collector's answer.
  std::expected<protocol::ReportAck, ExchangeFailure> sendReport(std::string_view report_json);
  std::expected<protocol::AdmissionState, ExchangeFailure> admission();

 private:
  std::expected<std::string, ExchangeFailure> exchange(std::string_view method,
                                                       std::string_view path,
                                                       std::string_view body);
  HttpsClient client_;
};

}  // namespace mamori::agent::windows
