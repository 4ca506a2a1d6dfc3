#pragma once

// Owning handles for the OpenSSL objects of the enrollment exchange (the agent's key and request,
// the collector's CA), OpenSSL's error queue as an Error, and the small conversions around them.

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "mamori/error.hpp"

namespace mamori::ssl {

template <auto Free>
struct Deleter {
  template <class T>
  void operator()(T* p) const {
    Free(p);
  }
};

using Key = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using Cert = std::unique_ptr<X509, Deleter<X509_free>>;
using Request = std::unique_ptr<X509_REQ, Deleter<X509_REQ_free>>;
using Bio = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using Number = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using DigestContext = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX_free>>;

/// `what` and the reasons OpenSSL queued (the queue is emptied).
Error error(ErrorCode code, std::string_view what);

/// A read-only memory BIO over `text` (which must outlive it).
Bio readBio(std::string_view text);

/// Everything written to a memory BIO.
std::string contents(BIO* bio);

/// Lower-case hex of `size` bytes (serial numbers, fingerprints, token ids).
std::string hex(const unsigned char* data, std::size_t size);

/// The bytes of hex text (either case); nullopt when `text` is not an even run of hex digits.
std::optional<std::string> fromHex(std::string_view text);

}  // namespace mamori::ssl
