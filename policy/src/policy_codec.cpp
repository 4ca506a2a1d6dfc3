#include "mamori/policy/policy_codec.hpp"

#include <algorithm>
#include <iterator>

#include "policy_sections.hpp"

namespace mamori::policy {
namespace {

// JSON numbers above 2^53 do not survive other JSON tools; versions stay below.
constexpr std::int64_t kMaxPolicyVersion = std::int64_t{1} << 53;

Policy decodeDocument(const json::Node& root) {
  json::Fields fields(root);
  const auto format = fields.required("format");
  if (format.string() != kPolicyFormat) {
    format.fail("is not a supported format (expected \"" + std::string(kPolicyFormat) + "\")");
  }

  Policy policy = builtInPolicy();
  policy.version = fields.required("version").integer(1, kMaxPolicyVersion);
  policy.name = fields.optional("name")
                    .transform([](const json::Node& n) { return std::string(n.nonEmptyString()); })
                    .value_or("");
  if (auto node = fields.optional("contact")) {
    json::Fields contact(*node);
    policy.contact.ja = std::string(contact.required("ja").nonEmptyString());
    policy.contact.en = std::string(contact.required("en").nonEmptyString());
    contact.finish();
  }
  if (auto node = fields.optional("default_segment")) {
    policy.default_segment = detail::decodeSegment(*node);
  }
  if (auto node = fields.optional("uninstall_protection")) {
    policy.uninstall_protection = node->boolean();
  }

  // Layers: built-in <- common <- segments.<id>. Each layer only touches the fields it names.
  if (auto common = fields.optional("common")) {
    for (Segment s : kAllSegments) detail::applyProfileOverride(*common, s, policy.profile(s));
  }
  if (auto segments = fields.optional("segments")) {
    json::Fields per_segment(*segments);
    for (Segment s : kAllSegments) {
      if (auto node = per_segment.optional(segmentId(s))) {
        detail::applyProfileOverride(*node, s, policy.profile(s));
      }
    }
    per_segment.finish();
  }
  if (auto node = fields.optional("os_support")) {
    // The city's calendar wins over the built-in one for the same release, every edition of
    // it (the city knows which editions it licenses); other releases are added.
    auto calendar = detail::decodeOsSupport(*node);
    std::erase_if(policy.os_support, [&](const OsSupport& e) {
      return std::ranges::any_of(calendar, [&](const OsSupport& city) {
        return city.os_id == e.os_id && city.version_id == e.version_id;
      });
    });
    std::ranges::move(calendar, std::back_inserter(policy.os_support));
  }
  if (auto node = fields.optional("exceptions"))
    policy.exceptions = detail::decodeExceptions(*node);
  fields.finish();
  return policy;
}

}  // namespace

std::expected<Policy, Error> parsePolicy(std::string_view json_text) {
  try {
    const auto document = json::parseText(json_text);
    return decodeDocument(json::Node(document));
  } catch (json::DecodeFailure& failure) {
    return std::unexpected(std::move(failure.error));
  }
}

}  // namespace mamori::policy
