#include "mamori/protocol/key_pair.hpp"

#include <openssl/pem.h>

#include "mamori/protocol/openssl_handles.hpp"

namespace mamori::protocol {
namespace {

// X.520 ub-common-name.
constexpr std::size_t kMaxCommonName = 64;

bool setSubject(X509_REQ* request, std::string_view common_name) {
  X509_NAME* name = X509_REQ_get_subject_name(request);
  return X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                    reinterpret_cast<const unsigned char*>(common_name.data()),
                                    static_cast<int>(common_name.size()), -1, 0) == 1;
}

}  // namespace

std::expected<std::string, Error> newPrivateKeyPem() {
  const ssl::Key key(EVP_EC_gen("P-256"));
  const ssl::Bio out(BIO_new(BIO_s_mem()));
  if (!key || !out ||
      PEM_write_bio_PKCS8PrivateKey(out.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) !=
          1) {
    return std::unexpected(ssl::error(ErrorCode::kIo, "cannot create a key pair"));
  }
  return ssl::contents(out.get());
}

std::expected<std::string, Error> certificateRequest(std::string_view key_pem,
                                                     std::string_view common_name) {
  if (common_name.empty() || common_name.size() > kMaxCommonName) {
    return std::unexpected(makeError(ErrorCode::kUsage, "the common name must be 1 to 64 bytes"));
  }
  const auto bio = ssl::readBio(key_pem);
  const ssl::Key key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!key) return std::unexpected(ssl::error(ErrorCode::kParse, "not a PEM private key"));
  const ssl::Request request(X509_REQ_new());
  const ssl::Bio out(BIO_new(BIO_s_mem()));
  if (!request || !out || X509_REQ_set_version(request.get(), X509_REQ_VERSION_1) != 1 ||
      !setSubject(request.get(), common_name) ||
      X509_REQ_set_pubkey(request.get(), key.get()) != 1 ||
      X509_REQ_sign(request.get(), key.get(), EVP_sha256()) <= 0 ||
      PEM_write_bio_X509_REQ(out.get(), request.get()) != 1) {
    return std::unexpected(ssl::error(ErrorCode::kIo, "cannot make the certificate request"));
  }
  return ssl::contents(out.get());
}

}  // namespace mamori::protocol
