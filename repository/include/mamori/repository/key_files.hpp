#pragma once

// Key files as admins keep them: a private key as unencrypted PKCS#8 PEM (mode 0600, on an
// offline machine or a token's export), its public half as TUF key JSON (`<file>.pub`) to hand
// to whoever builds root or a delegation.

#include <expected>
#include <filesystem>

#include "mamori/error.hpp"
#include "mamori/tuf/keys.hpp"

namespace mamori::repository {

/// Writes `key` to `file` (0600, never over an existing file) and its public key to
/// `<file>.pub`.
std::expected<void, Error> writeKeyFiles(const std::filesystem::path& file,
                                         const tuf::SigningKey& key);

std::expected<tuf::SigningKey, Error> readSigningKey(const std::filesystem::path& file);

/// A public key from a `.pub` file, or the public half of a private key file.
std::expected<tuf::PublicKey, Error> readPublicKey(const std::filesystem::path& file);

}  // namespace mamori::repository
