// Enrollment tokens: what an admin hands out, and how strictly the collector reads it back.

#include "mamori/collector/enrollment_token.hpp"

#include <doctest/doctest.h>

#include <set>

using namespace mamori;
using collector::makeToken;
using collector::parseToken;
using namespace std::chrono_literals;

namespace {

const policy::TimePoint kNow = std::chrono::sys_days{std::chrono::year{2026} / 11 / 22};

collector::NewToken token(std::chrono::hours validity = 24h, int max_uses = 10) {
  auto t =
      makeToken("総務課", policy::Segment::kMynumber, kNow, validity, max_uses, "admin", "入替");
  REQUIRE_MESSAGE(t.has_value(), t.error().message);
  return *t;
}

ErrorCode refusal(std::string_view department, std::chrono::hours validity, int max_uses,
                  std::string_view note = "") {
  const auto t = makeToken(department, policy::Segment::kLgwan, kNow, validity, max_uses, "", note);
  REQUIRE_FALSE(t.has_value());
  return t.error().code;
}

}  // namespace

TEST_CASE("a new token reads back as its id and the hash of its secret") {
  const auto t = token();
  const auto parts = parseToken(t.text);
  REQUIRE_MESSAGE(parts.has_value(), parts.error().message);
  CHECK(parts->id == t.record.id);
  CHECK(parts->secret_sha256_hex == t.secret_sha256_hex);
}

TEST_CASE("a token's text is mmt_, 12 hex digits and 43 base64url characters") {
  const auto t = token();
  REQUIRE(t.text.size() == 4 + 12 + 1 + 43);
  CHECK(t.text.starts_with("mmt_" + t.record.id + "_"));
  CHECK(t.record.id.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(t.secret_sha256_hex.size() == 64);
  // Only the hash is stored: it is not a part of the text.
  CHECK(t.text.find(t.secret_sha256_hex) == std::string::npos);
}

TEST_CASE("a new token records its department, segment, limits and author") {
  const auto t = token(48h, 3);
  CHECK(t.record.department == "総務課");
  CHECK(t.record.segment == policy::Segment::kMynumber);
  CHECK(t.record.created_at == kNow);
  CHECK(t.record.expires == kNow + 48h);
  CHECK(t.record.max_uses == 3);
  CHECK(t.record.uses == 0);
  CHECK(t.record.created_by == "admin");
  CHECK(t.record.note == "入替");
  CHECK_FALSE(t.record.revoked_at.has_value());
}

TEST_CASE("no two tokens share an id or a secret") {
  std::set<std::string> ids;
  std::set<std::string> secrets;
  for (int i = 0; i < 200; ++i) {
    const auto t = token();
    ids.insert(t.record.id);
    secrets.insert(t.secret_sha256_hex);
  }
  CHECK(ids.size() == 200);
  CHECK(secrets.size() == 200);
}

TEST_CASE("a token lives between 1 hour and 90 days") {
  CHECK(makeToken("d", policy::Segment::kLgwan, kNow, 1h, 1, "", "").has_value());
  CHECK(makeToken("d", policy::Segment::kLgwan, kNow, 24h * 90, 1, "", "").has_value());
  CHECK(refusal("d", 0h, 1) == ErrorCode::kValidation);
  CHECK(refusal("d", 24h * 90 + 1h, 1) == ErrorCode::kValidation);
}

TEST_CASE("a token allows 1 to 10000 uses") {
  CHECK(makeToken("d", policy::Segment::kLgwan, kNow, 1h, 10000, "", "").has_value());
  CHECK(refusal("d", 1h, 0) == ErrorCode::kValidation);
  CHECK(refusal("d", 1h, 10001) == ErrorCode::kValidation);
}

TEST_CASE("a department is named in at most 64 printable characters") {
  CHECK(refusal("", 1h, 1) == ErrorCode::kValidation);
  CHECK(refusal("総務\n課", 1h, 1) == ErrorCode::kValidation);
  CHECK(refusal("\xff\xfe", 1h, 1) == ErrorCode::kValidation);
  CHECK(refusal(std::string(65, 'a'), 1h, 1) == ErrorCode::kValidation);
  std::string long_japanese;
  for (int i = 0; i < 64; ++i) long_japanese += "課";  // 64 characters, 192 bytes
  CHECK(makeToken(long_japanese, policy::Segment::kLgwan, kNow, 1h, 1, "", "").has_value());
  CHECK(refusal("d", 1h, 1, std::string(257, 'n')) == ErrorCode::kValidation);
}

TEST_CASE("malformed token text is refused without repeating it") {
  const auto good = token().text;
  const auto secret = good.substr(17);
  const std::vector<std::string> bad = {
      "",
      "mmt_",
      good + "A",
      good.substr(0, good.size() - 1),
      "MMT_" + good.substr(4),
      "mmt_" + std::string(12, 'A') + "_" + secret,  // upper-case id
      "mmt_" + std::string(12, 'g') + "_" + secret,  // not hex
      good.substr(0, 16) + "-" + secret,             // wrong separator
      good.substr(0, good.size() - 1) + "=",         // padding
      good.substr(0, good.size() - 1) + "+",         // base64, not base64url
      good.substr(0, good.size() - 1) + "B",         // non-canonical: stray low bits
      " " + good.substr(1),
  };
  for (const auto& text : bad) {
    CAPTURE(text);
    const auto parsed = parseToken(text);
    REQUIRE_FALSE(parsed.has_value());
    CHECK(parsed.error().code == ErrorCode::kParse);
    CHECK(parsed.error().message.find(secret.substr(0, 8)) == std::string::npos);
  }
}
