#include "mamori/tuf/keys.hpp"

#include <doctest/doctest.h>

using mamori::tuf::hexDigest;
using mamori::tuf::keyId;
using mamori::tuf::PublicKey;
using mamori::tuf::SigningKey;
using mamori::tuf::verifySignature;

TEST_CASE("an Ed25519 signature verifies with RFC 8032's first test vector") {
  const PublicKey key{"ed25519", "ed25519",
                      "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"};
  const std::string signature =
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9"
      "b46bd25bf5f0595bbe24655141438e7a100b";
  CHECK(verifySignature(key, signature, ""));
  CHECK_FALSE(verifySignature(key, signature, "x"));
}

TEST_CASE("a signing key's signature verifies with its public key and nothing else") {
  for (const auto type : {SigningKey::Type::kEd25519, SigningKey::Type::kEcdsaP256}) {
    auto key = SigningKey::generate(type);
    REQUIRE(key);
    auto other = SigningKey::generate(type);
    REQUIRE(other);
    const auto signature = key->sign("signed bytes");
    REQUIRE(signature);
    CHECK(verifySignature(key->publicKey(), *signature, "signed bytes"));
    CHECK_FALSE(verifySignature(key->publicKey(), *signature, "signed bytez"));
    CHECK_FALSE(verifySignature(other->publicKey(), *signature, "signed bytes"));
    auto flipped = *signature;
    flipped[10] = flipped[10] == '0' ? '1' : '0';
    CHECK_FALSE(verifySignature(key->publicKey(), flipped, "signed bytes"));
    CHECK_FALSE(verifySignature(key->publicKey(), "not hex", "signed bytes"));
  }
}

TEST_CASE("keys are written as the specification shows them") {
  auto ed = SigningKey::generate(SigningKey::Type::kEd25519);
  auto ec = SigningKey::generate(SigningKey::Type::kEcdsaP256);
  REQUIRE(ed);
  REQUIRE(ec);
  CHECK(ed->publicKey().keytype == "ed25519");
  CHECK(ed->publicKey().scheme == "ed25519");
  CHECK(ed->publicKey().public_value.size() == 64);
  CHECK(ec->publicKey().keytype == "ecdsa");
  CHECK(ec->publicKey().scheme == "ecdsa-sha2-nistp256");
  CHECK(ec->publicKey().public_value.starts_with("-----BEGIN PUBLIC KEY-----"));
}

TEST_CASE("a key id is the SHA-256 of the key's canonical JSON") {
  const PublicKey key{"ed25519", "ed25519", "ab"};
  CHECK(
      keyId(key) ==
      hexDigest("sha256", R"({"keytype":"ed25519","keyval":{"public":"ab"},"scheme":"ed25519"})"));
}

TEST_CASE("a signing key survives its PEM file, and a key of another kind is refused") {
  auto key = SigningKey::generate(SigningKey::Type::kEcdsaP256);
  REQUIRE(key);
  auto loaded = SigningKey::fromPem(key->privatePem());
  REQUIRE(loaded);
  CHECK(loaded->keyid() == key->keyid());
  const auto refused =
      SigningKey::fromPem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message.find("Ed25519 or ECDSA P-256") != std::string::npos);
}

TEST_CASE("a key of a type mamori does not implement never verifies anything") {
  auto key = SigningKey::generate(SigningKey::Type::kEd25519);
  REQUIRE(key);
  auto public_key = key->publicKey();
  const auto signature = key->sign("data");
  REQUIRE(signature);
  public_key.scheme = "rsassa-pss-sha256";
  CHECK_FALSE(verifySignature(public_key, *signature, "data"));
}
