#include "mamori/protocol/messages.hpp"

#include <algorithm>
#include <array>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <random>

#include "mamori/policy/json_codec.hpp"
#include "mamori/policy/json_reader.hpp"
#include "wire_fields.hpp"

namespace mamori::protocol {

namespace js = boost::json;
using policy::json::Fields;
using policy::json::Node;

std::string randomUuid() {
  thread_local std::random_device device;
  std::array<unsigned char, 16> b{};
  for (std::size_t i = 0; i < b.size(); i += 4) {
    const auto r = device();
    for (std::size_t k = 0; k < 4; ++k) b[i + k] = static_cast<unsigned char>(r >> (8 * k));
  }
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) id += '-';
    id += kHex[b[i] >> 4];
    id += kHex[b[i] & 0x0f];
  }
  return id;
}

bool isReportId(std::string_view id) {
  return id.size() >= 8 && id.size() <= 64 && std::ranges::all_of(id, [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  c == '-';
         });
}

std::optional<policy::Admission> parseAdmission(std::string_view id) {
  for (const auto a :
       {policy::Admission::kAdmit, policy::Admission::kWarn, policy::Admission::kQuarantine}) {
    if (policy::admissionId(a) == id) return a;
  }
  return std::nullopt;
}

// ---- enrollment ----

js::object toJson(const EnrollRequest& r) {
  return {{"token", r.token},
          {"csr", r.csr_pem},
          {"identity", wire::encodeIdentity(r.identity)},
          {"agent_version", r.agent_version}};
}

js::object toJson(const EnrollResponse& r) {
  return {{"device_id", r.device_id},
          {"certificate", r.certificate_pem},
          {"ca_certificate", r.ca_certificate_pem},
          {"segment", policy::segmentId(r.segment)},
          {"department", r.department},
          {"certificate_expires", policy::formatTimestamp(r.certificate_expires)}};
}

std::expected<EnrollRequest, Error> enrollRequestFromJson(std::string_view text) {
  return wire::decodeDocument(text, [](const Node& root) {
    Fields f(root);
    EnrollRequest r;
    r.token = wire::boundedString(f.required("token"), 256);
    r.csr_pem = wire::boundedString(f.required("csr"), 16 * 1024);
    r.identity = wire::decodeIdentity(f.required("identity"));
    r.agent_version = wire::boundedString(f.required("agent_version"), 64);
    f.finish();
    return r;
  });
}

std::expected<EnrollResponse, Error> enrollResponseFromJson(std::string_view text) {
  return wire::decodeDocument(text, [](const Node& root) {
    Fields f(root);
    EnrollResponse r;
    r.device_id = wire::boundedString(f.required("device_id"), 64);
    r.certificate_pem = wire::boundedString(f.required("certificate"), 16 * 1024);
    r.ca_certificate_pem = wire::boundedString(f.required("ca_certificate"), 16 * 1024);
    r.segment = wire::decodeSegment(f.required("segment"));
    r.department = wire::boundedString(f.required("department"), 64);
    r.certificate_expires = wire::decodeTime(f.required("certificate_expires"));
    f.finish();
    return r;
  });
}

// ---- reports ----

js::object toJson(const Report& r) {
  return {{"report_id", r.report_id},
          {"generated_at", policy::formatTimestamp(r.generated_at)},
          {"agent_version", r.agent_version},
          {"policy_version", r.policy_version},
          {"agent_verdict",
           {{"compliant", r.agent_verdict.compliant},
            {"admission", policy::admissionId(r.agent_verdict.admission)}}},
          {"facts", policy::toJson(r.facts)},
          {"audit_events", [&] {
             js::array events;
             for (const auto& e : r.audit_events) events.push_back(toJson(e));
             return events;
           }()}};
}

