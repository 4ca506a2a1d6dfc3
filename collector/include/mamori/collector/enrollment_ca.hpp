#pragma once

// The collector's enrollment CA (第86条: devices identified before they connect). A PC makes its
// key pair itself and sends only a certificate request; the CA checks the request's signature
// (proof that the PC holds the private key), refuses weak keys, and issues a client certificate
// that names the device and nothing the PC chose. mTLS and RADIUS EAP-TLS then rest on it.

#include <openssl/types.h>

#include <chrono>
#include <expected>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mamori/error.hpp"
#include "mamori/policy/time.hpp"

namespace mamori::collector {

struct IssuedCertificate {
  std::string pem;
  std::string serial;  ///< lower-case hex, 128 random bits
  policy::TimePoint not_after;
  std::string sha256_fingerprint;  ///< lower-case hex of the DER, for pinning and logs
};

/// Who a client certificate of this CA speaks for.
enum class PeerRole {
  kDevice,   ///< an enrolled PC: SAN `urn:mamori:device:<id>`
  kService,  ///< a piece of the city's infrastructure (FreeRADIUS): `urn:mamori:service:<name>`
};

struct Peer {
  PeerRole role = PeerRole::kDevice;
  std::string name;                ///< the device id or the service name
  std::string sha256_fingerprint;  ///< lower-case hex of the DER
};

/// The role and name in a client certificate that TLS has already verified against this CA's
/// certificate (the server's trust store holds nothing else). An error when it names neither a
/// device nor a service.
std::expected<Peer, Error> peerOf(X509* verified_certificate);

struct Usage;

class EnrollmentCa {
 public:
  /// A new CA: ECDSA P-256 key, self-signed certificate valid from `now` for `validity`.
  static std::expected<EnrollmentCa, Error> create(std::string_view name, policy::TimePoint now,
                                                   std::chrono::days validity);
  /// The CA from its PEM files; errors say which part is wrong (and never print the key).
  static std::expected<EnrollmentCa, Error> load(std::string_view private_key_pem,
                                                 std::string_view certificate_pem);

  EnrollmentCa(EnrollmentCa&&) noexcept;
  EnrollmentCa& operator=(EnrollmentCa&&) noexcept;
  ~EnrollmentCa();

  [[nodiscard]] std::string certificatePem() const;
  /// The unencrypted key: for a file only root can read, never for a log.
  [[nodiscard]] std::string privateKeyPem() const;

  /// A client certificate for `device_id` (`[A-Za-z0-9-]`, at most 64) from a PEM certificate
  /// request: subject CN = device id, SAN `urn:mamori:device:<id>`, clientAuth only, not a CA.
  /// Refused: a request that is not PEM, whose signature does not verify, or whose key is not
  /// ECDSA P-256/P-384, Ed25519 or RSA of at least 2048 bits.
  [[nodiscard]] std::expected<IssuedCertificate, Error> issue(std::string_view csr_pem,
                                                              std::string_view device_id,
                                                              policy::TimePoint now,
                                                              std::chrono::days validity) const;

  /// A client certificate for a service of the city's network (FreeRADIUS's rlm_rest): SAN
  /// `urn:mamori:service:<name>`, clientAuth only. Same checks on the request as issue().
  [[nodiscard]] std::expected<IssuedCertificate, Error> issueService(
      std::string_view csr_pem, std::string_view service, policy::TimePoint now,
      std::chrono::days validity) const;

  /// The collector's own TLS server certificate for `names` (DNS names or IP addresses, the
  /// first one also the CN), serverAuth only.
  [[nodiscard]] std::expected<IssuedCertificate, Error> issueServer(
      std::string_view csr_pem, const std::vector<std::string>& names, policy::TimePoint now,
      std::chrono::days validity) const;

  /// The device id of a certificate this CA issued and that is valid at `now`; an error for
  /// anything else (another issuer, a bad signature, expired, not yet valid, no device SAN).
  [[nodiscard]] std::expected<std::string, Error> deviceOf(std::string_view certificate_pem,
                                                           policy::TimePoint now) const;

 private:
  struct Keys;
  /// A client certificate naming `name` (checked: `what` names it in the error) by the URI
  /// `uri_prefix` + name.
  std::expected<IssuedCertificate, Error> issueClient(std::string_view csr_pem,
                                                      std::string_view what,
                                                      std::string_view uri_prefix,
                                                      std::string_view name, policy::TimePoint now,
                                                      std::chrono::days validity) const;
  std::expected<IssuedCertificate, Error> issueLeaf(std::string_view csr_pem,
                                                    std::string_view common_name,
                                                    const Usage& usage, policy::TimePoint now,
                                                    std::chrono::days validity) const;
  explicit EnrollmentCa(std::unique_ptr<Keys> keys);
  std::unique_ptr<Keys> keys_;
};

}  // namespace mamori::collector
