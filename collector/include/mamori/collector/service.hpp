#pragma once

// What the collector does with each request, apart from HTTP and TLS: the HTTPS shell
// (https_server.cpp) authenticates the peer, bounds the body and hands both here; tests call
// these directly too. Every answer is a status and a JSON body; errors are
// `{"error": {"code", "message", "field"}}` with a 4xx status and change nothing.

#include <boost/json/object.hpp>
#include <memory>
#include <optional>
#include <string_view>

#include "mamori/collector/config.hpp"
#include "mamori/collector/enrollment_ca.hpp"
#include "mamori/collector/policy_book.hpp"
#include "mamori/collector/store.hpp"
#include "mamori/policy/policy.hpp"
#include "mamori/protocol/messages.hpp"

namespace mamori::collector {

struct Response {
  int status = 200;
  boost::json::object body;
};

/// The admission of a device at `now` from its latest stored posture: stale after the
/// segment's freshness window, quarantined once a grace period it was in has run out.
protocol::AdmissionState admissionAt(const DeviceRecord& device, const Posture* posture,
                                     const policy::Policy& policy, policy::TimePoint now);

class TufService;

/// A file of the TUF repository, as served (the bytes TUF signed or hashed, unchanged).
struct TufFile {
  std::string bytes;
  bool metadata = false;  ///< JSON metadata rather than a target
};

class Service {
 public:
  /// `store`, `ca` and `tuf` (null: no policy distribution) outlive the service. Thread-safe:
  /// one Service serves every worker.
  Service(const CollectorConfig& config, const EnrollmentCa& ca, Store& store,
          policy::Policy policy, const TufService* tuf = nullptr);

  /// POST /v1/enroll (no client certificate: the token authenticates).
  Response enroll(std::string_view body, policy::TimePoint now) const;
  /// POST /v1/reports from an authenticated device.
  Response report(const Peer& peer, std::string_view body, policy::TimePoint now) const;
  /// GET /v1/admission for an authenticated device.
  Response admission(const Peer& peer, policy::TimePoint now) const;
  /// GET /v1/tuf/metadata/<file> or /v1/tuf/targets/<path> for an authenticated device. TUF
  /// protects the content end to end; the device certificate keeps the city's policies to the
  /// city's PCs.
  std::expected<TufFile, Response> tufFile(const Peer& peer, std::string_view uri_path) const;
  /// POST /v1/radius/authorize from FreeRADIUS's rlm_rest (service certificate `radius`).
  Response radiusAuthorize(const Peer& peer, std::string_view body, policy::TimePoint now) const;

  /// The collector's own policy (its `policy_file`, or the built-in one).
  [[nodiscard]] const policy::Policy& policy() const { return policies_.base(); }
  /// The policies it judges with: its own, and the signed bundles of its TUF repository, which
  /// the publishing loop reloads. Internally synchronised, hence usable from a const Service.
  [[nodiscard]] PolicyBook& policies() const { return policies_; }

 private:
  /// The device behind a device certificate: enrolled, not revoked, and this very certificate
  /// (a superseded one is refused), with its latest posture and exceptions; otherwise the error
  /// response.
  std::expected<DeviceStanding, Response> authenticDevice(const Peer& peer) const;

  const CollectorConfig& config_;
  const EnrollmentCa& ca_;
  Store& store_;
  /// The policy for one PC: its department's or segment's signed bundle, else the base.
  [[nodiscard]] std::shared_ptr<const policy::Policy> policyFor(const DeviceRecord& device) const;

  mutable PolicyBook policies_;
  const TufService* tuf_;
};

/// `{"error": {"code": code, "message": ..., "field": ...}}` with `status`.
Response errorResponse(int status, std::string_view code, const Error& error);
Response errorResponse(int status, std::string_view code, std::string_view message);

}  // namespace mamori::collector
