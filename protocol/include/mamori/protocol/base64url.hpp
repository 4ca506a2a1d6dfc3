#pragma once

// base64url without padding (RFC 4648 §5): secrets and codes an administrator copies into a
// shell, a URL or an e-mail (enrollment tokens, unlock codes).

#include <optional>
#include <string>
#include <string_view>

namespace mamori::protocol {

inline constexpr std::string_view kBase64UrlAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string base64url(std::string_view bytes);

/// The bytes `text` encodes; nullopt for a character outside the alphabet, a length no encoding
/// has, or unused bits that are not zero (so each byte string has one encoding).
std::optional<std::string> fromBase64url(std::string_view text);

}  // namespace mamori::protocol
