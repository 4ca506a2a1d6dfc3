#include "collector_client.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <boost/json/serialize.hpp>

#include "mamori/updater/fetcher.hpp"

namespace mamori::agent {

Poco::Net::Context::Ptr tlsContext(const ClientSettings& s) {
  Poco::Net::Context::Params params;
  if (s.key_file) params.privateKeyFile = s.key_file->string();
  if (s.certificate_file) params.certificateFile = s.certificate_file->string();
  if (s.server_ca) params.caLocation = s.server_ca->string();
  params.loadDefaultCAs = !s.server_ca;
  params.verificationMode = Poco::Net::Context::VERIFY_STRICT;
  params.cipherList = "ECDHE+AESGCM:ECDHE+CHACHA20:!aNULL:!eNULL";
  Poco::Net::Context::Ptr context =
      new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
  context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
  context->enableSessionCache(true);
  return context;
}

namespace {

template <class T>
std::expected<T, ExchangeError> decodedAnswer(std::expected<std::string, ExchangeError> body,
                                              std::expected<T, Error> (*decode)(std::string_view)) {
  if (!body) return std::unexpected(body.error());
  auto decoded = decode(*body);
  if (!decoded) return std::unexpected(ExchangeError{200, decoded.error()});
  return std::move(*decoded);
}

}  // namespace

CollectorClient::CollectorClient(std::unique_ptr<Poco::Net::HTTPSClientSession> session)
    : session_(std::move(session)) {}
CollectorClient::CollectorClient(CollectorClient&&) noexcept = default;
CollectorClient& CollectorClient::operator=(CollectorClient&&) noexcept = default;
CollectorClient::~CollectorClient() = default;

std::expected<CollectorClient, Error> CollectorClient::create(const ClientSettings& settings) {
  try {
    const Poco::URI uri(settings.url);
    if (uri.getScheme() != "https" || uri.getHost().empty()) {
      return std::unexpected(makeError(
          ErrorCode::kUsage, "the collector URL must be https://HOST[:PORT]: " + settings.url));
    }
    updater::refuseInvalidCertificates();
    auto session = std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort(),
                                                                   tlsContext(settings));
    session->setTimeout(Poco::Timespan(settings.timeout.count(), 0));
    session->setKeepAlive(true);
    return CollectorClient(std::move(session));
  } catch (const Poco::Exception& e) {
    return std::unexpected(makeError(ErrorCode::kIo, "collector client: " + e.displayText()));
  }
}

std::expected<std::string, ExchangeError> CollectorClient::exchange(const std::string& method,
                                                                    const std::string& path,
                                                                    std::string_view body) {
  try {
    Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    request.setKeepAlive(true);
    if (method == "POST") {
      request.setContentType("application/json");
      request.setContentLength64(static_cast<Poco::Int64>(body.size()));
    }
    std::ostream& out = session_->sendRequest(request);
    out.write(body.data(), static_cast<std::streamsize>(body.size()));
    Poco::Net::HTTPResponse response;
    std::istream& in = session_->receiveResponse(response);
    std::string answer;
    Poco::StreamCopier::copyToString(in, answer);
    const int status = static_cast<int>(response.getStatus());
    if (status != 200) {
      return std::unexpected(ExchangeError{
          status, makeError(ErrorCode::kValidation, "collector answered " + std::to_string(status) +
                                                        ": " + protocol::refusalReason(answer))});
    }
    return answer;
  } catch (const Poco::Exception& e) {
    session_->reset();  // a broken connection is not reused
    return std::unexpected(
        ExchangeError{0, makeError(ErrorCode::kIo, "collector unreachable: " + e.displayText())});
  }
}

std::expected<protocol::EnrollResponse, ExchangeError> CollectorClient::enroll(
    const protocol::EnrollRequest& request) {
  return decodedAnswer(
      exchange("POST", "/v1/enroll", boost::json::serialize(protocol::toJson(request))),
      protocol::enrollResponseFromJson);
}

std::expected<protocol::ReportAck, ExchangeError> CollectorClient::sendReport(
    std::string_view report_json) {
  return decodedAnswer(exchange("POST", "/v1/reports", report_json), protocol::reportAckFromJson);
}

std::expected<protocol::AdmissionState, ExchangeError> CollectorClient::admission() {
  return decodedAnswer(exchange("GET", "/v1/admission", {}), protocol::admissionStateFromJson);
}

}  // namespace mamori::agent
