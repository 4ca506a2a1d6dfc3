#include "mamori/tuf/canonical_json.hpp"

#include <doctest/doctest.h>

#include <boost/json.hpp>

using mamori::tuf::canonicalJson;

namespace {

std::string canonical(std::string_view json) {
  const auto result = canonicalJson(boost::json::parse(json));
  REQUIRE(result);
  return *result;
}

}  // namespace

TEST_CASE("canonical JSON sorts keys at every depth and drops every insignificant space") {
  CHECK(canonical(R"({ "b": 1, "a": [ true, null, false ], "c": { "z": -3, "y": {} } })") ==
        R"({"a":[true,null,false],"b":1,"c":{"y":{},"z":-3}})");
}

TEST_CASE("canonical JSON escapes only the quote and the backslash, as securesystemslib does") {
  // Control characters and non-ASCII text pass through as raw UTF-8.
  CHECK(canonical(R"({"s": "a\"b\\c\n\u00e9日本"})") == "{\"s\":\"a\\\"b\\\\c\n\xc3\xa9日本\"}");
}

TEST_CASE("canonical JSON orders keys by their UTF-8 bytes (code points), not by locale") {
  CHECK(canonical(R"({"é": 1, "z": 2, "Z": 3, "日": 4})") == "{\"Z\":3,\"z\":2,\"é\":1,\"日\":4}");
}

TEST_CASE("canonical JSON keeps integers as they are, up to 64 bits") {
  CHECK(canonical(R"([0, -1, 9223372036854775807, 18446744073709551615])") ==
        "[0,-1,9223372036854775807,18446744073709551615]");
}

TEST_CASE("canonical JSON has no floating point: the error names where the number is") {
  const auto result = canonicalJson(boost::json::parse(R"({"a": {"b": [1, 2.5]}})"));
  REQUIRE_FALSE(result);
  CHECK(result.error().field == "$.a.b[1]");
  CHECK(result.error().message.find("floating-point") != std::string::npos);
}
