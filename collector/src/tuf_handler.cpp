// GET /v1/tuf/{metadata,targets}/...: the TUF repository, to enrolled devices only (issue 9).
// The collector adds no trust of its own: the agent verifies every byte against the signed
// metadata. What it adds is that only the city's enrolled PCs read the city's policies.

#include <Poco/Exception.h>
#include <Poco/URI.h>

#include "mamori/collector/service.hpp"
#include "tuf_service.hpp"

namespace mamori::collector {
namespace {

constexpr std::string_view kPrefix = "/v1/tuf/";

}  // namespace

std::expected<TufFile, Response> Service::tufFile(const Peer& peer,
                                                  std::string_view uri_path) const {
  if (tuf_ == nullptr) {
    return std::unexpected(
        errorResponse(404, "not_found", "this collector distributes no signed policies"));
  }
  if (auto standing = authenticDevice(peer); !standing) return std::unexpected(standing.error());
  // Target paths may hold Japanese (a department's name): the client percent-encodes them.
  std::string rest;
  try {
    Poco::URI::decode(std::string(uri_path.substr(kPrefix.size())), rest);
  } catch (const Poco::Exception&) {
    return std::unexpected(errorResponse(400, "bad_path", "not a repository path"));
  }
  const auto slash = rest.find('/');
  const auto area = rest.substr(0, slash);
  const auto path = slash == std::string::npos ? std::string() : rest.substr(slash + 1);
  auto bytes = tuf_->read(area, path);
  if (!bytes && bytes.error().code == ErrorCode::kUsage) {
    return std::unexpected(errorResponse(400, "bad_path", bytes.error()));
  }
  if (!bytes) {
    return std::unexpected(errorResponse(404, "not_found", "no such file: " + std::string(rest)));
  }
  return TufFile{std::move(*bytes), area == "metadata"};
}

}  // namespace mamori::collector
