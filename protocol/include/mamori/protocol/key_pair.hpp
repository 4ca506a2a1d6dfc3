#pragma once

// Key pairs and certificate requests, made where the key will live: the agent's device key on
// the PC (the collector only ever sees the request), the collector's own server key, and the
// key of a service such as FreeRADIUS.

#include <expected>
#include <string>
#include <string_view>

#include "mamori/error.hpp"

namespace mamori::protocol {

/// A new ECDSA P-256 private key as unencrypted PKCS#8 PEM (for a file only its owner reads).
std::expected<std::string, Error> newPrivateKeyPem();

/// A PEM certificate request (PKCS#10) for the key in `key_pem`, subject CN=`common_name`,
/// signed with SHA-256 by that key: the proof that the requester holds it. Errors: kParse when
/// `key_pem` holds no PEM private key; kUsage when `common_name` is empty or longer than 64 bytes
/// (X.520's limit).
std::expected<std::string, Error> certificateRequest(std::string_view key_pem,
                                                     std::string_view common_name);

}  // namespace mamori::protocol
