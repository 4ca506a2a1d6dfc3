#include "mamori/protocol/base64url.hpp"

namespace mamori::protocol {

std::string base64url(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  unsigned bits = 0;
  int pending = 0;
  for (const char byte : bytes) {
    bits = (bits << 8) | static_cast<unsigned char>(byte);
    pending += 8;
    while (pending >= 6) {
      pending -= 6;
      out += kBase64UrlAlphabet[(bits >> pending) & 0x3f];
    }
  }
  if (pending > 0) out += kBase64UrlAlphabet[(bits << (6 - pending)) & 0x3f];
  return out;
}

std::optional<std::string> fromBase64url(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  unsigned bits = 0;
  int pending = 0;
  for (const char c : text) {
    const auto value = kBase64UrlAlphabet.find(c);
    if (value == std::string_view::npos) return std::nullopt;
    bits = (bits << 6) | static_cast<unsigned>(value);
    pending += 6;
    if (pending >= 8) {
      pending -= 8;
      out += static_cast<char>((bits >> pending) & 0xff);
    }
  }
  if ((bits & ((1U << pending) - 1)) != 0) return std::nullopt;
  return out;
}

}  // namespace mamori::protocol
