#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/IPAddress.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/RejectCertificateHandler.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/URI.h>

#include <array>
#include <istream>
#include <mutex>

#include "mamori/updater/fetcher.hpp"

namespace mamori::updater {
namespace {

using Clock = std::chrono::steady_clock;

FetchError failed(FetchError::Kind kind, const std::string& url, std::string reason) {
  return {kind, makeError(ErrorCode::kIo, std::move(reason), url)};
}

bool isLoopback(const std::string& host) {
  if (host == "localhost") return true;
  Poco::Net::IPAddress address;
  return Poco::Net::IPAddress::tryParse(host, address) && address.isLoopback();
}

Poco::Net::Context::Ptr systemContext() {
  Poco::Net::Context::Params params;
  params.loadDefaultCAs = true;
  params.verificationMode = Poco::Net::Context::VERIFY_STRICT;
  Poco::Net::Context::Ptr context =
      new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
  context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
  return context;
}

class HttpFetcher final : public Fetcher {
 public:
  explicit HttpFetcher(HttpFetcherOptions options) : options_(std::move(options)) {}

  std::expected<std::string, FetchError> fetch(const std::string& url,
                                               std::uint64_t max_bytes) override {
    try {
      return get(url, max_bytes);
    } catch (const Poco::Exception& e) {
      return std::unexpected(failed(FetchError::Kind::kFailed, url, e.displayText()));
    } catch (const std::exception& e) {
      return std::unexpected(failed(FetchError::Kind::kFailed, url, e.what()));
    }
  }

 private:
  std::unique_ptr<Poco::Net::HTTPClientSession> sessionFor(const Poco::URI& uri) {
    if (uri.getScheme() == "https") {
      refuseInvalidCertificates();
      if (!options_.context) options_.context = systemContext();
      return std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort(),
                                                             options_.context);
    }
    return std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
  }

  std::expected<std::string, FetchError> get(const std::string& url, std::uint64_t max_bytes) {
    const Poco::URI uri(url);
    const bool plain = uri.getScheme() == "http";
    if (!(plain && isLoopback(uri.getHost())) && uri.getScheme() != "https") {
      return std::unexpected(failed(FetchError::Kind::kFailed, url,
                                    "only HTTPS is allowed (plain HTTP to loopback only)"));
    }
    const auto deadline = Clock::now() + options_.deadline;
    auto session = sessionFor(uri);
    session->setTimeout(Poco::Timespan(options_.connect_timeout.count(), 0));
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, uri.getPathAndQuery(),
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    session->sendRequest(request);
    Poco::Net::HTTPResponse response;
    std::istream& body = session->receiveResponse(response);
    const auto status = response.getStatus();
    if (status == Poco::Net::HTTPResponse::HTTP_NOT_FOUND ||
        status == Poco::Net::HTTPResponse::HTTP_FORBIDDEN) {
      return std::unexpected(failed(FetchError::Kind::kNotFound, url,
                                    "HTTP " + std::to_string(static_cast<int>(status))));
    }
    if (status != Poco::Net::HTTPResponse::HTTP_OK) {
      return std::unexpected(failed(FetchError::Kind::kFailed, url,
                                    "HTTP " + std::to_string(static_cast<int>(status))));
    }
    const auto too_large = [&](std::uint64_t seen, std::string_view how) {
      return failed(FetchError::Kind::kTooLarge, url,
                    "more than the " + std::to_string(max_bytes) + " bytes allowed (" +
                        std::to_string(seen) + " " + std::string(how) + ")");
    };
    if (response.hasContentLength()) {
      const auto announced = static_cast<std::uint64_t>(response.getContentLength64());
      if (announced > max_bytes) return std::unexpected(too_large(announced, "announced"));
    }
    std::string out;
    std::array<char, 64 * 1024> buffer;
    // peek() waits for one receive at most (bounded by the socket timeout); readsome() then takes
    // what arrived without waiting. So the deadline is checked after every receive, however
    // slowly the bytes come.
    while (body.peek() != std::istream::traits_type::eof()) {
      const auto got = body.readsome(buffer.data(), buffer.size());
      out.append(buffer.data(), static_cast<std::size_t>(got));
      if (out.size() > max_bytes)
        return std::unexpected(too_large(out.size(), "read, then cut off"));
      if (Clock::now() > deadline) {
        return std::unexpected(
            failed(FetchError::Kind::kFailed, url,
                   "not complete within " + std::to_string(options_.deadline.count()) + " s"));
      }
    }
    return out;
  }

  HttpFetcherOptions options_;
};

}  // namespace

void refuseInvalidCertificates() {
  static std::once_flag once;
  std::call_once(once, [] {
    Poco::SharedPtr<Poco::Net::InvalidCertificateHandler> reject =
        new Poco::Net::RejectCertificateHandler(false);
    Poco::Net::SSLManager::instance().initializeClient(nullptr, reject, nullptr);
  });
}

std::unique_ptr<Fetcher> makeHttpFetcher(HttpFetcherOptions options) {
  return std::make_unique<HttpFetcher>(std::move(options));
}

}  // namespace mamori::updater
