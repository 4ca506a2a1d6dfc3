#include "mamori/tuf/names.hpp"

#include <cstdint>

namespace mamori::tuf {

std::string percentEncoded(std::string_view name) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : name) {
    const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += c;
    } else {
      const auto byte = static_cast<unsigned char>(c);
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0x0f];
    }
  }
  return out;
}

std::string localFileName(std::string_view name) {
  auto encoded = percentEncoded(name);
  if (encoded.starts_with('.')) encoded.replace(0, 1, "%2E");
  return encoded;
}

std::string metadataFileName(std::string_view role, std::int64_t version) {
  return (version > 0 ? std::to_string(version) + "." : std::string()) + percentEncoded(role) +
         ".json";
}

std::string hashPrefixedPath(std::string_view target_path, std::string_view digest) {
  const auto slash = target_path.rfind('/');
  const auto dir_length = slash == std::string_view::npos ? 0 : slash + 1;
  return std::string(target_path.substr(0, dir_length)) + std::string(digest) + "." +
         std::string(target_path.substr(dir_length));
}

}  // namespace mamori::tuf
