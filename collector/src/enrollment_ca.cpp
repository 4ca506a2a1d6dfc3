#include "mamori/collector/enrollment_ca.hpp"

#include <arpa/inet.h>
#include <openssl/core_names.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <ctime>

#include "mamori/protocol/openssl_handles.hpp"

namespace mamori::collector {

// What a certificate is for: the CA itself, or a leaf with its extended key usage and names.
struct Usage {
  bool ca = false;
  std::string_view extended_key_usage;  // `clientAuth` or `serverAuth`
  std::string subject_alt_names;        // OpenSSL config syntax: `URI:...,DNS:...`
};

struct EnrollmentCa::Keys {
  ssl::Key key;
  ssl::Cert cert;
};

namespace {

constexpr std::string_view kDeviceUri = "urn:mamori:device:";
constexpr std::string_view kServiceUri = "urn:mamori:service:";

time_t toTimeT(policy::TimePoint t) { return std::chrono::system_clock::to_time_t(t); }

// 128 random bits, positive (RFC 5280 4.1.2.2: at most 20 octets, unpredictable).
std::expected<std::string, Error> setRandomSerial(X509* cert) {
  std::array<unsigned char, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    return std::unexpected(ssl::error(ErrorCode::kIo, "no random serial number"));
  }
  bytes[0] &= 0x7f;
  const ssl::Number n(BN_bin2bn(bytes.data(), static_cast<int>(bytes.size()), nullptr));
  if (!n || !BN_to_ASN1_INTEGER(n.get(), X509_get_serialNumber(cert))) {
    return std::unexpected(ssl::error(ErrorCode::kIo, "cannot set the serial number"));
  }
  return ssl::hex(bytes.data(), bytes.size());
}

bool addName(X509_NAME* name, const char* field, std::string_view value) {
  return X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                    reinterpret_cast<const unsigned char*>(value.data()),
                                    static_cast<int>(value.size()), -1, 0) == 1;
}

bool addExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (!ext) return false;
  const bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

bool addLeafExtensions(X509* cert, X509* signer, const Usage& usage) {
  return addExtension(cert, signer, NID_basic_constraints, "critical,CA:FALSE") &&
         addExtension(cert, signer, NID_key_usage, "critical,digitalSignature") &&
         addExtension(cert, signer, NID_ext_key_usage, std::string(usage.extended_key_usage)) &&
         addExtension(cert, signer, NID_authority_key_identifier, "keyid:always") &&
         addExtension(cert, signer, NID_subject_alt_name, usage.subject_alt_names);
}

// Version 3, serial, validity, subject and extensions; the caller sets key and issuer first.
std::expected<std::string, Error> fill(X509* cert, X509* issuer, std::string_view common_name,
                                       policy::TimePoint now, std::chrono::days validity,
                                       const Usage& usage) {
  auto serial = setRandomSerial(cert);
  if (!serial) return serial;
  X509_NAME* subject = X509_get_subject_name(cert);
  const bool named = addName(subject, "O", "mamori") && addName(subject, "CN", common_name);
  const bool timed = X509_set_version(cert, 2) == 1 &&
                     ASN1_TIME_set(X509_getm_notBefore(cert), toTimeT(now)) &&
                     ASN1_TIME_set(X509_getm_notAfter(cert), toTimeT(now + validity));
  if (!named || !timed) return std::unexpected(ssl::error(ErrorCode::kIo, "cannot fill in"));
  if (usage.ca && X509_set_issuer_name(cert, subject) != 1) {
    return std::unexpected(ssl::error(ErrorCode::kIo, "cannot name the issuer"));
  }
  X509* signer = usage.ca ? cert : issuer;
  bool ok = addExtension(cert, signer, NID_subject_key_identifier, "hash");
  if (usage.ca) {
    ok = ok && addExtension(cert, signer, NID_basic_constraints, "critical,CA:TRUE,pathlen:0") &&
         addExtension(cert, signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    ok = ok && addLeafExtensions(cert, signer, usage);
  }
  if (!ok) return std::unexpected(ssl::error(ErrorCode::kIo, "cannot add the extensions"));
  return serial;
}

// ECDSA P-256/P-384, Ed25519, or RSA of 2048 bits and more.
std::expected<void, Error> acceptableKey(EVP_PKEY* key) {
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_ED25519: return {};
    case EVP_PKEY_RSA:
      if (EVP_PKEY_get_bits(key) >= 2048) return {};
      return std::unexpected(makeError(ErrorCode::kValidation,
                                       "the RSA key has " + std::to_string(EVP_PKEY_get_bits(key)) +
                                           " bits; at least 2048 are required"));
    case EVP_PKEY_EC: {
      char group[64] = {};
      std::size_t length = 0;
      EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &length);
      const std::string_view g(group, length);
      if (g == "prime256v1" || g == "secp384r1") return {};
      return std::unexpected(makeError(
          ErrorCode::kValidation,
          "the EC key is on curve \"" + std::string(g) + "\"; P-256 or P-384 are accepted"));
    }
    default:
      return std::unexpected(makeError(ErrorCode::kValidation,
                                       "the key type is not accepted (ECDSA, Ed25519 or RSA)"));
  }
}

