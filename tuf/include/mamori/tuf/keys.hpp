#pragma once

// The keys of TUF metadata, in the form the specification and securesystemslib give them:
//   ed25519: {"keytype": "ed25519", "scheme": "ed25519", "keyval": {"public": "<64 hex>"}}
//   ECDSA:   {"keytype": "ecdsa", "scheme": "ecdsa-sha2-nistp256", "keyval": {"public": "<PEM>"}}
// Signatures are lower-case hex (ECDSA: of the DER signature over SHA-256). A key of another
// type is kept, so that a document naming it still parses, but never verifies anything.

#include <boost/json/object.hpp>
#include <expected>
#include <memory>
#include <string>
#include <string_view>

#include "mamori/error.hpp"

namespace mamori::tuf {

struct PublicKey {
  std::string keytype;
  std::string scheme;
  std::string public_value;  ///< keyval.public

  bool operator==(const PublicKey&) const = default;
};

/// {"keytype", "scheme", "keyval": {"public"}}.
boost::json::object toJson(const PublicKey& key);

/// The key id mamori gives a key: SHA-256 over the canonical JSON of `toJson(key)`, lower-case
/// hex (what python-tuf computes). Ids in metadata written elsewhere are taken as they are.
std::string keyId(const PublicKey& key);

/// The key itself, whatever its spelling (hex case, PEM wrapping, `ecdsa` or
/// `ecdsa-sha2-nistp256`): its DER SubjectPublicKeyInfo. Empty for a key mamori cannot load.
std::string keyMaterial(const PublicKey& key);

/// Whether `signature_hex` is `key`'s valid signature over `data`. False for malformed hex, a
/// malformed key, or a key type or scheme mamori does not implement.
bool verifySignature(const PublicKey& key, std::string_view signature_hex, std::string_view data);

/// An offline or online signing key. Its private half stays in this object and in the PKCS#8
/// PEM file the admin keeps; nothing here logs it.
class SigningKey {
 public:
  enum class Type { kEd25519, kEcdsaP256 };

  static std::expected<SigningKey, Error> generate(Type type);
  /// From an unencrypted PKCS#8 PEM (Ed25519 or P-256). Error kParse otherwise.
  static std::expected<SigningKey, Error> fromPem(std::string_view private_key_pem);

  SigningKey(SigningKey&&) noexcept;
  SigningKey& operator=(SigningKey&&) noexcept;
  ~SigningKey();

  [[nodiscard]] const PublicKey& publicKey() const { return public_; }
  [[nodiscard]] const std::string& keyid() const { return keyid_; }
  [[nodiscard]] std::string privatePem() const;
  /// The hex signature over `data`.
  [[nodiscard]] std::expected<std::string, Error> sign(std::string_view data) const;

 private:
  struct Impl;
  explicit SigningKey(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
  PublicKey public_;
  std::string keyid_;
};

/// Lower-case hex digest of `data` with `algorithm` ("sha256" or "sha512"); empty for another.
std::string hexDigest(std::string_view algorithm, std::string_view data);

}  // namespace mamori::tuf
