#include "https_client.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include "device_credentials.hpp"
#include "wide_string.hpp"
#include "windows_error.hpp"

namespace mamori::agent::windows {
namespace {

using platform::windows::describeWin32Error;
using platform::windows::widen;

// WinHTTP's errors (12xxx) have their texts in winhttp.dll, which FormatMessage does not read
// by default; an administrator reading the event log needs the words, so the common ones are
// named here.
std::string lastError() {
  const DWORD code = GetLastError();
  static constexpr std::pair<DWORD, std::string_view> kNames[] = {
      {ERROR_WINHTTP_TIMEOUT, "timed out"},
      {ERROR_WINHTTP_NAME_NOT_RESOLVED, "the collector's name does not resolve"},
      {ERROR_WINHTTP_CANNOT_CONNECT, "cannot connect"},
      {ERROR_WINHTTP_CONNECTION_ERROR, "the connection was reset"},
      {ERROR_WINHTTP_SECURE_CERT_CN_INVALID, "the collector's certificate is for another name"},
      {ERROR_WINHTTP_SECURE_CERT_DATE_INVALID,
       "the collector's certificate is expired or not yet valid"},
      {ERROR_WINHTTP_SECURE_INVALID_CA, "the collector's certificate comes from an unknown CA"},
      {ERROR_WINHTTP_SECURE_FAILURE, "TLS failed"},
      {ERROR_WINHTTP_SECURE_CHANNEL_ERROR, "TLS failed"},
      {ERROR_WINHTTP_CLIENT_AUTH_CERT_NEEDED, "the collector asks for a client certificate"},
  };
  for (const auto& [known, name] : kNames) {
    if (code == known) return std::string(name) + " (WinHTTP " + std::to_string(code) + ")";
  }
  return describeWin32Error(code);
}

struct InternetCloser {
  void operator()(HINTERNET h) const {
    if (h != nullptr) WinHttpCloseHandle(h);
  }
};
using Internet = std::unique_ptr<void, InternetCloser>;

struct StoreCloser {
  void operator()(HCERTSTORE s) const {
    if (s != nullptr) CertCloseStore(s, 0);
  }
};
using Store = std::unique_ptr<void, StoreCloser>;

// Every certificate in `pem`, in a store of its own.
std::expected<Store, std::string> storeOf(std::string_view pem) {
  Store store(CertOpenStore(CERT_STORE_PROV_MEMORY, 0, 0, 0, nullptr));
  if (!store) return std::unexpected("cannot open a certificate store: " + lastError());
  std::size_t count = 0;
  for (auto at = pem.find("-----BEGIN CERTIFICATE-----"); at != std::string_view::npos;
       at = pem.find("-----BEGIN CERTIFICATE-----", at + 1)) {
    auto certificate = certificateFromPem(pem.substr(at));
    if (!certificate) return std::unexpected("the pinned CA: " + certificate.error());
    if (!CertAddCertificateContextToStore(store.get(), certificate->get(), CERT_STORE_ADD_ALWAYS,
                                          nullptr)) {
      return std::unexpected("cannot keep the pinned CA: " + lastError());
    }
    ++count;
  }
  if (count == 0) return std::unexpected("the pinned CA holds no certificate");
  return store;
}

std::string subjectOf(PCCERT_CONTEXT c) {
  wchar_t name[256] = {};
  CertGetNameStringW(c, CERT_NAME_SIMPLE_DISPLAY_TYPE, 0, nullptr, name, 256);
  return platform::windows::narrow(name);
}

bool withinValidity(PCCERT_CONTEXT c) { return CertVerifyTimeValidity(nullptr, c->pCertInfo) == 0; }

// Whether `issuer` signed `subject` (names and signature).
bool signedBy(PCCERT_CONTEXT subject, PCCERT_CONTEXT issuer) {
  return CertCompareCertificateName(X509_ASN_ENCODING, &subject->pCertInfo->Issuer,
                                    &issuer->pCertInfo->Subject) &&
         CryptVerifyCertificateSignatureEx(
             0, X509_ASN_ENCODING, CRYPT_VERIFY_CERT_SIGN_SUBJECT_CERT,
             const_cast<PCERT_CONTEXT>(subject), CRYPT_VERIFY_CERT_SIGN_ISSUER_CERT,
             const_cast<PCERT_CONTEXT>(issuer), 0, nullptr);
}

// Whether `c` may sign certificates with `below` CA certificates between it and the leaf:
// basicConstraints says CA, and its path length (if any) allows that many. Without this, any
// enrolled PC's device key (its certificate issued by the same CA) could sign a server
// certificate and pass it off as an intermediate.
bool mayIssue(PCCERT_CONTEXT c, DWORD below) {
  const auto* extension = CertFindExtension(szOID_BASIC_CONSTRAINTS2, c->pCertInfo->cExtension,
                                            c->pCertInfo->rgExtension);
  if (extension == nullptr) return false;
  CERT_BASIC_CONSTRAINTS2_INFO info{};
  DWORD size = sizeof info;
  if (!CryptDecodeObject(X509_ASN_ENCODING, X509_BASIC_CONSTRAINTS2, extension->Value.pbData,
                         extension->Value.cbData, 0, &info, &size)) {
    return false;
  }
  return info.fCA && (!info.fPathLenConstraint || info.dwPathLenConstraint >= below);
}

// Whether the leaf may serve TLS: without an extended key usage it may; with one it must name
// serverAuth (a device certificate names clientAuth only).
bool servesTls(PCCERT_CONTEXT leaf) {
  DWORD size = 0;
  if (!CertGetEnhancedKeyUsage(leaf, CERT_FIND_EXT_ONLY_ENHKEY_USAGE_FLAG, nullptr, &size)) {
    return GetLastError() == static_cast<DWORD>(CRYPT_E_NOT_FOUND);
  }
  std::vector<BYTE> buffer(size);
  auto* usage = reinterpret_cast<CERT_ENHKEY_USAGE*>(buffer.data());
  if (!CertGetEnhancedKeyUsage(leaf, CERT_FIND_EXT_ONLY_ENHKEY_USAGE_FLAG, usage, &size)) {
    return false;
  }
  for (DWORD i = 0; i < usage->cUsageIdentifier; ++i) {
    if (std::string_view(usage->rgpszUsageIdentifier[i]) == szOID_PKIX_KP_SERVER_AUTH) return true;
  }
  return false;
}

}  // namespace

std::expected<void, std::string> chainsToPinnedCa(PCCERT_CONTEXT leaf,
                                                  std::string_view pinned_ca_pem) {
  const auto pinned = storeOf(pinned_ca_pem);
  if (!pinned) return std::unexpected(pinned.error());
  if (!servesTls(leaf)) {
    return std::unexpected("the certificate of " + subjectOf(leaf) +
                           " is not for a server (no serverAuth)");
  }
  // The chain from the leaf up: the leaf, then each intermediate the server sent; each one
  // held here (duplicated) until the end.
  std::vector<Certificate> chain;
  chain.emplace_back(CertDuplicateCertificateContext(leaf));
  // A collector sends its certificate and at most a few intermediates; 8 links end any loop.
  while (chain.size() <= 8) {
    PCCERT_CONTEXT current = chain.back().get();
    if (!withinValidity(current)) {
      return std::unexpected("the certificate of " + subjectOf(current) +
                             " is expired or not yet valid");
    }
    const auto intermediates = static_cast<DWORD>(chain.size() - 1);
    for (PCCERT_CONTEXT ca = CertEnumCertificatesInStore(pinned->get(), nullptr); ca != nullptr;
         ca = CertEnumCertificatesInStore(pinned->get(), ca)) {
      if (!signedBy(current, ca)) continue;
      const Certificate anchor(CertDuplicateCertificateContext(ca));
      CertFreeCertificateContext(ca);
      if (!withinValidity(anchor.get())) {
        return std::unexpected("the pinned CA " + subjectOf(anchor.get()) + " has expired");
      }
      // A pinned CA that limits its path length (mamori's own: none below it) is obeyed too.
      if (intermediates > 0 && !mayIssue(anchor.get(), intermediates)) {
        return std::unexpected("the pinned CA " + subjectOf(anchor.get()) + " allows no " +
                               "intermediate CA below it");
      }
      return {};
    }
    // Not the pinned CA's own: an intermediate the server sent, which must be a CA, signed it.
    Certificate next;
    if (leaf->hCertStore != nullptr) {
      for (PCCERT_CONTEXT c = CertEnumCertificatesInStore(leaf->hCertStore, nullptr); c != nullptr;
           c = CertEnumCertificatesInStore(leaf->hCertStore, c)) {
        if (!CertCompareCertificate(X509_ASN_ENCODING, c->pCertInfo, current->pCertInfo) &&
            signedBy(current, c)) {
          next.reset(CertDuplicateCertificateContext(c));
          CertFreeCertificateContext(c);
          break;
        }
      }
    }
    if (!next) {
      return std::unexpected("the collector's certificate (" + subjectOf(leaf) +
                             ") does not chain to the pinned CA");
    }
    if (!mayIssue(next.get(), intermediates)) {
      return std::unexpected("the collector's certificate (" + subjectOf(leaf) + ") is signed by " +
                             subjectOf(next.get()) + ", which is not a CA that may sign it");
    }
    chain.push_back(std::move(next));
  }
  return std::unexpected("the collector's certificate chain is too long");
}

struct HttpsClient::Handles {
  Internet session;
  Internet connection;
  std::string pinned_ca_pem;
  PCCERT_CONTEXT client = nullptr;
};

HttpsClient::HttpsClient(std::unique_ptr<Handles> handles) : handles_(std::move(handles)) {}
HttpsClient::HttpsClient(HttpsClient&&) noexcept = default;
HttpsClient& HttpsClient::operator=(HttpsClient&&) noexcept = default;
HttpsClient::~HttpsClient() = default;

std::optional<std::pair<std::string, std::uint16_t>> collectorHostPort(std::string_view url) {
  const auto wide = widen(url);
  wchar_t host[256] = {};
  URL_COMPONENTS parts{};
  parts.dwStructSize = sizeof parts;
  parts.lpszHostName = host;
  parts.dwHostNameLength = 256;
  parts.dwUrlPathLength = static_cast<DWORD>(-1);
  if (!WinHttpCrackUrl(wide.c_str(), 0, 0, &parts) || parts.nScheme != INTERNET_SCHEME_HTTPS ||
      parts.dwHostNameLength == 0) {
    return std::nullopt;
  }
  return std::pair{platform::windows::narrow(host), static_cast<std::uint16_t>(parts.nPort)};
}

std::expected<HttpsClient, std::string> HttpsClient::create(std::string_view url,
                                                            std::string pinned_ca_pem,
                                                            PCCERT_CONTEXT client,
                                                            std::chrono::seconds timeout) {
  const auto where = collectorHostPort(url);
  if (!where) {
    return std::unexpected("the collector URL must be https://HOST[:PORT]: " + std::string(url));
  }
  if (auto pinned = storeOf(pinned_ca_pem); !pinned) return std::unexpected(pinned.error());
  auto handles = std::make_unique<Handles>();
  handles->session.reset(WinHttpOpen(L"mamori-agent", WINHTTP_ACCESS_TYPE_NO_PROXY,
                                     WINHTTP_NO_PROXY_NAME, WINHTTP_NO_PROXY_BYPASS, 0));
  if (!handles->session) return std::unexpected("WinHTTP: " + lastError());
  // TLS 1.2 and 1.3; a Windows that knows no 1.3 (Windows 10, Server 2019) refuses the pair, and
  // gets 1.2 alone. Never the system's defaults, which may still allow 1.0 and 1.1.
  DWORD protocols = WINHTTP_FLAG_SECURE_PROTOCOL_TLS1_2;
#ifdef WINHTTP_FLAG_SECURE_PROTOCOL_TLS1_3
  protocols |= WINHTTP_FLAG_SECURE_PROTOCOL_TLS1_3;
#endif
  if (!WinHttpSetOption(handles->session.get(), WINHTTP_OPTION_SECURE_PROTOCOLS, &protocols,
                        sizeof protocols)) {
    protocols = WINHTTP_FLAG_SECURE_PROTOCOL_TLS1_2;
    if (!WinHttpSetOption(handles->session.get(), WINHTTP_OPTION_SECURE_PROTOCOLS, &protocols,
                          sizeof protocols)) {
      return std::unexpected("WinHTTP refuses TLS 1.2: " + lastError());
    }
  }
  const int ms = static_cast<int>(std::chrono::milliseconds(timeout).count());
  // Name and connection within 10 s (a collector out of reach is known soon, and the service
  // stops soon); sending and the answer within `timeout`.
  const int quick = std::min(ms, 10'000);
  WinHttpSetTimeouts(handles->session.get(), quick, quick, ms, ms);
  handles->connection.reset(
      WinHttpConnect(handles->session.get(), widen(where->first).c_str(), where->second, 0));
  if (!handles->connection) return std::unexpected("WinHTTP: " + lastError());
  handles->pinned_ca_pem = std::move(pinned_ca_pem);
  handles->client = client;
  return HttpsClient(std::move(handles));
}

std::expected<HttpsResponse, std::string> HttpsClient::exchange(std::string_view method,
                                                                std::string_view path,
                                                                std::string_view body) {
  const Internet request(WinHttpOpenRequest(handles_->connection.get(), widen(method).c_str(),
                                            widen(path).c_str(), nullptr, WINHTTP_NO_REFERER,
                                            WINHTTP_DEFAULT_ACCEPT_TYPES, WINHTTP_FLAG_SECURE));
  if (!request) return std::unexpected("collector unreachable: " + lastError());
  // The collector's CA is private: schannel would call it unknown. The pin decides instead;
  // the host name and the dates are still schannel's to check.
  DWORD flags = SECURITY_FLAG_IGNORE_UNKNOWN_CA;
  WinHttpSetOption(request.get(), WINHTTP_OPTION_SECURITY_FLAGS, &flags, sizeof flags);
  // A redirect would take the answer from a host whose certificate was never pinned.
  DWORD no_redirects = WINHTTP_DISABLE_REDIRECTS;
  WinHttpSetOption(request.get(), WINHTTP_OPTION_DISABLE_FEATURE, &no_redirects,
                   sizeof no_redirects);
  if (handles_->client != nullptr) {
    WinHttpSetOption(request.get(), WINHTTP_OPTION_CLIENT_CERT_CONTEXT,
                     const_cast<PCERT_CONTEXT>(handles_->client), sizeof(CERT_CONTEXT));
  } else {
    WinHttpSetOption(request.get(), WINHTTP_OPTION_CLIENT_CERT_CONTEXT,
                     WINHTTP_NO_CLIENT_CERT_CONTEXT, 0);
  }
  const std::wstring headers = body.empty() ? L"" : L"Content-Type: application/json\r\n";
  if (!WinHttpSendRequest(request.get(),
                          headers.empty() ? WINHTTP_NO_ADDITIONAL_HEADERS : headers.c_str(),
                          static_cast<DWORD>(-1L), WINHTTP_NO_REQUEST_DATA, 0,
                          static_cast<DWORD>(body.size()), 0)) {
    return std::unexpected("collector unreachable: " + lastError());
  }
  PCCERT_CONTEXT server = nullptr;
  DWORD size = sizeof server;
  if (!WinHttpQueryOption(request.get(), WINHTTP_OPTION_SERVER_CERT_CONTEXT, &server, &size) ||
      server == nullptr) {
    return std::unexpected("the collector's certificate cannot be read: " + lastError());
  }
  const Certificate held(server);
  if (auto pinned = chainsToPinnedCa(server, handles_->pinned_ca_pem); !pinned) {
    return std::unexpected("the collector is not trusted: " + pinned.error());
  }
  for (std::size_t sent = 0; sent < body.size();) {
    DWORD written = 0;
    const auto chunk = static_cast<DWORD>(std::min<std::size_t>(body.size() - sent, 1 << 20));
    if (!WinHttpWriteData(request.get(), body.data() + sent, chunk, &written) || written == 0) {
      return std::unexpected("collector unreachable: " + lastError());
    }
    sent += written;
  }
  if (!WinHttpReceiveResponse(request.get(), nullptr)) {
    return std::unexpected("collector unreachable: " + lastError());
  }
  HttpsResponse response;
  DWORD status = 0;
  size = sizeof status;
  WinHttpQueryHeaders(request.get(), WINHTTP_QUERY_STATUS_CODE | WINHTTP_QUERY_FLAG_NUMBER,
                      WINHTTP_HEADER_NAME_BY_INDEX, &status, &size, WINHTTP_NO_HEADER_INDEX);
  response.status = static_cast<int>(status);
  // The collector's answers are small; 16 MiB ends a runaway one.
  constexpr std::size_t kMaxAnswer = 16u << 20;
  for (;;) {
    char buffer[16384];
    DWORD got = 0;
    if (!WinHttpReadData(request.get(), buffer, sizeof buffer, &got)) {
      return std::unexpected("collector unreachable: " + lastError());
    }
    if (got == 0) break;
    response.body.append(buffer, got);
    if (response.body.size() > kMaxAnswer)
      return std::unexpected("the collector's answer is too long");
  }
  return response;
}

}  // namespace mamori::agent::windows
