#include "mamori/tuf/keys.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <boost/json.hpp>

#include "mamori/protocol/openssl_handles.hpp"
#include "mamori/tuf/canonical_json.hpp"

namespace mamori::tuf {
namespace {

constexpr std::string_view kEd25519 = "ed25519";
constexpr std::string_view kEcdsaScheme = "ecdsa-sha2-nistp256";
constexpr std::size_t kEd25519KeyBytes = 32;

const unsigned char* bytes(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

bool isEd25519(const PublicKey& key) { return key.keytype == kEd25519 && key.scheme == kEd25519; }

// securesystemslib has spelled the ECDSA key type both ways.
bool isEcdsaP256(const PublicKey& key) {
  return (key.keytype == "ecdsa" || key.keytype == kEcdsaScheme) && key.scheme == kEcdsaScheme;
}

// P-256 itself, not merely some 256-bit curve (secp256k1, brainpoolP256r1).
bool isP256(EVP_PKEY* key) {
  char group[64] = {};
  std::size_t length = 0;
  return key != nullptr && EVP_PKEY_is_a(key, "EC") &&
         EVP_PKEY_get_utf8_string_param(key, "group", group, sizeof group, &length) == 1 &&
         std::string_view(group, length) == "prime256v1";
}

ssl::Key loadPublicKey(const PublicKey& key) {
  if (isEd25519(key)) {
    const auto raw = ssl::fromHex(key.public_value);
    if (!raw || raw->size() != kEd25519KeyBytes) return nullptr;
    return ssl::Key(
        EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, bytes(*raw), raw->size()));
  }
  if (isEcdsaP256(key)) {
    auto bio = ssl::readBio(key.public_value);
    ssl::Key loaded(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
    return isP256(loaded.get()) ? std::move(loaded) : nullptr;
  }
  return nullptr;
}

// Ed25519 signs the message itself; ECDSA signs its SHA-256.
const EVP_MD* digestFor(EVP_PKEY* key) {
  return EVP_PKEY_is_a(key, "ED25519") ? nullptr : EVP_sha256();
}

}  // namespace

boost::json::object toJson(const PublicKey& key) {
  return {{"keytype", key.keytype},
          {"scheme", key.scheme},
          {"keyval", boost::json::object{{"public", key.public_value}}}};
}

std::string keyId(const PublicKey& key) {
  // Strings and objects only: the canonical form always exists.
  return hexDigest("sha256", *canonicalJson(toJson(key)));
}

bool verifySignature(const PublicKey& key, std::string_view signature_hex, std::string_view data) {
  const auto signature = ssl::fromHex(signature_hex);
  ssl::Key loaded = loadPublicKey(key);
  if (!signature || !loaded) return false;
  ssl::DigestContext ctx(EVP_MD_CTX_new());
  const bool valid = ctx &&
                     EVP_DigestVerifyInit(ctx.get(), nullptr, digestFor(loaded.get()), nullptr,
                                          loaded.get()) == 1 &&
                     EVP_DigestVerify(ctx.get(), bytes(*signature), signature->size(), bytes(data),
                                      data.size()) == 1;
  ERR_clear_error();  // a bad signature leaves reasons queued that nobody will read
  return valid;
}

std::string keyMaterial(const PublicKey& key) {
  ssl::Key loaded = loadPublicKey(key);
  if (!loaded) return {};
  unsigned char* der = nullptr;
  const int length = i2d_PUBKEY(loaded.get(), &der);
  if (length <= 0) return {};
  std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(length));
  OPENSSL_free(der);
  return out;
}

std::string hexDigest(std::string_view algorithm, std::string_view data) {
  const EVP_MD* md = algorithm == "sha256"   ? EVP_sha256()
                     : algorithm == "sha512" ? EVP_sha512()
                                             : nullptr;
  if (md == nullptr) return {};
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest, &size, md, nullptr);
  return ssl::hex(digest, size);
}

struct SigningKey::Impl {
  ssl::Key key;
};

SigningKey::SigningKey(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {
  EVP_PKEY* key = impl_->key.get();
  if (EVP_PKEY_is_a(key, "ED25519")) {
    unsigned char raw[kEd25519KeyBytes];
    std::size_t size = sizeof raw;
    EVP_PKEY_get_raw_public_key(key, raw, &size);
    public_ = {std::string(kEd25519), std::string(kEd25519), ssl::hex(raw, size)};
  } else {
    ssl::Bio bio(BIO_new(BIO_s_mem()));
    PEM_write_bio_PUBKEY(bio.get(), key);
    public_ = {"ecdsa", std::string(kEcdsaScheme), ssl::contents(bio.get())};
  }
  keyid_ = keyId(public_);
}

SigningKey::SigningKey(SigningKey&&) noexcept = default;
SigningKey& SigningKey::operator=(SigningKey&&) noexcept = default;
SigningKey::~SigningKey() = default;

std::expected<SigningKey, Error> SigningKey::generate(Type type) {
  ssl::Key key(type == Type::kEd25519 ? EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")
                                      : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) return std::unexpected(ssl::error(ErrorCode::kIo, "cannot generate a signing key"));
  return SigningKey(std::make_unique<Impl>(Impl{std::move(key)}));
}

std::expected<SigningKey, Error> SigningKey::fromPem(std::string_view private_key_pem) {
  auto bio = ssl::readBio(private_key_pem);
  ssl::Key key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  const bool supported = key && (EVP_PKEY_is_a(key.get(), "ED25519") || isP256(key.get()));
  if (!supported) {
    return std::unexpected(ssl::error(
        ErrorCode::kParse, "not an unencrypted PKCS#8 PEM Ed25519 or ECDSA P-256 private key"));
  }
  return SigningKey(std::make_unique<Impl>(Impl{std::move(key)}));
}

std::string SigningKey::privatePem() const {
  ssl::Bio bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), impl_->key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  return ssl::contents(bio.get());
}

std::expected<std::string, Error> SigningKey::sign(std::string_view data) const {
  EVP_PKEY* key = impl_->key.get();
  ssl::DigestContext ctx(EVP_MD_CTX_new());
  std::size_t size = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, digestFor(key), nullptr, key) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &size, bytes(data), data.size()) != 1) {
    return std::unexpected(ssl::error(ErrorCode::kIo, "cannot sign"));
  }
  std::string signature(size, '\0');
  auto* out = reinterpret_cast<unsigned char*>(signature.data());
  if (EVP_DigestSign(ctx.get(), out, &size, bytes(data), data.size()) != 1) {
    return std::unexpected(ssl::error(ErrorCode::kIo, "cannot sign"));
  }
  return ssl::hex(out, size);
}

}  // namespace mamori::tuf
