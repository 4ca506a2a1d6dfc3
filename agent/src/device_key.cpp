#include "device_key.hpp"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <fstream>
#include <iterator>
#include <system_error>

#include "atomic_file.hpp"
#include "openssl_ptr.hpp"

namespace mamori::agent {
namespace {

namespace fs = std::filesystem;

// A PEM key is a few hundred bytes; a larger file is not one.
constexpr std::uintmax_t kMaxKeyFileSize = 64 * 1024;
// X.520 ub-common-name.
constexpr std::size_t kMaxCommonName = 64;

Error failure(ErrorCode code, std::string message, const fs::path& file = {}) {
  Error e;
  e.code = code;
  e.message = std::move(message);
  e.file = file.string();
  return e;
}

// `what` and the reasons OpenSSL queued (the queue is emptied).
Error opensslError(ErrorCode code, std::string what, const fs::path& file = {}) {
  char reason[256];
  while (const unsigned long e = ERR_get_error()) {
    ERR_error_string_n(e, reason, sizeof reason);
    what += std::string(": ") + reason;
  }
  return failure(code, std::move(what), file);
}

std::string contents(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string();
}

// Private key material is wiped from memory once written or parsed.
struct Wiped {
  std::string text;
  ~Wiped() { OPENSSL_cleanse(text.data(), text.size()); }
};

std::expected<ssl::Key, Error> readKey(const fs::path& key_file) {
  std::error_code ec;
  const auto size = fs::file_size(key_file, ec);
  if (ec) return std::unexpected(failure(ErrorCode::kIo, ec.message(), key_file));
  if (size > kMaxKeyFileSize) {
    return std::unexpected(failure(ErrorCode::kParse, "too large for a private key", key_file));
  }
  std::ifstream in(key_file, std::ios::binary);
  Wiped pem{{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()}};
  if (in.bad()) return std::unexpected(failure(ErrorCode::kIo, "cannot read", key_file));
  const ssl::Bio bio(BIO_new_mem_buf(pem.text.data(), static_cast<int>(pem.text.size())));
  ssl::Key key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!key)
    return std::unexpected(opensslError(ErrorCode::kParse, "not a PEM private key", key_file));
  return key;
}

bool setSubject(X509_REQ* request, std::string_view common_name) {
  X509_NAME* name = X509_REQ_get_subject_name(request);
  return X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                    reinterpret_cast<const unsigned char*>(common_name.data()),
                                    static_cast<int>(common_name.size()), -1, 0) == 1;
}

}  // namespace

std::expected<void, Error> createDeviceKey(const fs::path& key_file) {
  std::error_code ec;
  if (fs::exists(fs::symlink_status(key_file, ec))) {
    return std::unexpected(
        failure(ErrorCode::kUsage, "a device key exists already; it is never replaced", key_file));
  }
  const ssl::Key key(EVP_EC_gen("P-256"));
  const ssl::Bio out(BIO_new(BIO_s_mem()));
  if (!key || !out ||
      PEM_write_bio_PKCS8PrivateKey(out.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) !=
          1) {
    return std::unexpected(opensslError(ErrorCode::kIo, "cannot create the device key", key_file));
  }
  const Wiped pem{contents(out.get())};
  return writeFileAtomically(key_file, pem.text, 0600, IfExists::kFail);
}

std::expected<std::string, Error> makeCertificateRequest(const fs::path& key_file,
                                                         std::string_view common_name) {
  if (common_name.empty() || common_name.size() > kMaxCommonName) {
    return std::unexpected(failure(ErrorCode::kUsage, "the common name must be 1 to 64 bytes"));
  }
  const auto key = readKey(key_file);
  if (!key) return std::unexpected(key.error());
  const ssl::Request request(X509_REQ_new());
  const ssl::Bio out(BIO_new(BIO_s_mem()));
  if (!request || !out || X509_REQ_set_version(request.get(), X509_REQ_VERSION_1) != 1 ||
      !setSubject(request.get(), common_name) ||
      X509_REQ_set_pubkey(request.get(), key->get()) != 1 ||
      X509_REQ_sign(request.get(), key->get(), EVP_sha256()) <= 0 ||
      PEM_write_bio_X509_REQ(out.get(), request.get()) != 1) {
    return std::unexpected(
        opensslError(ErrorCode::kIo, "cannot make the certificate request", key_file));
  }
  return contents(out.get());
}

}  // namespace mamori::agent
