#include "collector_state.hpp"

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <fstream>

#include "mamori/protocol/atomic_file.hpp"
#include "mamori/protocol/key_pair.hpp"
#include "mamori/protocol/openssl_handles.hpp"

namespace mamori::collector {
namespace {

namespace fs = std::filesystem;

std::expected<EnrollmentCa, Error> loadOrCreateCa(const fs::path& dir, policy::TimePoint now) {
  const auto key = dir / "ca.key", cert = dir / "ca.crt";
  if (fs::exists(key) || fs::exists(cert)) {
    auto key_pem = protocol::readSmallFile(key, 64 << 10);
    auto cert_pem = protocol::readSmallFile(cert, 64 << 10);
    if (!key_pem) return std::unexpected(key_pem.error());
    if (!cert_pem) return std::unexpected(cert_pem.error());
    auto ca = EnrollmentCa::load(*key_pem, *cert_pem);
    if (!ca) ca.error().file = cert.string();
    return ca;
  }
  auto ca = EnrollmentCa::create("collector", now, std::chrono::days{3650});
  if (!ca) return ca;
  if (auto ok = protocol::writeFileAtomically(key, ca->privateKeyPem(), 0600); !ok) {
    return std::unexpected(ok.error());
  }
  if (auto ok = protocol::writeFileAtomically(cert, ca->certificatePem(), 0644); !ok) {
    return std::unexpected(ok.error());
  }
  return ca;
}

// The names and expiry of the current server certificate, to decide whether to renew it.
bool serverCertificateCurrent(const fs::path& cert_file, const std::vector<std::string>& names,
                              policy::TimePoint now) {
  auto pem = protocol::readSmallFile(cert_file, 64 << 10);
  if (!pem) return false;
  const auto bio = ssl::readBio(*pem);
  const ssl::Cert cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) return false;
  time_t soon = std::chrono::system_clock::to_time_t(now + std::chrono::days{30});
  if (X509_cmp_time(X509_get0_notAfter(cert.get()), &soon) < 0) return false;
  for (const auto& name : names) {
    const bool ok = X509_check_host(cert.get(), name.c_str(), name.size(), 0, nullptr) == 1 ||
                    X509_check_ip_asc(cert.get(), name.c_str(), 0) == 1;
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::expected<KeyAndRequest, Error> makeKeyAndRequest(std::string_view common_name) {
  auto key = protocol::newPrivateKeyPem();
  if (!key) return std::unexpected(key.error());
  auto csr = protocol::certificateRequest(*key, common_name);
  if (!csr) return std::unexpected(csr.error());
  return KeyAndRequest{std::move(*key), std::move(*csr)};
}

std::expected<CollectorState, Error> prepareState(const CollectorConfig& config,
                                                  policy::TimePoint now) {
  std::error_code ec;
  fs::create_directories(config.state_dir, ec);
  if (ec) return std::unexpected(makeError(ErrorCode::kIo, ec.message(), config.state_dir));
  fs::permissions(config.state_dir, fs::perms::owner_all, ec);
  auto ca = loadOrCreateCa(config.state_dir, now);
  if (!ca) return std::unexpected(ca.error());

  TlsFiles files{config.state_dir / "ca.crt", config.state_dir / "server.key",
                 config.state_dir / "server.crt"};
  if (!fs::exists(files.server_key) ||
      !serverCertificateCurrent(files.server_certificate, config.server_names, now)) {
    auto pair = makeKeyAndRequest(config.server_names.front());
    if (!pair) return std::unexpected(pair.error());
    auto cert = ca->issueServer(pair->csr_pem, config.server_names, now, std::chrono::days{397});
    if (!cert) return std::unexpected(cert.error());
    if (auto ok = protocol::writeFileAtomically(files.server_key, pair->key_pem, 0600); !ok) {
      return std::unexpected(ok.error());
    }
    if (auto ok = protocol::writeFileAtomically(files.server_certificate, cert->pem, 0644); !ok) {
      return std::unexpected(ok.error());
    }
  }
  return CollectorState{std::move(*ca), std::move(files)};
}

}  // namespace mamori::collector
