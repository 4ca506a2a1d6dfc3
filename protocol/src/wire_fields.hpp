#pragma once

// Field decoders shared by the message codecs: each validates as it reads and fails with the
// field's JSON path.

#include <boost/json/monotonic_resource.hpp>
#include <expected>
#include <optional>
#include <string>
#include <string_view>

#include "mamori/error.hpp"
#include "mamori/policy/facts.hpp"
#include "mamori/policy/json_reader.hpp"
#include "mamori/policy/segment.hpp"
#include "mamori/policy/verdict.hpp"

namespace mamori::protocol::wire {

using policy::json::Node;

/// Parses `text` as one JSON document and decodes its root with `decode`.
template <class Decode>
auto decodeDocument(std::string_view text, Decode decode) {
  return policy::json::decoded([&] {
    const boost::json::value root = policy::json::parseText(text);
    return decode(Node(root));
  });
}

/// decodeDocument for decoders whose result holds no JSON values (only strings, numbers and
/// structs copied out): the document then lives in one arena, a stack buffer first, instead of
/// a heap allocation per node. The collector decodes every report this way.
template <class Decode>
auto decodeDocumentInArena(std::string_view text, Decode decode) {
  return policy::json::decoded([&] {
    unsigned char first_block[16 * 1024];
    boost::json::monotonic_resource arena(first_block, sizeof first_block);
    const boost::json::value root = policy::json::parseText(text, &arena);
    return decode(Node(root));
  });
}

/// A string of at most `max_bytes` with no control characters.
std::string boundedString(const Node& node, std::size_t max_bytes);
policy::TimePoint decodeTime(const Node& node);
/// null or a time.
std::optional<policy::TimePoint> decodeOptionalTime(const Node& node);
policy::Segment decodeSegment(const Node& node);
policy::Admission decodeAdmission(const Node& node);

boost::json::object encodeIdentity(const policy::DeviceIdentity& identity);
/// Requires a machine id (the pin of 第86条); MAC addresses must be `aa:bb:cc:dd:ee:ff`.
policy::DeviceIdentity decodeIdentity(const Node& node);

/// The facts document at `node`, through the policy's strict facts codec; errors keep the
/// full path (`$.facts.usb...`).
policy::PostureFacts decodeFacts(const Node& node);
/// One USB device as the facts codec writes it (`usb.devices[i]`).
policy::UsbDevice decodeUsbDevice(const Node& node);

}  // namespace mamori::protocol::wire
