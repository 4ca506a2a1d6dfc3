#include "https_server.hpp"

#include <Poco/Logger.h>
#include <Poco/Net/AcceptCertificateHandler.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/RejectCertificateHandler.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/X509Certificate.h>
#include <Poco/ThreadPool.h>

#include <boost/json/serialize.hpp>
#include <chrono>
#include <istream>

namespace mamori::collector {
namespace {

using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

// The verified client certificate of this connection, if the client sent one.
std::optional<Peer> peerOfRequest(HTTPServerRequest& request) {
  auto& impl = static_cast<Poco::Net::HTTPServerRequestImpl&>(request);
  Poco::Net::SecureStreamSocket socket(impl.socket());
  if (!socket.havePeerCertificate()) return std::nullopt;
  const Poco::Net::X509Certificate certificate = socket.peerCertificate();
  auto peer = peerOf(const_cast<X509*>(certificate.certificate()));
  if (!peer) return std::nullopt;
  return *peer;
}

// The body, or nothing when it is larger than `limit` (read no further than that).
std::optional<std::string> boundedBody(HTTPServerRequest& request, std::size_t limit) {
  if (request.hasContentLength() &&
      request.getContentLength64() > static_cast<std::streamsize>(limit)) {
    return std::nullopt;
  }
  std::string body;
  std::istream& in = request.stream();
  char buffer[16 * 1024];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    body.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (body.size() > limit) return std::nullopt;
  }
  return body;
}

void send(HTTPServerResponse& out, const Response& response) {
  const std::string text = boost::json::serialize(response.body);
  out.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(response.status));
  out.setContentType("application/json");
  out.setContentLength64(static_cast<Poco::Int64>(text.size()));
  out.send() << text;
}

class Handler : public Poco::Net::HTTPRequestHandler {
 public:
  Handler(const Service& service, std::size_t max_body) : service_(service), max_body_(max_body) {}

  void handleRequest(HTTPServerRequest& request, HTTPServerResponse& out) override {
    try {
      if (request.getMethod() == "GET" && request.getURI().starts_with("/v1/tuf/")) {
        serveTufFile(request, out);
        return;
      }
      send(out, respond(request));
    } catch (const std::exception& e) {
      Poco::Logger::get("mamori.collector.http")
          .error("%s %s: %s", request.getMethod(), request.getURI(), std::string(e.what()));
      if (!out.sent()) send(out, errorResponse(500, "internal", "internal error"));
    }
  }

 private:
  Response respond(HTTPServerRequest& request) const {
    const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    const std::string& path = request.getURI();
    const bool post = request.getMethod() == "POST";
    const auto peer = peerOfRequest(request);
    if (post && path == "/v1/enroll")
      return withBody(request, [&](std::string_view body) { return service_.enroll(body, now); });
    if (!peer) return errorResponse(401, "no_certificate", "a client certificate is required");
    if (post && path == "/v1/reports")
      return withBody(request,
                      [&](std::string_view body) { return service_.report(*peer, body, now); });
    if (post && path == "/v1/radius/authorize")
      return withBody(request,
                      [&](std::string_view b) { return service_.radiusAuthorize(*peer, b, now); });
    if (request.getMethod() == "GET" && path == "/v1/admission") {
      return service_.admission(*peer, now);
    }
    return errorResponse(404, "not_found", "no such endpoint: " + request.getMethod() + " " + path);
  }

  // The repository's bytes as they are: signatures and hashes cover them, not a JSON re-encoding.
  void serveTufFile(HTTPServerRequest& request, HTTPServerResponse& out) const {
    const auto peer = peerOfRequest(request);
    if (!peer) {
      send(out, errorResponse(401, "no_certificate", "a client certificate is required"));
      return;
    }
    const auto file = service_.tufFile(*peer, request.getURI());
    if (!file) {
      send(out, file.error());
      return;
    }
    out.setStatus(Poco::Net::HTTPResponse::HTTP_OK);
    out.setContentType(file->metadata ? "application/json" : "application/octet-stream");
    out.setContentLength64(static_cast<Poco::Int64>(file->bytes.size()));
    out.send() << file->bytes;
  }

