#pragma once

// The device's own key pair and its certificate request for enrollment. The private key is made
// on the PC and never leaves it: the collector only ever sees the request.

#include <expected>
#include <filesystem>
#include <string>
#include <string_view>

#include "mamori/error.hpp"
#include "mamori/protocol/atomic_file.hpp"  // the key and certificate files are written with it

namespace mamori::agent {

/// Generates an ECDSA P-256 key and writes it to `key_file` as unencrypted PKCS#8 PEM, mode
/// 0600, atomically (see writeFileAtomically). Never replaces an existing key: a device that
/// lost its key must be enrolled again, and one that still has it must keep it. Errors: kUsage
/// when `key_file` exists (it is left untouched); kIo when the key cannot be made or written.
std::expected<void, Error> createDeviceKey(const std::filesystem::path& key_file);

/// A PEM certificate request (PKCS#10) for the key in `key_file`, with subject CN=`common_name`,
/// signed with SHA-256 by that key, which proves to the collector that the device holds it.
/// Errors: kIo when the file cannot be read; kParse when it holds no PEM private key; kUsage when
/// `common_name` is empty or longer than 64 bytes (X.520's limit).
std::expected<std::string, Error> makeCertificateRequest(const std::filesystem::path& key_file,
                                                         std::string_view common_name);

}  // namespace mamori::agent
