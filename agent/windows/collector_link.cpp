#include "collector_link.hpp"

#include <boost/json/serialize.hpp>

namespace mamori::agent::windows {
namespace {

template <class T>
std::expected<T, ExchangeFailure> decoded(std::expected<std::string, ExchangeFailure> body,
                                          std::expected<T, Error> (*decode)(std::string_view)) {
  if (!body) return std::unexpected(body.error());
  auto answer = decode(*body);
  if (!answer) {
    return std::unexpected(
        ExchangeFailure{200, "the collector's answer is malformed: " + answer.error().describe()});
  }
  return std::move(*answer);
}

}  // namespace

std::expected<std::string, ExchangeFailure> CollectorLink::exchange(std::string_view method,
                                                                    std::string_view path,
                                                                    std::string_view body) {
  auto response = client_.exchange(method, path, body);
  if (!response) return std::unexpected(ExchangeFailure{0, response.error()});
  if (response->status != 200) {
    return std::unexpected(
        ExchangeFailure{response->status, "collector answered " + std::to_string(response->status) +
                                              ": " + protocol::refusalReason(response->body)});
  }
  return std::move(response->body);
}

std::expected<protocol::EnrollResponse, ExchangeFailure> CollectorLink::enroll(
    const protocol::EnrollRequest& request) {
  return decoded(exchange("POST", "/v1/enroll", boost::json::serialize(protocol::toJson(request))),
                 protocol::enrollResponseFromJson);
}

std::expected<protocol::ReportAck, ExchangeFailure> CollectorLink::sendReport(
    std::string_view report_json) {
  return decoded(exchange("POST", "/v1/reports", report_json), protocol::reportAckFromJson);
}

std::expected<protocol::AdmissionState, ExchangeFailure> CollectorLink::admission() {
  return decoded(exchange("GET", "/v1/admission", {}), protocol::admissionStateFromJson);
}

}  // namespace mamori::agent::windows
