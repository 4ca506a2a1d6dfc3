#include "mamori/tuf/signing.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <vector>

#include "mamori/tuf/canonical_json.hpp"

namespace mamori::tuf {

std::expected<std::string, Error> signMetadata(const boost::json::object& signed_object,
                                               std::span<const SigningKey* const> keys) {
  const boost::json::value signed_value = signed_object;
  const auto canonical = canonicalJson(signed_value);
  if (!canonical) return std::unexpected(canonical.error());
  boost::json::array signatures;
  std::vector<std::string_view> signed_by;  // one signature per key: python-tuf refuses two
  for (const SigningKey* key : keys) {
    if (std::ranges::find(signed_by, key->keyid()) != signed_by.end()) continue;
    signed_by.push_back(key->keyid());
    auto signature = key->sign(*canonical);
    if (!signature) return std::unexpected(signature.error());
    signatures.push_back(boost::json::object{{"keyid", key->keyid()}, {"sig", *signature}});
  }
  // Written as ordinary JSON: canonical JSON leaves control characters (the newlines of a PEM
  // key) raw inside strings, which no JSON parser accepts. Only the signed bytes are canonical.
  const boost::json::value document =
      boost::json::object{{"signatures", std::move(signatures)}, {"signed", signed_value}};
  return boost::json::serialize(document);
}

}  // namespace mamori::tuf
