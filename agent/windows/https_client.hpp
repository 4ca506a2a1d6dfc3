#pragma once

// HTTPS to the collector with WinHTTP (schannel): TLS 1.2 or newer, the collector's certificate
// pinned to the CA the administrator gave at enrollment, and the device certificate presented
// once enrolled (mutual TLS). The Linux agent's counterpart is agent/src/collector_client.cpp.
//
// The pin is checked before anything is sent that matters: the request's headers go first
// (WinHttpSendRequest with no body), then the server's certificate is checked against the
// pinned CA, and only then is the body (an enrollment token, a report) written. Headers hold
// no secret: the device authenticates with its certificate, enrollment with the token in the
// body.

// windows.h before winhttp.h and wincrypt.h: not sorted.
// clang-format off
#include <windows.h>
#include <wincrypt.h>
#include <winhttp.h>
// clang-format on

#include <chrono>
#include <cstdint>
#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace mamori::agent::windows {

struct HttpsResponse {
  int status = 0;
  std::string body;
};

/// The host and port of an `https://host[:port]` URL (443 when none is given); nullopt for any
/// other URL.
std::optional<std::pair<std::string, std::uint16_t>> collectorHostPort(std::string_view url);

/// Whether `leaf` (the server's certificate, with the certificates the server sent in its
/// store) chains to a CA in `pinned_ca_pem`: each signature checked, each certificate within its
/// validity. The error says which link failed.
std::expected<void, std::string> chainsToPinnedCa(PCCERT_CONTEXT leaf,
                                                  std::string_view pinned_ca_pem);

class HttpsClient {
 public:
  /// `url`: `https://host[:port]`. `pinned_ca_pem`: the CA the collector's certificate must
  /// chain to. `client`: the device certificate bound to its key (must outlive the client);
  /// null before enrollment.
  static std::expected<HttpsClient, std::string> create(std::string_view url,
                                                        std::string pinned_ca_pem,
                                                        PCCERT_CONTEXT client,
                                                        std::chrono::seconds timeout);
  HttpsClient(HttpsClient&&) noexcept;
  HttpsClient& operator=(HttpsClient&&) noexcept;
  ~HttpsClient();

  /// One request. Errors: the collector could not be reached or could not be trusted (status 0
  /// in the caller's terms); an HTTP answer of any status is a response.
  std::expected<HttpsResponse, std::string> exchange(std::string_view method, std::string_view path,
                                                     std::string_view body);

 private:
  struct Handles;
  explicit HttpsClient(std::unique_ptr<Handles> handles);
  std::unique_ptr<Handles> handles_;
};

}  // namespace mamori::agent::windows
