// The device key pair and the certificate request enrollment sends (the private key stays here).

#include "device_key.hpp"

#include <doctest/doctest.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "mamori/protocol/atomic_file.hpp"
#include "mamori/protocol/openssl_handles.hpp"
#include "temp_root.hpp"

namespace mamori::agent {
namespace {

namespace fs = std::filesystem;
using protocol::writeFileAtomically;
using testing::TempRoot;

std::string slurp(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

mode_t modeOf(const fs::path& file) {
  struct stat st {};
  REQUIRE(::stat(file.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

ssl::Request parseRequest(const std::string& pem) {
  const ssl::Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return ssl::Request(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
}

ssl::Key parseKey(const std::string& pem) {
  const ssl::Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return ssl::Key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
}

std::string commonName(X509_REQ* request) {
  char name[128] = {};
  X509_NAME_get_text_by_NID(X509_REQ_get_subject_name(request), NID_commonName, name, sizeof name);
  return name;
}

TEST_CASE("a new device key is an unencrypted PKCS8 P-256 key readable by its owner alone") {
  const TempRoot dir;
  const auto key_file = dir.path() / "device.key";
  REQUIRE(createDeviceKey(key_file).has_value());
  CHECK(modeOf(key_file) == 0600);
  const auto pem = slurp(key_file);
  CHECK(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
  const auto key = parseKey(pem);
  REQUIRE(key);
  CHECK(EVP_PKEY_get_base_id(key.get()) == EVP_PKEY_EC);
  char group[64] = {};
  std::size_t length = 0;
  EVP_PKEY_get_utf8_string_param(key.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                 &length);
  CHECK(std::string(group, length) == "prime256v1");
  // Nothing but the key is left in the directory (no temporary file).
  CHECK(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()) == 1);
}

TEST_CASE("a second createDeviceKey fails and leaves the first key untouched") {
  const TempRoot dir;
  const auto key_file = dir.path() / "device.key";
  REQUIRE(createDeviceKey(key_file).has_value());
  const auto before = slurp(key_file);
  const auto written = fs::last_write_time(key_file);
  const auto again = createDeviceKey(key_file);
  REQUIRE_FALSE(again.has_value());
  CHECK(again.error().code == ErrorCode::kUsage);
  CHECK(slurp(key_file) == before);
  CHECK(fs::last_write_time(key_file) == written);
  CHECK(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()) == 1);
}

TEST_CASE("two devices make different keys") {
  const TempRoot dir;
  REQUIRE(createDeviceKey(dir.path() / "a.key").has_value());
  REQUIRE(createDeviceKey(dir.path() / "b.key").has_value());
  CHECK(slurp(dir.path() / "a.key") != slurp(dir.path() / "b.key"));
}

TEST_CASE("the certificate request verifies with the device key and carries the host name") {
  const TempRoot dir;
  const auto key_file = dir.path() / "device.key";
  REQUIRE(createDeviceKey(key_file).has_value());
  const auto csr = makeCertificateRequest(key_file, "pc-0042");
  REQUIRE_MESSAGE(csr.has_value(), csr.error().describe());
  CHECK(csr->starts_with("-----BEGIN CERTIFICATE REQUEST-----\n"));
  const auto request = parseRequest(*csr);
  REQUIRE(request);
  EVP_PKEY* public_key = X509_REQ_get0_pubkey(request.get());
  REQUIRE(public_key != nullptr);
  // What the collector's CA checks: the request proves possession of the key it names.
  CHECK(X509_REQ_verify(request.get(), public_key) == 1);
  // ... and that key is the one on disk.
  const auto key = parseKey(slurp(key_file));
  CHECK(EVP_PKEY_eq(key.get(), public_key) == 1);
  CHECK(X509_REQ_get_signature_nid(request.get()) == NID_ecdsa_with_SHA256);
  CHECK(commonName(request.get()) == "pc-0042");
}

TEST_CASE("the certificate request does not contain the private key") {
  const TempRoot dir;
  const auto key_file = dir.path() / "device.key";
  REQUIRE(createDeviceKey(key_file).has_value());
  const auto csr = makeCertificateRequest(key_file, "pc-0042");
  REQUIRE(csr.has_value());
  const auto request = parseRequest(*csr);
  REQUIRE(request);
  // The key it carries is the public half only.
  BIGNUM* leaked = nullptr;
  CHECK(EVP_PKEY_get_bn_param(X509_REQ_get0_pubkey(request.get()), OSSL_PKEY_PARAM_PRIV_KEY,
                              &leaked) == 0);
  BN_free(leaked);
  // And the private scalar's bytes appear nowhere in the encoded request.
  const auto key = parseKey(slurp(key_file));
  BIGNUM* scalar = nullptr;
  REQUIRE(EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_PRIV_KEY, &scalar) == 1);
  std::string secret(32, '\0');
  BN_bn2binpad(scalar, reinterpret_cast<unsigned char*>(secret.data()), 32);
  BN_clear_free(scalar);
  unsigned char* der = nullptr;
  const int size = i2d_X509_REQ(request.get(), &der);
  REQUIRE(size > 0);
  const std::string encoded(reinterpret_cast<const char*>(der), static_cast<std::size_t>(size));
  OPENSSL_free(der);
  CHECK(encoded.find(secret) == std::string::npos);
}

TEST_CASE("a certificate request needs a readable key and a common name of 1 to 64 bytes") {
  const TempRoot dir;
  const auto key_file = dir.path() / "device.key";
  const auto missing = makeCertificateRequest(key_file, "pc");
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().code == ErrorCode::kIo);

  dir.write("/device.key",
            "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n");
  const auto garbage = makeCertificateRequest(key_file, "pc");
  REQUIRE_FALSE(garbage.has_value());
  CHECK(garbage.error().code == ErrorCode::kParse);

  fs::remove(key_file);
  REQUIRE(createDeviceKey(key_file).has_value());
  CHECK(makeCertificateRequest(key_file, "").error().code == ErrorCode::kUsage);
  CHECK(makeCertificateRequest(key_file, std::string(65, 'a')).error().code == ErrorCode::kUsage);
  CHECK(makeCertificateRequest(key_file, std::string(64, 'a')).has_value());
}

TEST_CASE("an atomically written certificate replaces the old one with exactly the given mode") {
  const TempRoot dir;
  const auto file = dir.path() / "device.crt";
  const mode_t saved = ::umask(077);  // the mode must not depend on the umask
  REQUIRE(writeFileAtomically(file, "old", 0644).has_value());
  REQUIRE(writeFileAtomically(file, "new certificate", 0644).has_value());
  ::umask(saved);
  CHECK(slurp(file) == "new certificate");
  CHECK(modeOf(file) == 0644);
  CHECK(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()) == 1);
}

TEST_CASE("an atomic write into a missing directory fails with the reason and leaves nothing") {
  const TempRoot dir;
  const auto written = writeFileAtomically(dir.path() / "no" / "such.crt", "x", 0644);
  REQUIRE_FALSE(written.has_value());
  CHECK(written.error().code == ErrorCode::kIo);
  CHECK(written.error().message.find("No such file") != std::string::npos);
  CHECK(fs::is_empty(dir.path()));
}

}  // namespace
}  // namespace mamori::agent
