// The enrollment CA (第86条): the PC keeps its key, the CA vouches only for what it checked.

#include "mamori/collector/enrollment_ca.hpp"

#include <doctest/doctest.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

using namespace mamori;
using collector::EnrollmentCa;
using namespace std::chrono_literals;

namespace {

const policy::TimePoint kNow = std::chrono::sys_days{std::chrono::year{2026} / 11 / 22};
constexpr std::chrono::days kYear{365};
constexpr std::chrono::days kMonth{30};

struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;

// What the agent does at enrollment: its own key pair, and a request signed with it.
std::string request(EVP_PKEY* key, std::string_view cn = "whatever the PC claims") {
  X509_REQ* req = X509_REQ_new();
  X509_NAME_add_entry_by_txt(X509_REQ_get_subject_name(req), "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(cn.data()),
                             static_cast<int>(cn.size()), -1, 0);
  X509_REQ_set_pubkey(req, key);
  X509_REQ_sign(req, key, EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519 ? nullptr : EVP_sha256());
  BIO* out = BIO_new(BIO_s_mem());
  PEM_write_bio_X509_REQ(out, req);
  char* data = nullptr;
  const long size = BIO_get_mem_data(out, &data);
  std::string pem(data, static_cast<std::size_t>(size));
  BIO_free(out);
  X509_REQ_free(req);
  return pem;
}

X509* parse(const std::string& pem) {
  BIO* in = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* cert = PEM_read_bio_X509(in, nullptr, nullptr, nullptr);
  BIO_free(in);
  return cert;
}

EnrollmentCa makeCa() {
  auto ca = EnrollmentCa::create("総務課テスト", kNow, std::chrono::days{3650});
  REQUIRE_MESSAGE(ca.has_value(), ca.error().message);
  return std::move(*ca);
}

}  // namespace

TEST_CASE("NET-1: a device certificate names the device, allows client auth only, and chains") {
  const auto ca = makeCa();
  const Key device(EVP_EC_gen("P-256"));
  const auto issued = ca.issue(request(device.get()), "3d1219c7-pc014", kNow, kYear);
  REQUIRE_MESSAGE(issued.has_value(), issued.error().message);
  CHECK(issued->serial.size() == 32);
  CHECK(issued->sha256_fingerprint.size() == 64);
  CHECK(issued->not_after == kNow + kYear);

  X509* cert = parse(issued->pem);
  REQUIRE(cert != nullptr);
  char cn[128] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof cn);
  CHECK(std::string(cn) == "3d1219c7-pc014");  // not what the request claimed
  CHECK(X509_check_purpose(cert, X509_PURPOSE_SSL_CLIENT, 0) == 1);
  CHECK(X509_check_purpose(cert, X509_PURPOSE_SSL_SERVER, 0) == 0);
  CHECK(X509_check_ca(cert) == 0);
  X509_free(cert);

  CHECK(ca.deviceOf(issued->pem, kNow + 1h) == "3d1219c7-pc014");
}

TEST_CASE("NET-1: serial numbers are random, so two certificates never share one") {
  const auto ca = makeCa();
  const Key device(EVP_EC_gen("P-256"));
  const auto a = ca.issue(request(device.get()), "pc-a", kNow, kYear);
  const auto b = ca.issue(request(device.get()), "pc-a", kNow, kYear);
  REQUIRE((a && b));
  CHECK(a->serial != b->serial);
}

TEST_CASE("NET-1: Ed25519 and RSA-2048 keys are accepted, RSA-1024 and secp256k1 are not") {
  const auto ca = makeCa();
  const Key ed(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  CHECK(ca.issue(request(ed.get()), "pc-ed", kNow, kMonth).has_value());
  const Key rsa(EVP_RSA_gen(2048));
  CHECK(ca.issue(request(rsa.get()), "pc-rsa", kNow, kMonth).has_value());

  const Key weak(EVP_RSA_gen(1024));
  auto r = ca.issue(request(weak.get()), "pc-weak", kNow, kMonth);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message == "the RSA key has 1024 bits; at least 2048 are required");
  const Key k1(EVP_EC_gen("secp256k1"));
  r = ca.issue(request(k1.get()), "pc-k1", kNow, kMonth);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message == "the EC key is on curve \"secp256k1\"; P-256 or P-384 are accepted");
}

TEST_CASE("NET-1: a request whose signature does not verify is refused") {
  const auto ca = makeCa();
  const Key device(EVP_EC_gen("P-256"));
  auto pem = request(device.get());
  // Flip one character of the base64 body near its end: the signature no longer matches.
  const auto end = pem.find("-----END");
  pem[end - 10] = pem[end - 10] == 'A' ? 'B' : 'A';
  const auto r = ca.issue(pem, "pc-x", kNow, kMonth);
  REQUIRE_FALSE(r.has_value());
  CHECK((r.error().message.starts_with("the request's signature does not verify") ||
         r.error().message.starts_with("not a PEM certificate request")));
  CHECK_FALSE(ca.issue("garbage", "pc-x", kNow, kMonth).has_value());
  CHECK(ca.issue(request(device.get()), "../etc", kNow, kMonth).error().code == ErrorCode::kUsage);
}

TEST_CASE("NET-1: another CA's certificate, or an expired one, names no device") {
  const auto ca = makeCa();
  const auto other = makeCa();
  const Key device(EVP_EC_gen("P-256"));
  const auto foreign = other.issue(request(device.get()), "pc-f", kNow, kMonth);
  REQUIRE(foreign.has_value());
  CHECK(ca.deviceOf(foreign->pem, kNow).error().message.starts_with("not issued by this CA"));
  const auto mine = ca.issue(request(device.get()), "pc-m", kNow, kMonth);
  REQUIRE(mine.has_value());
  CHECK(ca.deviceOf(mine->pem, kNow + 31 * 24h).error().message ==
        "the certificate is not valid now");
}

TEST_CASE("NET-1: the CA survives a restart through its PEM files, and a wrong pair is refused") {
  const auto ca = makeCa();
  const auto reloaded = EnrollmentCa::load(ca.privateKeyPem(), ca.certificatePem());
  REQUIRE(reloaded.has_value());
  const Key device(EVP_EC_gen("P-256"));
  const auto issued = reloaded->issue(request(device.get()), "pc-r", kNow, kMonth);
  REQUIRE(issued.has_value());
  CHECK(ca.deviceOf(issued->pem, kNow) == "pc-r");

  const auto other = makeCa();
  const auto mixed = EnrollmentCa::load(other.privateKeyPem(), ca.certificatePem());
  REQUIRE_FALSE(mixed.has_value());
  CHECK(mixed.error().message.starts_with("the private key does not belong to the certificate"));
  // The key never appears in an error.
  CHECK(mixed.error().message.find("PRIVATE") == std::string::npos);
}

TEST_CASE("NET-1: a device certificate never outlives the CA") {
  auto ca = EnrollmentCa::create("short", kNow, std::chrono::days{10});
  REQUIRE(ca.has_value());
  const Key device(EVP_EC_gen("P-256"));
  const auto issued = ca->issue(request(device.get()), "pc-s", kNow, kYear);
  REQUIRE(issued.has_value());
  CHECK(issued->not_after == kNow + std::chrono::days{10});
}
