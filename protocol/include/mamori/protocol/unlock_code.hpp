#pragma once

// An administrator's permission to remove mamori from one PC (issue 8, uninstall protection):
// issued by the collector, signed with the key of its CA, and checked by the agent against the
// CA certificate it received at enrollment, offline. A code names one device and expires; it is
// useless on any other PC, and after its time.
//
//   MU1.<payload>.<signature>   (both base64url, no padding)
//   payload:   "mamori-unlock/1 uninstall <device-id> <expires, ISO 8601 UTC>"
//   signature: ECDSA with SHA-256 (DER) by the CA's key over the payload's bytes

#include <expected>
#include <string>
#include <string_view>

#include "mamori/error.hpp"
#include "mamori/policy/time.hpp"

namespace mamori::protocol {

struct UnlockGrant {
  std::string device_id;
  policy::TimePoint expires;
};

/// The code for `grant`, signed with `ca_key_pem` (the collector CA's PKCS#8 key).
std::expected<std::string, Error> signUnlockCode(const UnlockGrant& grant,
                                                 std::string_view ca_key_pem);

/// The grant in `code` if it is well formed, signed by the key of `ca_certificate_pem`, names
/// `device_id` and has not expired at `now`; else an Error saying which of these failed
/// (kValidation), or kParse for a certificate that is not PEM.
std::expected<UnlockGrant, Error> verifyUnlockCode(std::string_view code,
                                                   std::string_view ca_certificate_pem,
                                                   std::string_view device_id,
                                                   policy::TimePoint now);

}  // namespace mamori::protocol
