#pragma once

#include <array>
#include <optional>
#include <string_view>

#include "mamori/policy/text.hpp"

namespace mamori::policy {

/// The three-segment model (三層の対策, 基本方針 6(3), 第24–26条): every terminal is in exactly
/// one.
enum class Segment { kMynumber, kLgwan, kInternet };

inline constexpr std::array kAllSegments{Segment::kMynumber, Segment::kLgwan, Segment::kInternet};

/// `mynumber`, `lgwan`, `internet`: the ids used in policy files, flags and reports.
std::string_view segmentId(Segment segment);
std::optional<Segment> parseSegment(std::string_view id);

/// マイナンバー利用事務系 / "My Number segment", for screens.
Text segmentName(Segment segment);

}  // namespace mamori::policy
