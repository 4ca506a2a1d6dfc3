#pragma once

// The Windows PC's own key pair and certificate for the collector (第86条): made on the PC,
// never leaving it; the collector only ever sees a certificate request. The Linux agent's
// counterpart is agent/src/device_key.cpp (OpenSSL); here it is Windows' own CryptoAPI.
//
// The key is RSA 2048, generated non-exportable, in a CryptoAPI container of the account that
// runs mamori: the service runs as LocalSystem, so the key sits in SYSTEM's own key store, which
// no other account opens (stronger than the machine store, which every administrator may use,
// and than the Linux agent's root-only key file). Enrollment therefore belongs to the service;
// `enroll` typed by an administrator makes a key that account alone can use (it says so).
//
// Why CryptoAPI and not CNG: schannel, which WinHTTP presents the certificate with, takes
// either, and wine implements CryptoAPI's per-account containers fully (its CNG keys do not
// persist, and its schannel reads no machine key set), so enrollment and mutual TLS are tested
// here end to end. A CNG key, or a TPM's through the Platform Crypto Provider, is the next
// step on real Windows.

// windows.h before wincrypt.h: not sorted.
// clang-format off
#include <windows.h>
#include <wincrypt.h>
// clang-format on

#include <expected>
#include <memory>
#include <string>
#include <string_view>

namespace mamori::agent::windows {

struct CertificateCloser {
  void operator()(PCCERT_CONTEXT c) const {
    if (c != nullptr) CertFreeCertificateContext(c);
  }
};
using Certificate = std::unique_ptr<const CERT_CONTEXT, CertificateCloser>;

/// The DER bytes of the first PEM block labelled `label` (`CERTIFICATE`) in `pem`.
std::expected<std::string, std::string> pemBlock(std::string_view pem, std::string_view label);

/// `-----BEGIN label-----`, the base64 of `der` in lines of 64, `-----END label-----`.
std::string pemOf(std::string_view der, std::string_view label);

/// A certificate from its PEM text.
std::expected<Certificate, std::string> certificateFromPem(std::string_view pem);

class DeviceCredentials {
 public:
  static constexpr std::wstring_view kContainer = L"mamori-device";

  /// The key in `container`, made now when there is none.
  static std::expected<DeviceCredentials, std::string> openOrCreate(
      std::wstring container = std::wstring(kContainer));
  /// The key in `container`; an error when there is none (enroll again).
  static std::expected<DeviceCredentials, std::string> open(
      std::wstring container = std::wstring(kContainer));
  /// Deletes the container and its key: a PC enrolled again gets a new key.
  static std::expected<void, std::string> destroy(const std::wstring& container);

  DeviceCredentials(DeviceCredentials&& other) noexcept;
  DeviceCredentials& operator=(DeviceCredentials&&) = delete;
  DeviceCredentials(const DeviceCredentials&) = delete;
  DeviceCredentials& operator=(const DeviceCredentials&) = delete;
  ~DeviceCredentials();

  /// A PEM certificate request (PKCS#10) with subject CN=`common_name`, signed with
  /// SHA-256 by the key, which proves to the collector that the PC holds it.
  [[nodiscard]] std::expected<std::string, std::string> certificateRequest(
      std::string_view common_name) const;

  /// The certificate in `certificate_pem` bound to this key (by the container's name, which
  /// schannel opens itself), ready for WinHTTP's client certificate. Refuses a certificate for
  /// another key.
  [[nodiscard]] std::expected<Certificate, std::string> clientCertificate(
      std::string_view certificate_pem) const;

 private:
  DeviceCredentials(HCRYPTPROV provider, std::wstring container)
      : provider_(provider), container_(std::move(container)) {}
  [[nodiscard]] std::expected<std::string, std::string> publicKeyInfo() const;

  HCRYPTPROV provider_ = 0;
  std::wstring container_;
};

}  // namespace mamori::agent::windows
