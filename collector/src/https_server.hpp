#pragma once

// The HTTPS shell around Service: TLS 1.2+ (1.3 preferred) with the collector's server
// certificate; client certificates requested and verified against the enrollment CA (optional
// at the TLS level because enrollment comes without one; every other endpoint demands one).

#include <cstdint>
#include <memory>

#include "collector_state.hpp"
#include "mamori/collector/service.hpp"

namespace Poco {
class ThreadPool;
namespace Net {
class HTTPServer;
}
}  // namespace Poco

namespace mamori::collector {

class HttpsServer {
 public:
  /// Binds and starts serving; throws nothing, the error says what failed (port in use, bad
  /// key file).
  static std::expected<std::unique_ptr<HttpsServer>, Error> start(const CollectorConfig& config,
                                                                  const TlsFiles& files,
                                                                  const Service& service);
  ~HttpsServer();

  [[nodiscard]] std::uint16_t port() const { return port_; }
  /// Stops accepting and waits for the requests in flight.
  void stop();

 private:
  HttpsServer(std::unique_ptr<Poco::ThreadPool> pool, std::unique_ptr<Poco::Net::HTTPServer> server,
              std::uint16_t port);
  std::unique_ptr<Poco::ThreadPool> pool_;  // one thread per open connection, up to `threads`
  std::unique_ptr<Poco::Net::HTTPServer> server_;
  std::uint16_t port_;
};

}  // namespace mamori::collector
