#include "collector_state.hpp"

#include <fcntl.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "openssl_handles.hpp"

namespace mamori::collector {
namespace {

namespace fs = std::filesystem;

Error fileError(const fs::path& file, std::string message) {
  Error e;
  e.code = ErrorCode::kIo;
  e.message = std::move(message);
  e.file = file.string();
  return e;
}

std::expected<EnrollmentCa, Error> loadOrCreateCa(const fs::path& dir, policy::TimePoint now) {
  const auto key = dir / "ca.key", cert = dir / "ca.crt";
  if (fs::exists(key) || fs::exists(cert)) {
    auto key_pem = readSmallFile(key, 64 << 10);
    auto cert_pem = readSmallFile(cert, 64 << 10);
    if (!key_pem) return std::unexpected(key_pem.error());
    if (!cert_pem) return std::unexpected(cert_pem.error());
    auto ca = EnrollmentCa::load(*key_pem, *cert_pem);
    if (!ca) ca.error().file = cert.string();
    return ca;
  }
  auto ca = EnrollmentCa::create("collector", now, std::chrono::days{3650});
  if (!ca) return ca;
  if (auto ok = writeFileAtomically(key, ca->privateKeyPem(), 0600); !ok) {
    return std::unexpected(ok.error());
  }
  if (auto ok = writeFileAtomically(cert, ca->certificatePem(), 0644); !ok) {
    return std::unexpected(ok.error());
  }
  return ca;
}

// The names and expiry of the current server certificate, to decide whether to renew it.
bool serverCertificateCurrent(const fs::path& cert_file, const std::vector<std::string>& names,
                              policy::TimePoint now) {
  auto pem = readSmallFile(cert_file, 64 << 10);
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
  const ssl::Key key(EVP_EC_gen("P-256"));
  const ssl::Request request(X509_REQ_new());
  if (!key || !request) return std::unexpected(ssl::error(ErrorCode::kIo, "no key pair"));
  X509_NAME* name = X509_REQ_get_subject_name(request.get());
  const std::string cn(common_name);
  if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1,
                                 0) != 1 ||
      X509_REQ_set_pubkey(request.get(), key.get()) != 1 ||
      X509_REQ_sign(request.get(), key.get(), EVP_sha256()) == 0) {
    return std::unexpected(ssl::error(ErrorCode::kIo, "cannot make the certificate request"));
  }
  const ssl::Bio key_out(BIO_new(BIO_s_mem())), csr_out(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_PrivateKey(key_out.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) !=
          1 ||
      PEM_write_bio_X509_REQ(csr_out.get(), request.get()) != 1) {
    return std::unexpected(ssl::error(ErrorCode::kIo, "cannot write the key pair"));
  }
  return KeyAndRequest{ssl::contents(key_out.get()), ssl::contents(csr_out.get())};
}

std::expected<void, Error> writeFileAtomically(const fs::path& file, std::string_view content,
                                               unsigned mode) {
  const fs::path temp = file.string() + ".tmp";
  const int fd =
      ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, static_cast<mode_t>(mode));
  if (fd < 0) return std::unexpected(fileError(temp, std::strerror(errno)));
  const bool written =
      ::fchmod(fd, static_cast<mode_t>(mode)) == 0 &&
      ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()) &&
      ::fsync(fd) == 0;
  ::close(fd);
  if (!written || ::rename(temp.c_str(), file.c_str()) != 0) {
    return std::unexpected(fileError(file, std::strerror(errno)));
  }
  return {};
}

std::expected<CollectorState, Error> prepareState(const CollectorConfig& config,
                                                  policy::TimePoint now) {
  std::error_code ec;
  fs::create_directories(config.state_dir, ec);
  if (ec) return std::unexpected(fileError(config.state_dir, ec.message()));
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
    if (auto ok = writeFileAtomically(files.server_key, pair->key_pem, 0600); !ok) {
      return std::unexpected(ok.error());
    }
    if (auto ok = writeFileAtomically(files.server_certificate, cert->pem, 0644); !ok) {
      return std::unexpected(ok.error());
    }
  }
  return CollectorState{std::move(*ca), std::move(files)};
}

}  // namespace mamori::collector