std::expected<Report, Error> reportFromJson(std::string_view text) {
  return wire::decodeDocumentInArena(text, [](const Node& root) {
    Fields f(root);
    Report r;
    const Node id = f.required("report_id");
    r.report_id = std::string(id.string());
    if (!isReportId(r.report_id)) id.fail("is not a report id (8-64 of A-Z a-z 0-9 -)");
    r.generated_at = wire::decodeTime(f.required("generated_at"));
    r.agent_version = wire::boundedString(f.required("agent_version"), 64);
    r.policy_version = f.required("policy_version").integer(0, INT64_MAX);
    {
      Fields v(f.required("agent_verdict"));
      r.agent_verdict.compliant = v.required("compliant").boolean();
      r.agent_verdict.admission = wire::decodeAdmission(v.required("admission"));
      v.finish();
    }
    r.facts = wire::decodeFacts(f.required("facts"));
    // Optional: agents before audit events did not send the key.
    if (const auto events = f.optional("audit_events")) {
      const auto items = events->array();
      if (items.size() > kMaxAuditEventsPerReport) {
        events->fail("holds more than " + std::to_string(kMaxAuditEventsPerReport) + " events");
      }
      for (const auto& item : items) r.audit_events.push_back(decodeAuditEvent(item));
    }
    f.finish();
    return r;
  });
}

// ---- admission ----

js::object toJson(const AdmissionState& s) {
  const auto optionalTime = [](const std::optional<policy::TimePoint>& t) -> js::value {
    return t ? js::value(policy::formatTimestamp(*t)) : js::value(nullptr);
  };
  return {
      {"device_id", s.device_id},
      {"admission", policy::admissionId(s.admission)},
      {"stale", s.stale},
      {"grace_ends", optionalTime(s.grace_ends)},
      {"reported_at", optionalTime(s.reported_at)},
      {"policy_version", s.policy_version},
      {"reason", {{"ja", s.reason.ja}, {"en", s.reason.en}}},
      {"isolation", s.isolation ? js::value{{"since", policy::formatTimestamp(s.isolation->since)},
                                            {"by", s.isolation->by},
                                            {"reason", s.isolation->reason}}
                                : js::value(nullptr)}};
}

js::object toJson(const ReportAck& a) {
  return {{"report_id", a.report_id},
          {"duplicate", a.duplicate},
          {"admission", toJson(a.admission)},
          {"verdict", a.verdict}};
}

namespace {

AdmissionState decodeAdmissionState(const Node& node) {
  Fields f(node);
  AdmissionState s;
  s.device_id = wire::boundedString(f.required("device_id"), 64);
  s.admission = wire::decodeAdmission(f.required("admission"));
  s.stale = f.required("stale").boolean();
  s.grace_ends = wire::decodeOptionalTime(f.required("grace_ends"));
  s.reported_at = wire::decodeOptionalTime(f.required("reported_at"));
  s.policy_version = f.required("policy_version").integer(0, INT64_MAX);
  {
    Fields t(f.required("reason"));
    s.reason.ja = wire::boundedString(t.required("ja"), 4096);
    s.reason.en = wire::boundedString(t.required("en"), 4096);
    t.finish();
  }
  if (const auto isolation = f.optional("isolation"); isolation && !isolation->isNull()) {
    Fields i(*isolation);
    s.isolation =
        Isolation{wire::decodeTime(i.required("since")), wire::boundedString(i.required("by"), 256),
                  wire::boundedString(i.required("reason"), 1024)};
    i.finish();
  }
  f.finish();
  return s;
}

}  // namespace

std::expected<AdmissionState, Error> admissionStateFromJson(std::string_view text) {
  return wire::decodeDocument(text, decodeAdmissionState);
}

std::expected<ReportAck, Error> reportAckFromJson(std::string_view text) {
  return wire::decodeDocument(text, [](const Node& root) {
    Fields f(root);
    ReportAck a;
    a.report_id = wire::boundedString(f.required("report_id"), 64);
    a.duplicate = f.required("duplicate").boolean();
    a.admission = decodeAdmissionState(f.required("admission"));
    const Node verdict = f.required("verdict");
    if (!verdict.raw().is_object()) verdict.fail("is not an object");
    a.verdict = verdict.raw().as_object();
    f.finish();
    return a;
  });
}

std::string refusalReason(std::string_view body) {
  boost::system::error_code ec;
  const auto v = boost::json::parse(body, ec);
  if (!ec && v.is_object()) {
    if (const auto* e = v.as_object().if_contains("error"); e && e->is_object()) {
      if (const auto* m = e->as_object().if_contains("message"); m && m->is_string()) {
        return std::string(m->as_string());
      }
    }
  }
  return std::string(body.substr(0, 200));
}

}  // namespace mamori::protocol
