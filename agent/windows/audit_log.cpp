#include "audit_log.hpp"

// windows.h for the flushed append: not sorted.
// clang-format off
#include <windows.h>
// clang-format on

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fstream>

#include "state_files.hpp"

namespace mamori::agent::windows {
namespace {

namespace js = boost::json;

// One line at the end of `file`, on disk before this returns.
bool appendLine(const std::filesystem::path& file, const std::string& line) {
  const HANDLE h = CreateFileW(file.c_str(), FILE_APPEND_DATA, FILE_SHARE_READ, nullptr,
                               OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (h == INVALID_HANDLE_VALUE) return false;
  const std::string text = line + "\n";
  DWORD written = 0;
  const bool ok = WriteFile(h, text.data(), static_cast<DWORD>(text.size()), &written, nullptr) &&
                  written == text.size() && FlushFileBuffers(h);
  CloseHandle(h);
  return ok;
}

}  // namespace

AuditLog::AuditLog(std::filesystem::path dir)
    : log_(dir / "audit.jsonl"), state_(dir / "audit-state.json") {}

std::vector<std::string> AuditLog::lines() const {
  std::vector<std::string> out;
  std::ifstream in(log_, std::ios::binary);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(std::move(line));
  }
  return out;
}

AuditLog::Counters AuditLog::counters() const {
  Counters c;
  const auto text = readStateFile(state_);
  if (!text) return c;
  boost::system::error_code ec;
  const auto parsed = js::parse(*text, ec);
  if (ec || !parsed.is_object()) return c;
  const auto& o = parsed.as_object();
  if (const auto* v = o.if_contains("carried"); v && v->is_int64()) c.carried = v->as_int64();
  if (const auto* v = o.if_contains("dropped"); v && v->is_int64()) c.dropped = v->as_int64();
  return c;
}

void AuditLog::save(const Counters& c) {
  (void)writeStateFile(state_,
                       js::serialize(js::object{{"carried", c.carried}, {"dropped", c.dropped}}));
}

std::int64_t AuditLog::keptLines() {
  if (!kept_) kept_ = static_cast<std::int64_t>(lines().size());
  return *kept_;
}

bool AuditLog::append(const protocol::AuditEvent& event) {
  const std::scoped_lock guard(mutex_);
  auto c = counters();
  if (keptLines() - c.carried >= kMaxWaiting ||
      !appendLine(log_, js::serialize(protocol::toJson(event)))) {
    ++c.dropped;
    save(c);
    return false;
  }
  ++*kept_;
  return true;
}

policy::Observed<policy::UsbAuditLog> AuditLog::facts() {
  const std::scoped_lock guard(mutex_);
  const auto all = lines();
  const auto c = counters();
  policy::UsbAuditLog log;
  log.events = static_cast<std::int64_t>(all.size());
  log.waiting = std::max<std::int64_t>(0, log.events - c.carried);
  log.dropped = c.dropped;
  if (!all.empty()) {
    if (const auto last = protocol::auditEventFromJson(all.back())) log.last_event = last->at;
  }
  return log;
}

AuditLog::Waiting AuditLog::waiting(std::size_t max) {
  const std::scoped_lock guard(mutex_);
  const auto all = lines();
  const auto from = static_cast<std::size_t>(std::max<std::int64_t>(0, counters().carried));
  Waiting w;
  for (std::size_t i = from; i < all.size() && w.events.size() < max; ++i) {
    ++w.lines;
    // A line that no longer decodes (a torn write) cannot be sent; the events around it can.
    if (auto event = protocol::auditEventFromJson(all[i])) w.events.push_back(std::move(*event));
  }
  return w;
}

void AuditLog::carried(std::size_t count) {
  const std::scoped_lock guard(mutex_);
  auto c = counters();
  auto all = lines();
  c.carried = std::min<std::int64_t>(c.carried + static_cast<std::int64_t>(count),
                                     static_cast<std::int64_t>(all.size()));
  if (c.carried >= kCompactAfter) {
    // The carried lines go; the waiting ones are written anew, then the count starts over. A
    // crash between the two sends some events twice, which the collector keeps once (by id).
    std::string rest;
    for (auto i = static_cast<std::size_t>(c.carried); i < all.size(); ++i) rest += all[i] + "\n";
    if (writeStateFile(log_, rest)) c.carried = 0;
    kept_.reset();  // counted again at the next append
  }
  save(c);
}

}  // namespace mamori::agent::windows
