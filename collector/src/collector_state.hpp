#pragma once

// The collector's TLS material in its state directory, created on first start:
//   ca.key, ca.crt          the enrollment CA (key 0600; the CA signs device certificates)
//   server.key, server.crt  the collector's HTTPS identity, issued by that CA for server_names
//                           (renewed when the names change or a month before it expires)

#include <expected>
#include <filesystem>
#include <string>

#include "mamori/collector/config.hpp"
#include "mamori/collector/enrollment_ca.hpp"
#include "mamori/error.hpp"
#include "mamori/policy/time.hpp"

namespace mamori::collector {

struct TlsFiles {
  std::filesystem::path ca_certificate;
  std::filesystem::path server_key;
  std::filesystem::path server_certificate;
};

struct CollectorState {
  EnrollmentCa ca;
  TlsFiles files;
};

/// Loads the CA and the server certificate from `config.state_dir`, creating what is missing.
std::expected<CollectorState, Error> prepareState(const CollectorConfig& config,
                                                  policy::TimePoint now);

/// A new P-256 key pair (PEM) and a certificate request for it, made on this host: for the
/// collector's own server certificate and for services such as FreeRADIUS.
struct KeyAndRequest {
  std::string key_pem;
  std::string csr_pem;
};
std::expected<KeyAndRequest, Error> makeKeyAndRequest(std::string_view common_name);

}  // namespace mamori::collector
