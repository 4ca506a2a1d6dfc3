#include "device_credentials.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include "mamori/protocol/base64url.hpp"
#include "wide_string.hpp"
#include "windows_error.hpp"

namespace mamori::agent::windows {
namespace {

using platform::windows::describeWin32Error;

constexpr DWORD kKeySpec = AT_KEYEXCHANGE;  // schannel signs the handshake with it
constexpr DWORD kRsaBits = 2048;

std::string lastError() { return describeWin32Error(GetLastError()); }

std::string bytesOf(const BYTE* data, DWORD size) {
  return {reinterpret_cast<const char*>(data), size};
}

// DER, as far as a certificate request needs it: a tag and its content, with the length in
// the short or long form.
std::string tlv(unsigned char tag, std::string_view content) {
  std::string out(1, static_cast<char>(tag));
  const auto size = content.size();
  if (size < 0x80) {
    out += static_cast<char>(size);
  } else {
    std::string length;
    for (auto n = size; n > 0; n >>= 8) length.insert(length.begin(), static_cast<char>(n & 0xff));
    out += static_cast<char>(0x80 | length.size());
    out += length;
  }
  out += content;
  return out;
}

constexpr unsigned char kSequence = 0x30;
constexpr unsigned char kBitString = 0x03;
constexpr unsigned char kContextZero = 0xa0;  // [0] IMPLICIT: the request's attributes
// INTEGER 0: PKCS#10 version 1.
constexpr std::string_view kVersion{"\x02\x01\x00", 3};
// AlgorithmIdentifier sha256WithRSAEncryption (1.2.840.113549.1.1.11), NULL parameters.
constexpr std::string_view kSha256WithRsa{
    "\x30\x0d\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0b\x05\x00", 15};

std::string standardBase64(std::string_view bytes) {
  auto text = protocol::base64url(bytes);
  std::ranges::replace(text, '-', '+');
  std::ranges::replace(text, '_', '/');
  while (text.size() % 4 != 0) text += '=';
  return text;
}

}  // namespace

std::expected<std::string, std::string> pemBlock(std::string_view pem, std::string_view label) {
  const auto begin = "-----BEGIN " + std::string(label) + "-----";
  const auto end = "-----END " + std::string(label) + "-----";
  const auto from = pem.find(begin);
  const auto to = from == std::string_view::npos ? from : pem.find(end, from);
  if (to == std::string_view::npos) return std::unexpected("no PEM " + std::string(label));
  std::string text;
  for (const char c : pem.substr(from + begin.size(), to - from - begin.size())) {
    if (c == '+') {
      text += '-';
    } else if (c == '/') {
      text += '_';
    } else if (c != '=' && c != '\r' && c != '\n' && c != ' ') {
      text += c;
    }
  }
  auto der = protocol::fromBase64url(text);
  if (!der) return std::unexpected("the PEM " + std::string(label) + " is not base64");
  return std::move(*der);
}

std::string pemOf(std::string_view der, std::string_view label) {
  const auto text = standardBase64(der);
  std::string pem = "-----BEGIN " + std::string(label) + "-----\n";
  for (std::size_t i = 0; i < text.size(); i += 64) pem += text.substr(i, 64) + "\n";
  return pem + "-----END " + std::string(label) + "-----\n";
}

std::expected<Certificate, std::string> certificateFromPem(std::string_view pem) {
  const auto der = pemBlock(pem, "CERTIFICATE");
  if (!der) return std::unexpected(der.error());
  Certificate certificate(CertCreateCertificateContext(X509_ASN_ENCODING,
                                                       reinterpret_cast<const BYTE*>(der->data()),
                                                       static_cast<DWORD>(der->size())));
  if (!certificate) return std::unexpected("not a certificate: " + lastError());
  return certificate;
}

std::expected<DeviceCredentials, std::string> DeviceCredentials::open(std::wstring container) {
  HCRYPTPROV provider = 0;
  if (!CryptAcquireContextW(&provider, container.c_str(), MS_ENH_RSA_AES_PROV_W, PROV_RSA_AES, 0)) {
    return std::unexpected("no device key (enroll again): " + lastError());
  }
  HCRYPTKEY key = 0;
  if (!CryptGetUserKey(provider, kKeySpec, &key)) {
    const auto error = lastError();
    CryptReleaseContext(provider, 0);
    return std::unexpected("no device key (enroll again): " + error);
  }
  CryptDestroyKey(key);
  return DeviceCredentials(provider, std::move(container));
}

std::expected<DeviceCredentials, std::string> DeviceCredentials::openOrCreate(
    std::wstring container) {
  if (auto existing = open(container)) return existing;
  HCRYPTPROV provider = 0;
  if (!CryptAcquireContextW(&provider, container.c_str(), MS_ENH_RSA_AES_PROV_W, PROV_RSA_AES, 0) &&
      !CryptAcquireContextW(&provider, container.c_str(), MS_ENH_RSA_AES_PROV_W, PROV_RSA_AES,
                            CRYPT_NEWKEYSET)) {
    return std::unexpected("cannot create the key container: " + lastError());
  }
  HCRYPTKEY key = 0;
  // Not CRYPT_EXPORTABLE: CryptoAPI will not hand the private key out.
  if (!CryptGenKey(provider, kKeySpec, kRsaBits << 16, &key)) {
    const auto error = lastError();
    CryptReleaseContext(provider, 0);
    return std::unexpected("cannot generate the device key: " + error);
  }
  CryptDestroyKey(key);
  return DeviceCredentials(provider, std::move(container));
}

std::expected<void, std::string> DeviceCredentials::destroy(const std::wstring& container) {
  HCRYPTPROV unused = 0;
  if (!CryptAcquireContextW(&unused, container.c_str(), MS_ENH_RSA_AES_PROV_W, PROV_RSA_AES,
                            CRYPT_DELETEKEYSET) &&
      GetLastError() != static_cast<DWORD>(NTE_BAD_KEYSET)) {
    return std::unexpected("cannot delete the device key: " + lastError());
  }
  return {};
}

DeviceCredentials::DeviceCredentials(DeviceCredentials&& other) noexcept
    : provider_(std::exchange(other.provider_, 0)), container_(std::move(other.container_)) {}

DeviceCredentials::~DeviceCredentials() {
  if (provider_ != 0) CryptReleaseContext(provider_, 0);
}

std::expected<std::string, std::string> DeviceCredentials::publicKeyInfo() const {
  DWORD size = 0;
  if (!CryptExportPublicKeyInfo(provider_, kKeySpec, X509_ASN_ENCODING, nullptr, &size)) {
    return std::unexpected("cannot read the device's public key: " + lastError());
  }
  std::vector<BYTE> info(size);
  auto* key = reinterpret_cast<CERT_PUBLIC_KEY_INFO*>(info.data());
  if (!CryptExportPublicKeyInfo(provider_, kKeySpec, X509_ASN_ENCODING, key, &size)) {
    return std::unexpected("cannot read the device's public key: " + lastError());
  }
  DWORD der_size = 0;
  if (!CryptEncodeObject(X509_ASN_ENCODING, X509_PUBLIC_KEY_INFO, key, nullptr, &der_size)) {
    return std::unexpected("cannot encode the device's public key: " + lastError());
  }
  std::vector<BYTE> der(der_size);
  if (!CryptEncodeObject(X509_ASN_ENCODING, X509_PUBLIC_KEY_INFO, key, der.data(), &der_size)) {
    return std::unexpected("cannot encode the device's public key: " + lastError());
  }
  return bytesOf(der.data(), der_size);
}

// Built by hand: CryptSignAndEncodeCertificate would do it in one call on Windows, but wine has
// no encoder for the request's to-be-signed part. CryptSignCertificate hashes and signs.
std::expected<std::string, std::string> DeviceCredentials::certificateRequest(
    std::string_view common_name) const {
  if (common_name.empty() || common_name.size() > 64 ||
      common_name.find_first_of(",+=\"\\<>;#\r\n") != std::string_view::npos) {
    return std::unexpected("the certificate request's name must be 1-64 plain characters");
  }
  const std::wstring subject_text = L"CN=" + platform::windows::widen(common_name);
  DWORD name_size = 0;
  if (!CertStrToNameW(X509_ASN_ENCODING, subject_text.c_str(), CERT_X500_NAME_STR, nullptr, nullptr,
                      &name_size, nullptr)) {
    return std::unexpected("cannot encode the request's name: " + lastError());
  }
  std::vector<BYTE> name(name_size);
  if (!CertStrToNameW(X509_ASN_ENCODING, subject_text.c_str(), CERT_X500_NAME_STR, nullptr,
                      name.data(), &name_size, nullptr)) {
    return std::unexpected("cannot encode the request's name: " + lastError());
  }
  const auto key = publicKeyInfo();
  if (!key) return std::unexpected(key.error());
  const auto to_be_signed = tlv(kSequence, std::string(kVersion) + bytesOf(name.data(), name_size) +
                                               *key + tlv(kContextZero, {}));

  CRYPT_ALGORITHM_IDENTIFIER algorithm{};
  algorithm.pszObjId = const_cast<LPSTR>(szOID_RSA_SHA256RSA);
  DWORD signature_size = 0;
  const auto* data = reinterpret_cast<const BYTE*>(to_be_signed.data());
  const auto data_size = static_cast<DWORD>(to_be_signed.size());
  if (!CryptSignCertificate(provider_, kKeySpec, X509_ASN_ENCODING, data, data_size, &algorithm,
                            nullptr, nullptr, &signature_size)) {
    return std::unexpected("cannot sign the certificate request: " + lastError());
  }
  std::vector<BYTE> signature(signature_size);
  if (!CryptSignCertificate(provider_, kKeySpec, X509_ASN_ENCODING, data, data_size, &algorithm,
                            nullptr, signature.data(), &signature_size)) {
    return std::unexpected("cannot sign the certificate request: " + lastError());
  }
  signature.resize(signature_size);
  std::ranges::reverse(signature);  // CryptoAPI signs little-endian; X.509 is big-endian
  const auto request =
      tlv(kSequence,
          to_be_signed + std::string(kSha256WithRsa) +
              tlv(kBitString, std::string(1, '\0') + bytesOf(signature.data(), signature_size)));
  return pemOf(request, "CERTIFICATE REQUEST");
}

std::expected<Certificate, std::string> DeviceCredentials::clientCertificate(
    std::string_view certificate_pem) const {
  auto certificate = certificateFromPem(certificate_pem);
  if (!certificate) return certificate;
  const auto key = publicKeyInfo();
  if (!key) return std::unexpected(key.error());
  DWORD size = 0;
  CERT_PUBLIC_KEY_INFO* ours = nullptr;
  if (!CryptDecodeObjectEx(
          X509_ASN_ENCODING, X509_PUBLIC_KEY_INFO, reinterpret_cast<const BYTE*>(key->data()),
          static_cast<DWORD>(key->size()), CRYPT_DECODE_ALLOC_FLAG, nullptr, &ours, &size)) {
    return std::unexpected("cannot decode the device's public key: " + lastError());
  }
  const bool same = CertComparePublicKeyInfo(
      X509_ASN_ENCODING, &(*certificate)->pCertInfo->SubjectPublicKeyInfo, ours);
  LocalFree(ours);
  if (!same) return std::unexpected("the certificate is for another key than this PC's");
  CRYPT_KEY_PROV_INFO link{};
  link.pwszContainerName = const_cast<LPWSTR>(container_.c_str());
  link.pwszProvName = const_cast<LPWSTR>(MS_ENH_RSA_AES_PROV_W);
  link.dwProvType = PROV_RSA_AES;
  link.dwFlags = 0;  // the account's own key set
  link.dwKeySpec = kKeySpec;
  if (!CertSetCertificateContextProperty(certificate->get(), CERT_KEY_PROV_INFO_PROP_ID, 0,
                                         &link)) {
    return std::unexpected("cannot bind the certificate to the device key: " + lastError());
  }
  return certificate;
}

}  // namespace mamori::agent::windows