bool isName(std::string_view id) {
  return !id.empty() && id.size() <= 64 && std::ranges::all_of(id, [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
  });
}

bool isIpAddress(const std::string& name) {
  unsigned char buf[16];
  return inet_pton(AF_INET, name.c_str(), buf) == 1 || inet_pton(AF_INET6, name.c_str(), buf) == 1;
}

const EVP_MD* digestFor(EVP_PKEY* key) {
  return EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519 ? nullptr : EVP_sha256();
}

std::expected<IssuedCertificate, Error> describe(X509* cert, std::string serial,
                                                 policy::TimePoint not_after) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int md_size = 0;
  const ssl::Bio out(BIO_new(BIO_s_mem()));
  if (!X509_digest(cert, EVP_sha256(), md.data(), &md_size) || !out ||
      PEM_write_bio_X509(out.get(), cert) != 1) {
    return std::unexpected(ssl::error(ErrorCode::kIo, "cannot write the certificate"));
  }
  return IssuedCertificate{ssl::contents(out.get()), std::move(serial), not_after,
                           ssl::hex(md.data(), md_size)};
}

}  // namespace

EnrollmentCa::EnrollmentCa(std::unique_ptr<Keys> keys) : keys_(std::move(keys)) {}
EnrollmentCa::EnrollmentCa(EnrollmentCa&&) noexcept = default;
EnrollmentCa& EnrollmentCa::operator=(EnrollmentCa&&) noexcept = default;
EnrollmentCa::~EnrollmentCa() = default;

std::expected<EnrollmentCa, Error> EnrollmentCa::create(std::string_view name,
                                                        policy::TimePoint now,
                                                        std::chrono::days validity) {
  auto keys = std::make_unique<Keys>();
  keys->key.reset(EVP_EC_gen("P-256"));
  keys->cert.reset(X509_new());
  if (!keys->key || !keys->cert || X509_set_pubkey(keys->cert.get(), keys->key.get()) != 1) {
    return std::unexpected(ssl::error(ErrorCode::kIo, "cannot create the CA key"));
  }
  const auto serial = fill(keys->cert.get(), nullptr, "mamori enrollment CA " + std::string(name),
                           now, validity, Usage{.ca = true});
  if (!serial) return std::unexpected(serial.error());
  if (X509_sign(keys->cert.get(), keys->key.get(), EVP_sha256()) == 0) {
    return std::unexpected(ssl::error(ErrorCode::kIo, "cannot sign the CA certificate"));
  }
  return EnrollmentCa(std::move(keys));
}

