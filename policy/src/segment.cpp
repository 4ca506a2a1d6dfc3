#include "mamori/policy/segment.hpp"

namespace mamori::policy {

std::string_view segmentId(Segment segment) {
  switch (segment) {
    case Segment::kMynumber: return "mynumber";
    case Segment::kLgwan: return "lgwan";
    case Segment::kInternet: return "internet";
  }
  return "?";
}

std::optional<Segment> parseSegment(std::string_view id) {
  for (Segment s : kAllSegments) {
    if (segmentId(s) == id) return s;
  }
  return std::nullopt;
}

Text segmentName(Segment segment) {
  switch (segment) {
    case Segment::kMynumber: return {"マイナンバー利用事務系", "My Number use segment"};
    case Segment::kLgwan: return {"LGWAN接続系", "LGWAN segment"};
    case Segment::kInternet: return {"インターネット接続系", "Internet segment"};
  }
  return {};
}

}  // namespace mamori::policy
