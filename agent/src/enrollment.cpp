#include "enrollment.hpp"

#include <boost/json/serialize.hpp>

#include "mamori/policy/json_reader.hpp"

namespace mamori::agent {

std::string Enrollment::toJson() const {
  return boost::json::serialize(
      boost::json::object{{"collector_url", collector_url},
                          {"device_id", device_id},
                          {"segment", policy::segmentId(segment)},
                          {"department", department},
                          {"enrolled_at", policy::formatTimestamp(enrolled_at)},
                          {"certificate_expires", policy::formatTimestamp(certificate_expires)},
                          {"pinned_server_ca", pinned_server_ca}});
}

std::expected<Enrollment, Error> Enrollment::fromJson(std::string_view text) {
  using policy::json::Node;
  return policy::json::decoded([&] {
    const auto root = policy::json::parseText(text);
    policy::json::Fields f{Node(root)};
    const auto time = [](const Node& n) {
      auto t = policy::parseTimestamp(n.string());
      if (!t) n.fail("is not an ISO 8601 time");
      return *t;
    };
    Enrollment e;
    e.collector_url = std::string(f.required("collector_url").nonEmptyString());
    e.device_id = std::string(f.required("device_id").nonEmptyString());
    const Node segment = f.required("segment");
    const auto s = policy::parseSegment(segment.string());
    if (!s) segment.fail("is not a segment");
    e.segment = *s;
    e.department = std::string(f.required("department").string());
    e.enrolled_at = time(f.required("enrolled_at"));
    e.certificate_expires = time(f.required("certificate_expires"));
    e.pinned_server_ca = f.required("pinned_server_ca").boolean();
    f.finish();
    return e;
  });
}

}  // namespace mamori::agent
