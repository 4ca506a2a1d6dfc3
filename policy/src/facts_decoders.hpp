#pragma once

// Decoders for the parts of a facts document (the inverse of json_codec.cpp's encoders), shared
// by facts_codec.cpp and facts_codec_login.cpp.

#include <string>

#include "mamori/policy/facts.hpp"
#include "mamori/policy/json_reader.hpp"

namespace mamori::policy::detail {

/// `{"unknown": "<reason>"}` is an unobserved fact; anything else is decoded by `decode`.
template <class T, class Decode>
Observed<T> decodeObserved(const json::Node& node, Decode decode) {
  if (node.raw().is_object()) {
    const auto& object = node.raw().as_object();
    if (object.size() == 1 && object.contains("unknown")) {
      json::Fields f(node);
      return Observed<T>::unknown(std::string(f.required("unknown").string()));
    }
  }
  return Observed<T>(decode(node));
}

std::string decodeString(const json::Node& node);
TimePoint decodeTime(const json::Node& node);
std::vector<std::string> decodeStrings(const json::Node& node);

LoginFacts decodeLogin(const json::Node& node);

}  // namespace mamori::policy::detail
