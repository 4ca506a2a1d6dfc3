#include "mamori/collector/enrollment_token.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>

#include "mamori/protocol/base64url.hpp"
#include "mamori/protocol/openssl_handles.hpp"

namespace mamori::collector {
namespace {

constexpr std::string_view kPrefix = "mmt_";
constexpr std::size_t kIdBytes = 6;
constexpr std::size_t kSecretBytes = 32;
constexpr std::size_t kIdChars = kIdBytes * 2;
constexpr std::size_t kSecretChars = (kSecretBytes * 8 + 5) / 6;  // 43, unpadded
constexpr std::string_view kBase64Url = protocol::kBase64UrlAlphabet;
constexpr std::string_view kHex = "0123456789abcdef";

std::string sha256Hex(std::string_view text) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int size = 0;
  EVP_Digest(text.data(), text.size(), md.data(), &size, EVP_sha256(), nullptr);
  return ssl::hex(md.data(), size);
}

// Characters of printable UTF-8 text, or nothing for control characters or broken UTF-8.
std::optional<std::size_t> printableLength(std::string_view text) {
  std::size_t chars = 0;
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    const std::size_t n = c < 0x80           ? 1
                          : (c >> 5) == 0x6  ? 2
                          : (c >> 4) == 0xe  ? 3
                          : (c >> 3) == 0x1e ? 4
                                             : 0;
    if (n == 0 || i + n > text.size() || c < 0x20 || c == 0x7f) return std::nullopt;
    for (std::size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xc0) != 0x80) return std::nullopt;
    }
    i += n;
    ++chars;
  }
  return chars;
}

std::optional<Error> checkText(std::string_view what, std::string_view text, std::size_t max,
                               bool required) {
  const auto length = printableLength(text);
  if (!length)
    return makeError(ErrorCode::kValidation, std::string(what) + " is not printable text");
  if (required && *length == 0)
    return makeError(ErrorCode::kValidation, std::string(what) + " is empty");
  if (*length > max) {
    return makeError(ErrorCode::kValidation,
                     std::string(what) + " is longer than " + std::to_string(max) + " characters");
  }
  return std::nullopt;
}

std::optional<Error> checkRequest(std::string_view department, std::chrono::hours validity,
                                  int max_uses, std::string_view created_by,
                                  std::string_view note) {
  if (auto e = checkText("the department", department, 64, true)) return e;
  if (auto e = checkText("created_by", created_by, 64, false)) return e;
  if (auto e = checkText("the note", note, 256, false)) return e;
  if (validity < std::chrono::hours(1) || validity > std::chrono::days(90)) {
    return makeError(ErrorCode::kValidation, "a token is valid for 1 hour to 90 days, not " +
                                                 std::to_string(validity.count()) + " hours");
  }
  if (max_uses < 1 || max_uses > 10000) {
    return makeError(ErrorCode::kValidation,
                     "a token allows 1 to 10000 uses, not " + std::to_string(max_uses));
  }
  return std::nullopt;
}

Error malformed() {
  return makeError(ErrorCode::kParse,
                   "not an enrollment token: expected mmt_<12 lower-case hex>_<43 base64url "
                   "characters>");
}

}  // namespace

std::expected<NewToken, Error> makeToken(std::string_view department, policy::Segment segment,
                                         policy::TimePoint now, std::chrono::hours validity,
                                         int max_uses, std::string_view created_by,
                                         std::string_view note) {
  if (auto e = checkRequest(department, validity, max_uses, created_by, note)) {
    return std::unexpected(std::move(*e));
  }
  std::array<unsigned char, kIdBytes + kSecretBytes> random{};
  if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) {
    return std::unexpected(makeError(ErrorCode::kIo, "no random bytes for the token"));
  }
  NewToken token;
  auto& r = token.record;
  r.id = ssl::hex(random.data(), kIdBytes);
  r.department = std::string(department);
  r.segment = segment;
  r.created_at = now;
  r.expires = now + validity;
  r.max_uses = max_uses;
  r.created_by = std::string(created_by);
  r.note = std::string(note);
  const auto secret = protocol::base64url(
      std::string_view(reinterpret_cast<const char*>(random.data() + kIdBytes), kSecretBytes));
  token.text = std::string(kPrefix) + r.id + "_" + secret;
  token.secret_sha256_hex = sha256Hex(secret);
  OPENSSL_cleanse(random.data(), random.size());
  return token;
}

std::expected<TokenParts, Error> parseToken(std::string_view text) {
  if (text.size() != kPrefix.size() + kIdChars + 1 + kSecretChars || !text.starts_with(kPrefix) ||
      text[kPrefix.size() + kIdChars] != '_') {
    return std::unexpected(malformed());
  }
  const auto id = text.substr(kPrefix.size(), kIdChars);
  const auto secret = text.substr(kPrefix.size() + kIdChars + 1);
  const bool id_ok = std::ranges::all_of(id, [](char c) { return kHex.contains(c); });
  const bool secret_ok = std::ranges::all_of(secret, [](char c) { return kBase64Url.contains(c); });
  // 43 characters carry 258 bits: the last one's 2 low bits must be zero for exactly 32 bytes.
  if (!id_ok || !secret_ok || kBase64Url.find(secret.back()) % 4 != 0) {
    return std::unexpected(malformed());
  }
  return TokenParts{std::string(id), sha256Hex(secret)};
}

}  // namespace mamori::collector
