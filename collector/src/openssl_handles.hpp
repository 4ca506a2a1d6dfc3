#pragma once

// Owning handles for the OpenSSL objects the CA uses, and OpenSSL's error queue as an Error.

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <string_view>

#include "mamori/error.hpp"

namespace mamori::collector::ssl {

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

/// `what` and the reasons OpenSSL queued (the queue is emptied).
Error error(ErrorCode code, std::string_view what);

/// A read-only memory BIO over `text` (which must outlive it).
Bio readBio(std::string_view text);

/// Everything written to a memory BIO.
std::string contents(BIO* bio);

}  // namespace mamori::collector::ssl
