#include "device_key.hpp"

#include <openssl/crypto.h>

#include <fstream>
#include <iterator>
#include <system_error>

#include "mamori/protocol/key_pair.hpp"

namespace mamori::agent {
namespace {

namespace fs = std::filesystem;

// A PEM key is a few hundred bytes; a larger file is not one.
constexpr std::uintmax_t kMaxKeyFileSize = 64 * 1024;

// Private key material is wiped from memory once written or parsed.
struct Wiped {
  std::string text;
  ~Wiped() { OPENSSL_cleanse(text.data(), text.size()); }
};

std::expected<void, Error> readKeyFile(const fs::path& key_file, Wiped& pem) {
  std::error_code ec;
  const auto size = fs::file_size(key_file, ec);
  if (ec) return std::unexpected(makeError(ErrorCode::kIo, ec.message(), key_file));
  if (size > kMaxKeyFileSize) {
    return std::unexpected(makeError(ErrorCode::kParse, "too large for a private key", key_file));
  }
  std::ifstream in(key_file, std::ios::binary);
  pem.text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad()) return std::unexpected(makeError(ErrorCode::kIo, "cannot read", key_file));
  return {};
}

}  // namespace

std::expected<void, Error> createDeviceKey(const fs::path& key_file) {
  std::error_code ec;
  if (fs::exists(fs::symlink_status(key_file, ec))) {
    return std::unexpected(makeError(
        ErrorCode::kUsage, "a device key exists already; it is never replaced", key_file));
  }
  auto key = protocol::newPrivateKeyPem();
  if (!key) {
    key.error().file = key_file.string();
    return std::unexpected(key.error());
  }
  const Wiped pem{std::move(*key)};
  return protocol::writeFileAtomically(key_file, pem.text, 0600, protocol::IfExists::kFail);
}

std::expected<std::string, Error> makeCertificateRequest(const fs::path& key_file,
                                                         std::string_view common_name) {
  Wiped pem;
  if (auto read = readKeyFile(key_file, pem); !read) return std::unexpected(read.error());
  auto request = protocol::certificateRequest(pem.text, common_name);
  if (!request) request.error().file = key_file.string();
  return request;
}

}  // namespace mamori::agent