  template <class Handle>
  Response withBody(HTTPServerRequest& request, Handle handle) const {
    const auto body = boundedBody(request, max_body_);
    if (!body) {
      return errorResponse(413, "too_large",
                           "the body is larger than " + std::to_string(max_body_) + " bytes");
    }
    return handle(*body);
  }

  const Service& service_;
  std::size_t max_body_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Factory(const Service& service, std::size_t max_body) : service_(service), max_body_(max_body) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const HTTPServerRequest&) override {
    return new Handler(service_, max_body_);
  }

 private:
  const Service& service_;
  std::size_t max_body_;
};

Poco::Net::Context::Ptr serverContext(const TlsFiles& files) {
  Poco::Net::Context::Params params;
  params.privateKeyFile = files.server_key.string();
  params.certificateFile = files.server_certificate.string();
  params.caLocation = files.ca_certificate.string();
  // Relaxed: ask every client for a certificate and verify what comes, but let enrollment in
  // without one; the handlers demand it everywhere else.
  params.verificationMode = Poco::Net::Context::VERIFY_RELAXED;
  params.cipherList = "ECDHE+AESGCM:ECDHE+CHACHA20:!aNULL:!eNULL";
  Poco::Net::Context::Ptr context =
      new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, params);
  context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
  // Poco's "extended" check matches a peer certificate's names against the peer's host name,
  // which on a server is the client's IP address (and is skipped for loopback only): every
  // agent on the LAN would be refused. OpenSSL still verifies the chain to the enrollment CA;
  // who the device is comes from its certificate's URI (peerOf), checked by the handlers.
  context->enableExtendedCertificateVerification(false);
  context->enableSessionCache(true, "mamori-collector");
  Poco::SharedPtr<Poco::Net::InvalidCertificateHandler> reject =
      new Poco::Net::RejectCertificateHandler(true);
  Poco::Net::SSLManager::instance().initializeServer(nullptr, reject, context);
  return context;
}

}  // namespace

HttpsServer::HttpsServer(std::unique_ptr<Poco::ThreadPool> pool,
                         std::unique_ptr<Poco::Net::HTTPServer> server, std::uint16_t port)
    : pool_(std::move(pool)), server_(std::move(server)), port_(port) {}

HttpsServer::~HttpsServer() { stop(); }

void HttpsServer::stop() {
  if (server_) server_->stopAll(true);
  server_.reset();
}

std::expected<std::unique_ptr<HttpsServer>, Error> HttpsServer::start(const CollectorConfig& config,
                                                                      const TlsFiles& files,
                                                                      const Service& service) {
  try {
    auto context = serverContext(files);
    Poco::Net::SecureServerSocket socket(
        Poco::Net::SocketAddress(config.listen.host, config.listen.port), 256, context);
    auto* params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(config.threads);
    params->setMaxQueued(1024);
    params->setKeepAlive(true);
    params->setMaxKeepAliveRequests(0);  // unlimited: agents and the load generator reuse
    params->setKeepAliveTimeout(Poco::Timespan(30, 0));
    params->setTimeout(Poco::Timespan(30, 0));
    const auto port = socket.address().port();
    auto pool = std::make_unique<Poco::ThreadPool>(2, config.threads + 1);
    auto server = std::make_unique<Poco::Net::HTTPServer>(
        new Factory(service, config.max_report_bytes), *pool, socket, params);
    server->start();
    return std::unique_ptr<HttpsServer>(new HttpsServer(std::move(pool), std::move(server), port));
  } catch (const Poco::Exception& e) {
    return std::unexpected(makeError(ErrorCode::kIo, "cannot listen on " + config.listen.host +
                                                         ":" + std::to_string(config.listen.port) +
                                                         ": " + e.displayText()));
  }
}

}  // namespace mamori::collector
