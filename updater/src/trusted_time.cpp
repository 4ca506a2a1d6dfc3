#include "trusted_time.hpp"

#include "mamori/protocol/atomic_file.hpp"

namespace mamori::updater {
namespace {

constexpr std::uintmax_t kMaxRecordBytes = 64;

}  // namespace

std::expected<std::optional<tuf::TimePoint>, Error> TrustedTime::recorded() const {
  std::error_code ec;
  if (!std::filesystem::exists(file_, ec)) return std::nullopt;
  auto text = protocol::readSmallFile(file_, kMaxRecordBytes);
  if (!text) return std::unexpected(text.error());
  while (!text->empty() && (text->back() == '\n' || text->back() == ' ')) text->pop_back();
  // A record that is not a time (a torn write on an old file system) protects nothing: start over
  // rather than refuse every update from now on.
  auto time = policy::parseTimestamp(*text);
  if (!time) return std::nullopt;
  return *time;
}

std::expected<void, tuf::Rejection> TrustedTime::check(tuf::TimePoint now,
                                                       std::chrono::seconds tolerance) const {
  auto latest = recorded();
  if (!latest) return std::unexpected(tuf::Rejection{tuf::Problem::kStorage, latest.error()});
  if (!*latest || now + tolerance >= **latest) return {};
  return std::unexpected(tuf::reject(
      tuf::Problem::kClockBackwards, file_.filename().string(),
      "the clock reads " + tuf::formatExpiry(now) + ", before " + tuf::formatExpiry(**latest) +
          " when metadata was last verified: set the clock right before updating"));
}

std::expected<void, Error> TrustedTime::advance(tuf::TimePoint now) const {
  auto latest = recorded();
  if (latest && *latest && **latest >= now) return {};
  return protocol::writeFileAtomically(file_, tuf::formatExpiry(now) + "\n", 0644);
}

}  // namespace mamori::updater
