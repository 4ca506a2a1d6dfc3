// The Windows agent's key material under wine's CryptoAPI (第86条): a key made on the PC and
// kept, a certificate request it signed, a certificate bound to it; and the pin that decides
// whether the collector is trusted.

#include "device_credentials.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string_view>
#include <vector>

#include "https_client.hpp"

namespace mamori::agent::windows {
namespace {

const std::wstring kContainer = L"mamori-test-device";

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(MAMORI_WINDOWS_FIXTURES) + "/" + name, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  REQUIRE_MESSAGE(!text.str().empty(), name);
  return text.str();
}

struct ContainerCleanup {
  ContainerCleanup() { (void)DeviceCredentials::destroy(kContainer); }
  ~ContainerCleanup() { (void)DeviceCredentials::destroy(kContainer); }
};

// The elements of a DER SEQUENCE, each with its tag and length.
std::vector<std::string> derElements(std::string_view sequence) {
  const auto length_at = [&](std::size_t at, std::size_t& header) {
    const auto first = static_cast<unsigned char>(sequence[at + 1]);
    if (first < 0x80) {
      header = 2;
      return static_cast<std::size_t>(first);
    }
    std::size_t length = 0;
    header = 2 + (first & 0x7f);
    for (std::size_t i = 0; i < (first & 0x7fu); ++i) {
      length = (length << 8) | static_cast<unsigned char>(sequence[at + 2 + i]);
    }
    return length;
  };
  std::size_t header = 0;
  length_at(0, header);
  std::vector<std::string> elements;
  for (std::size_t at = header; at < sequence.size();) {
    const auto length = length_at(at, header);
    elements.emplace_back(sequence.substr(at, header + length));
    at += header + length;
  }
  return elements;
}

// The request's DER, decoded as the signed structure X.509 and PKCS#10 share.
struct DecodedRequest {
  std::string der;
  CERT_SIGNED_CONTENT_INFO* signed_content = nullptr;
  ~DecodedRequest() { LocalFree(signed_content); }
};

TEST_CASE("第86条: the PC's key signs its own certificate request, and is kept") {
  const ContainerCleanup cleanup;
  std::string first;  // the request's DER from the first run
  {
    const auto credentials = DeviceCredentials::openOrCreate(kContainer);
    REQUIRE_MESSAGE(credentials, (credentials ? "" : credentials.error()));
    const auto pem = credentials->certificateRequest("soumu-pc-014");
    REQUIRE_MESSAGE(pem, (pem ? "" : pem.error()));
    CHECK(pem->starts_with("-----BEGIN CERTIFICATE REQUEST-----\n"));
    CHECK(pem->ends_with("-----END CERTIFICATE REQUEST-----\n"));

    DecodedRequest request;
    auto der = pemBlock(*pem, "CERTIFICATE REQUEST");
    REQUIRE(der);
    request.der = *der;
    DWORD size = 0;
    REQUIRE(CryptDecodeObjectEx(X509_ASN_ENCODING, X509_CERT,
                                reinterpret_cast<const BYTE*>(request.der.data()),
                                static_cast<DWORD>(request.der.size()), CRYPT_DECODE_ALLOC_FLAG,
                                nullptr, &request.signed_content, &size));
    CHECK(std::string(request.signed_content->SignatureAlgorithm.pszObjId) == szOID_RSA_SHA256RSA);
    CHECK(request.signed_content->Signature.cbData == 256);  // RSA 2048

    // The signature verifies with the public key inside the request (proof of possession).
    // wine decodes no request info, so its parts are taken apart here: version, subject, key.
    const auto parts =
        derElements({reinterpret_cast<const char*>(request.signed_content->ToBeSigned.pbData),
                     request.signed_content->ToBeSigned.cbData});
    REQUIRE(parts.size() == 4);
    CHECK(parts[0] == std::string("\x02\x01\x00", 3));  // version 1
    CERT_PUBLIC_KEY_INFO* key = nullptr;
    REQUIRE(CryptDecodeObjectEx(
        X509_ASN_ENCODING, X509_PUBLIC_KEY_INFO, reinterpret_cast<const BYTE*>(parts[2].data()),
        static_cast<DWORD>(parts[2].size()), CRYPT_DECODE_ALLOC_FLAG, nullptr, &key, &size));
    CHECK(std::string(key->Algorithm.pszObjId) == szOID_RSA_RSA);
    CHECK(CryptVerifyCertificateSignature(0, X509_ASN_ENCODING,
                                          reinterpret_cast<const BYTE*>(request.der.data()),
                                          static_cast<DWORD>(request.der.size()), key));
    CERT_NAME_BLOB name{static_cast<DWORD>(parts[1].size()),
                        reinterpret_cast<BYTE*>(const_cast<char*>(parts[1].data()))};
    wchar_t subject[128] = {};
    CertNameToStrW(X509_ASN_ENCODING, &name, CERT_X500_NAME_STR, subject, 128);
    CHECK(std::wstring(subject) == L"CN=soumu-pc-014");
    // A tampered request does not verify.
    auto tampered = request.der;
    tampered[tampered.size() / 2] = static_cast<char>(tampered[tampered.size() / 2] ^ 0x01);
    CHECK_FALSE(CryptVerifyCertificateSignature(0, X509_ASN_ENCODING,
                                                reinterpret_cast<const BYTE*>(tampered.data()),
                                                static_cast<DWORD>(tampered.size()), key));
    LocalFree(key);

    first = request.der;
  }
  // Opened again (the next run of the service): the same key, not a new one. RSA PKCS#1 v1.5
  // signatures are deterministic: same key, same request, same bytes.
  {
    const auto reopened = DeviceCredentials::openOrCreate(kContainer);
    REQUIRE(reopened);
    CHECK(pemBlock(*reopened->certificateRequest("soumu-pc-014"), "CERTIFICATE REQUEST") == first);
  }
  // Destroyed (re-enrollment): a new key.
  REQUIRE(DeviceCredentials::destroy(kContainer));
  const auto fresh = DeviceCredentials::openOrCreate(kContainer);
  REQUIRE(fresh);
  CHECK(pemBlock(*fresh->certificateRequest("soumu-pc-014"), "CERTIFICATE REQUEST") != first);
}

TEST_CASE("第86条: a request's name is plain, and a certificate for another key is refused") {
  const ContainerCleanup cleanup;
  auto credentials = DeviceCredentials::openOrCreate(kContainer);
  REQUIRE(credentials);
  CHECK_FALSE(credentials->certificateRequest(""));
  CHECK_FALSE(credentials->certificateRequest("pc,O=evil"));
  CHECK_FALSE(credentials->certificateRequest(std::string(65, 'a')));
  const auto foreign = credentials->clientCertificate(fixture("collector.crt"));
  REQUIRE_FALSE(foreign);
  CHECK(foreign.error() == "the certificate is for another key than this PC's");
  CHECK_FALSE(credentials->clientCertificate("no certificate here"));
}

TEST_CASE("PEM: blocks round-trip, and text that is not one is named") {
  const std::string der("\x30\x03\x02\x01\x00\xff\xfe", 7);
  const auto pem = pemOf(der, "CERTIFICATE");
  CHECK(pem == "-----BEGIN CERTIFICATE-----\nMAMCAQD//g==\n-----END CERTIFICATE-----\n");
  CHECK(pemBlock(pem, "CERTIFICATE") == der);
  CHECK(pemBlock("noise\r\n" + pem, "CERTIFICATE") == der);
  CHECK(pemBlock(pem, "CERTIFICATE REQUEST").error() == "no PEM CERTIFICATE REQUEST");
  CHECK_FALSE(
      pemBlock("-----BEGIN CERTIFICATE-----\n*!*\n-----END CERTIFICATE-----\n", "CERTIFICATE"));
  const auto long_pem = pemOf(std::string(100, 'x'), "CERTIFICATE");
  CHECK(long_pem.find('\n', 28) - 28 == 64);  // lines of 64
}

TEST_CASE("the collector is trusted only through the pinned CA") {
  const auto ca = fixture("ca.crt");
  const auto leaf = certificateFromPem(fixture("collector.crt"));
  REQUIRE(leaf);
  CHECK(chainsToPinnedCa(leaf->get(), ca));
  // Two CAs pinned (a CA rollover): either will do.
  CHECK(chainsToPinnedCa(leaf->get(), fixture("other-ca.crt") + ca));

  const auto other = chainsToPinnedCa(leaf->get(), fixture("other-ca.crt"));
  REQUIRE_FALSE(other);
  CHECK(other.error() == "the collector's certificate (collector) does not chain to the pinned CA");
  CHECK(chainsToPinnedCa(leaf->get(), "not a CA").error() == "the pinned CA holds no certificate");

  // Behind an intermediate: trusted when the server sends the intermediate along.
  const auto behind = certificateFromPem(fixture("collector-via-intermediate.crt"));
  REQUIRE(behind);
  CHECK_FALSE(chainsToPinnedCa(behind->get(), ca));  // sent alone: no path
  const HCERTSTORE sent = CertOpenStore(CERT_STORE_PROV_MEMORY, 0, 0, 0, nullptr);
  const auto intermediate = certificateFromPem(fixture("intermediate.crt"));
  REQUIRE(intermediate);
  PCCERT_CONTEXT leaf_in_store = nullptr;
  REQUIRE(
      CertAddCertificateContextToStore(sent, behind->get(), CERT_STORE_ADD_ALWAYS, &leaf_in_store));
  REQUIRE(
      CertAddCertificateContextToStore(sent, intermediate->get(), CERT_STORE_ADD_ALWAYS, nullptr));
  CHECK(chainsToPinnedCa(leaf_in_store, ca));
  CHECK_FALSE(chainsToPinnedCa(leaf_in_store, fixture("other-ca.crt")));
  // The intermediate itself pinned (a city that pins its issuing CA) is enough too.
  CHECK(chainsToPinnedCa(leaf_in_store, fixture("intermediate.crt")));
  CertFreeCertificateContext(leaf_in_store);
  CertCloseStore(sent, 0);
}

// The chain `leaf` <- `intermediate` as a server sends it: both in the leaf's store.
struct SentChain {
  HCERTSTORE store = CertOpenStore(CERT_STORE_PROV_MEMORY, 0, 0, 0, nullptr);
  PCCERT_CONTEXT leaf = nullptr;
  SentChain(const std::string& leaf_pem, const std::string& intermediate_pem) {
    const auto l = certificateFromPem(leaf_pem);
    const auto i = certificateFromPem(intermediate_pem);
    REQUIRE((l && i));
    REQUIRE(CertAddCertificateContextToStore(store, l->get(), CERT_STORE_ADD_ALWAYS, &leaf));
    REQUIRE(CertAddCertificateContextToStore(store, i->get(), CERT_STORE_ADD_ALWAYS, nullptr));
  }
  ~SentChain() {
    CertFreeCertificateContext(leaf);
    CertCloseStore(store, 0);
  }
};

TEST_CASE("the pin: an enrolled PC's certificate can neither serve nor sign for the collector") {
  const auto ca = fixture("ca.crt");
  // A device certificate the same CA issued (clientAuth, not a CA) offered as the server's.
  const auto device = certificateFromPem(fixture("device.crt"));
  REQUIRE(device);
  const auto as_leaf = chainsToPinnedCa(device->get(), ca);
  REQUIRE_FALSE(as_leaf);
  CHECK(as_leaf.error().find("is not for a server (no serverAuth)") != std::string::npos);
  // A server certificate signed with that PC's key, the device certificate sent along as if
  // it were an intermediate: refused, it may sign nothing.
  const SentChain forged(fixture("forged-by-device.crt"), fixture("device.crt"));
  const auto refused = chainsToPinnedCa(forged.leaf, ca);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().find("which is not a CA that may sign it") != std::string::npos);
  // A pinned CA whose path length is 0 allows no intermediate below it (mamori's own CA).
  const SentChain below(fixture("collector-below-pathlen0.crt"),
                        fixture("intermediate-below-pathlen0.crt"));
  const auto too_deep = chainsToPinnedCa(below.leaf, fixture("ca-pathlen0.crt"));
  REQUIRE_FALSE(too_deep);
  CHECK(too_deep.error().find("allows no intermediate CA below it") != std::string::npos);
}

}  // namespace
}  // namespace mamori::agent::windows