std::expected<EnrollmentCa, Error> EnrollmentCa::load(std::string_view private_key_pem,
                                                      std::string_view certificate_pem) {
  auto keys = std::make_unique<Keys>();
  const auto key_bio = ssl::readBio(private_key_pem);
  const auto cert_bio = ssl::readBio(certificate_pem);
  keys->key.reset(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  if (!keys->key) return std::unexpected(ssl::error(ErrorCode::kParse, "not a PEM private key"));
  keys->cert.reset(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
  if (!keys->cert) return std::unexpected(ssl::error(ErrorCode::kParse, "not a PEM certificate"));
  if (X509_check_private_key(keys->cert.get(), keys->key.get()) != 1) {
    return std::unexpected(
        ssl::error(ErrorCode::kValidation, "the private key does not belong to the certificate"));
  }
  return EnrollmentCa(std::move(keys));
}

std::string EnrollmentCa::certificatePem() const {
  const ssl::Bio out(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(out.get(), keys_->cert.get());
  return ssl::contents(out.get());
}

std::string EnrollmentCa::privateKeyPem() const {
  const ssl::Bio out(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(out.get(), keys_->key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  return ssl::contents(out.get());
}

std::expected<IssuedCertificate, Error> EnrollmentCa::issue(std::string_view csr_pem,
                                                            std::string_view device_id,
                                                            policy::TimePoint now,
                                                            std::chrono::days validity) const {
  return issueClient(csr_pem, "device id", kDeviceUri, device_id, now, validity);
}

std::expected<IssuedCertificate, Error> EnrollmentCa::issueService(
    std::string_view csr_pem, std::string_view service, policy::TimePoint now,
    std::chrono::days validity) const {
  return issueClient(csr_pem, "service name", kServiceUri, service, now, validity);
}

std::expected<IssuedCertificate, Error> EnrollmentCa::issueClient(
    std::string_view csr_pem, std::string_view what, std::string_view uri_prefix,
    std::string_view name, policy::TimePoint now, std::chrono::days validity) const {
  if (!isName(name)) {
    return std::unexpected(
        makeError(ErrorCode::kUsage,
                  std::string(what) + " \"" + std::string(name) + "\" is not [A-Za-z0-9-]{1,64}"));
  }
  const Usage usage{.extended_key_usage = "clientAuth",
                    .subject_alt_names = "URI:" + std::string(uri_prefix) + std::string(name)};
  return issueLeaf(csr_pem, name, usage, now, validity);
}

std::expected<IssuedCertificate, Error> EnrollmentCa::issueServer(
    std::string_view csr_pem, const std::vector<std::string>& names, policy::TimePoint now,
    std::chrono::days validity) const {
  std::string alt_names;
  for (const auto& name : names) {
    if (name.empty() || !std::ranges::all_of(name, [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == ':';
        })) {
      return std::unexpected(makeError(ErrorCode::kUsage, "\"" + name + "\" is not a host name"));
    }
    alt_names +=
        (alt_names.empty() ? "" : ",") + std::string(isIpAddress(name) ? "IP:" : "DNS:") + name;
  }
  if (names.empty()) return std::unexpected(makeError(ErrorCode::kUsage, "no server name"));
  const Usage usage{.extended_key_usage = "serverAuth", .subject_alt_names = alt_names};
  return issueLeaf(csr_pem, names.front(), usage, now, validity);
}

std::expected<IssuedCertificate, Error> EnrollmentCa::issueLeaf(std::string_view csr_pem,
                                                                std::string_view common_name,
                                                                const Usage& usage,
                                                                policy::TimePoint now,
                                                                std::chrono::days validity) const {
  const auto bio = ssl::readBio(csr_pem);
  const ssl::Request request(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
  if (!request) {
    return std::unexpected(ssl::error(ErrorCode::kParse, "not a PEM certificate request"));
  }
  EVP_PKEY* key = X509_REQ_get0_pubkey(request.get());
  if (!key || X509_REQ_verify(request.get(), key) != 1) {
    return std::unexpected(
        ssl::error(ErrorCode::kValidation,
                   "the request's signature does not verify: it does not prove the key is held"));
  }
  if (auto ok = acceptableKey(key); !ok) return std::unexpected(ok.error());

  const ssl::Cert cert(X509_new());
  if (!cert || X509_set_pubkey(cert.get(), key) != 1 ||
      X509_set_issuer_name(cert.get(), X509_get_subject_name(keys_->cert.get())) != 1) {
    return std::unexpected(ssl::error(ErrorCode::kIo, "cannot start the certificate"));
  }
  // A certificate never outlives the CA that vouches for it.
  std::tm ca_end{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(keys_->cert.get()), &ca_end) == 1) {
    const auto end = std::chrono::system_clock::from_time_t(timegm(&ca_end));
    const auto left = std::chrono::floor<std::chrono::days>(end - now);
    validity = std::max(std::chrono::days{0}, std::min(validity, left));
  }
  auto serial = fill(cert.get(), keys_->cert.get(), common_name, now, validity, usage);
  if (!serial) return std::unexpected(serial.error());
  if (X509_sign(cert.get(), keys_->key.get(), digestFor(keys_->key.get())) == 0) {
    return std::unexpected(ssl::error(ErrorCode::kIo, "cannot sign the certificate"));
  }
  return describe(cert.get(), std::move(*serial), now + validity);
}

std::expected<std::string, Error> EnrollmentCa::deviceOf(std::string_view certificate_pem,
                                                         policy::TimePoint now) const {
  const auto bio = ssl::readBio(certificate_pem);
  const ssl::Cert cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) return std::unexpected(ssl::error(ErrorCode::kParse, "not a PEM certificate"));
  if (X509_check_issued(keys_->cert.get(), cert.get()) != X509_V_OK ||
      X509_verify(cert.get(), keys_->key.get()) != 1) {
    return std::unexpected(ssl::error(ErrorCode::kValidation, "not issued by this CA"));
  }
  time_t t = toTimeT(now);
  if (X509_cmp_time(X509_get0_notBefore(cert.get()), &t) > 0 ||
      X509_cmp_time(X509_get0_notAfter(cert.get()), &t) < 0) {
    return std::unexpected(makeError(ErrorCode::kValidation, "the certificate is not valid now"));
  }
  auto peer = peerOf(cert.get());
  if (!peer) return std::unexpected(peer.error());
  if (peer->role != PeerRole::kDevice) {
    return std::unexpected(
        makeError(ErrorCode::kValidation, "no mamori device id in the certificate"));
  }
  return peer->name;
}

std::expected<Peer, Error> peerOf(X509* verified_certificate) {
  auto* names = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(verified_certificate, NID_subject_alt_name, nullptr, nullptr));
  Peer peer;
  bool found = false;
  for (int i = 0; names && i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type != GEN_URI) continue;
    const std::string_view uri(reinterpret_cast<const char*>(ASN1_STRING_get0_data(name->d.ia5)),
                               static_cast<std::size_t>(ASN1_STRING_length(name->d.ia5)));
    for (const auto& [prefix, role] :
         {std::pair{kDeviceUri, PeerRole::kDevice}, std::pair{kServiceUri, PeerRole::kService}}) {
      if (!found && uri.starts_with(prefix) && isName(uri.substr(prefix.size()))) {
        peer = Peer{role, std::string(uri.substr(prefix.size())), {}};
        found = true;
      }
    }
  }
  GENERAL_NAMES_free(names);
  if (!found) {
    return std::unexpected(
        makeError(ErrorCode::kValidation, "the certificate names no mamori device or service"));
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int md_size = 0;
  if (!X509_digest(verified_certificate, EVP_sha256(), md.data(), &md_size)) {
    return std::unexpected(ssl::error(ErrorCode::kIo, "cannot digest the certificate"));
  }
  peer.sha256_fingerprint = ssl::hex(md.data(), md_size);
  return peer;
}

}  // namespace mamori::collector
