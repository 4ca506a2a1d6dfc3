#include "mamori/protocol/unlock_code.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>
#include <vector>

#include "mamori/protocol/base64url.hpp"
#include "mamori/protocol/openssl_handles.hpp"

namespace mamori::protocol {
namespace {

constexpr std::string_view kPrefix = "MU1.";
constexpr std::string_view kPurpose = "mamori-unlock/1 uninstall ";
constexpr std::size_t kMaxCodeBytes = 1024;

Error invalid(std::string message) { return makeError(ErrorCode::kValidation, std::move(message)); }

std::expected<std::string, Error> decoded(std::string_view part) {
  auto bytes = fromBase64url(part);
  if (!bytes) return std::unexpected(invalid("the unlock code is not base64url"));
  return std::move(*bytes);
}

std::string payloadOf(const UnlockGrant& grant) {
  return std::string(kPurpose) + grant.device_id + " " + policy::formatTimestamp(grant.expires);
}

}  // namespace

std::expected<std::string, Error> signUnlockCode(const UnlockGrant& grant,
                                                 std::string_view ca_key_pem) {
  if (grant.device_id.empty() || grant.device_id.find(' ') != std::string::npos) {
    return std::unexpected(makeError(ErrorCode::kUsage, "unlock code: no device id"));
  }
  auto bio = ssl::readBio(ca_key_pem);
  ssl::Key key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) return std::unexpected(ssl::error(ErrorCode::kParse, "unlock code: the CA key"));
  const auto payload = payloadOf(grant);
  ssl::DigestContext ctx(EVP_MD_CTX_new());
  std::size_t size = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &size,
                     reinterpret_cast<const unsigned char*>(payload.data()), payload.size()) != 1) {
    return std::unexpected(ssl::error(ErrorCode::kIo, "unlock code: cannot sign"));
  }
  std::string signature(size, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &size,
                     reinterpret_cast<const unsigned char*>(payload.data()), payload.size()) != 1) {
    return std::unexpected(ssl::error(ErrorCode::kIo, "unlock code: cannot sign"));
  }
  signature.resize(size);
  return std::string(kPrefix) + base64url(payload) + "." + base64url(signature);
}

std::expected<UnlockGrant, Error> verifyUnlockCode(std::string_view code,
                                                   std::string_view ca_certificate_pem,
                                                   std::string_view device_id,
                                                   policy::TimePoint now) {
  if (code.size() > kMaxCodeBytes || !code.starts_with(kPrefix)) {
    return std::unexpected(invalid("not a mamori unlock code (MU1.…)"));
  }
  code.remove_prefix(kPrefix.size());
  const auto dot = code.find('.');
  if (dot == std::string_view::npos)
    return std::unexpected(invalid("the unlock code is cut short"));
  auto payload = decoded(code.substr(0, dot));
  if (!payload) return std::unexpected(payload.error());
  auto signature = decoded(code.substr(dot + 1));
  if (!signature) return std::unexpected(signature.error());

  auto bio = ssl::readBio(ca_certificate_pem);
  ssl::Cert ca(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!ca) return std::unexpected(ssl::error(ErrorCode::kParse, "the collector's CA certificate"));
  ssl::DigestContext ctx(EVP_MD_CTX_new());
  const bool signed_by_ca =
      ctx &&
      EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, X509_get0_pubkey(ca.get())) ==
          1 &&
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature->data()),
                       signature->size(), reinterpret_cast<const unsigned char*>(payload->data()),
                       payload->size()) == 1;
  ERR_clear_error();
  if (!signed_by_ca) {
    return std::unexpected(invalid("the unlock code is not signed by this PC's collector"));
  }
  // Signed: the payload is the collector's own words.
  if (!payload->starts_with(kPurpose)) return std::unexpected(invalid("not an uninstall code"));
  const std::string_view rest = std::string_view(*payload).substr(kPurpose.size());
  const auto space = rest.find(' ');
  if (space == std::string_view::npos)
    return std::unexpected(invalid("the unlock code is malformed"));
  UnlockGrant grant{std::string(rest.substr(0, space)), {}};
  const auto expires = policy::parseTimestamp(rest.substr(space + 1));
  if (!expires) return std::unexpected(invalid("the unlock code's expiry is malformed"));
  grant.expires = *expires;
  if (grant.device_id != device_id) {
    return std::unexpected(invalid("the unlock code is for another PC (" + grant.device_id + ")"));
  }
  if (now >= grant.expires) {
    return std::unexpected(
        invalid("the unlock code expired at " + policy::formatTimestamp(grant.expires)));
  }
  return grant;
}

}  // namespace mamori::protocol
