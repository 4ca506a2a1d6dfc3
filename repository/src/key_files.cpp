#include "mamori/repository/key_files.hpp"

#include <boost/json.hpp>

#include "mamori/protocol/atomic_file.hpp"
#include "mamori/tuf/canonical_json.hpp"
#include "mamori/tuf/metadata.hpp"

namespace mamori::repository {
namespace {

constexpr std::uintmax_t kMaxKeyFileBytes = 16 * 1024;

template <class T>
std::expected<T, Error> inFile(std::expected<T, Error> result, const std::filesystem::path& file) {
  if (!result && result.error().file.empty()) result.error().file = file.string();
  return result;
}

}  // namespace

std::expected<void, Error> writeKeyFiles(const std::filesystem::path& file,
                                         const tuf::SigningKey& key) {
  auto pub = std::filesystem::path(file) += ".pub";
  std::error_code ec;
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), ec);
  const boost::json::value public_json = tuf::toJson(key.publicKey());
  if (auto ok =
          protocol::writeFileAtomically(file, key.privatePem(), 0600, protocol::IfExists::kFail);
      !ok) {
    return ok;
  }
  return protocol::writeFileAtomically(pub, *tuf::canonicalJson(public_json) + "\n", 0644,
                                       protocol::IfExists::kFail);
}

std::expected<tuf::SigningKey, Error> readSigningKey(const std::filesystem::path& file) {
  auto pem = protocol::readSmallFile(file, kMaxKeyFileBytes);
  if (!pem) return std::unexpected(pem.error());
  return inFile(tuf::SigningKey::fromPem(*pem), file);
}

std::expected<tuf::PublicKey, Error> readPublicKey(const std::filesystem::path& file) {
  auto text = protocol::readSmallFile(file, kMaxKeyFileBytes);
  if (!text) return std::unexpected(text.error());
  if (text->find("PRIVATE KEY-----") != std::string::npos) {
    auto key = inFile(tuf::SigningKey::fromPem(*text), file);
    if (!key) return std::unexpected(key.error());
    return key->publicKey();
  }
  return inFile(tuf::parsePublicKey(*text), file);
}

}  // namespace mamori::repository
