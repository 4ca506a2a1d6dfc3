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

// One line at the end of `file`, on disk before this returns. A last line a crash left without
// its end is ended first, so the new one is not glued to it.
bool appendLine(const std::filesystem::path& file, const std::string& line) {
  const HANDLE h = CreateFileW(file.c_str(), FILE_APPEND_DATA | FILE_READ_DATA, FILE_SHARE_READ,
                               nullptr, OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (h == INVALID_HANDLE_VALUE) return false;
  bool ended = true;
  LARGE_INTEGER size{};
  if (GetFileSizeEx(h, &size) && size.QuadPart > 0) {
    char last = '\n';
    DWORD got = 0;
    OVERLAPPED at{};
    at.Offset = static_cast<DWORD>((size.QuadPart - 1) & 0xffffffff);
    at.OffsetHigh = static_cast<DWORD>((size.QuadPart - 1) >> 32);
    ended = !ReadFile(h, &last, 1, &got, &at) || got != 1 || last == '\n';
  }
  const std::string text = (ended ? "" : "\n") + line + "\n";
  DWORD written = 0;
  const bool ok = WriteFile(h, text.data(), static_cast<DWORD>(text.size()), &written, nullptr) &&
                  written == text.size() && FlushFileBuffers(h);
  CloseHandle(h);
  return ok;
}

}  // namespace

AuditLog::AuditLog(std::filesystem::path dir)
    : log_(dir / "audit.jsonl"),
      state_(dir / "audit-state.json"),
      // The service and a `report` typed by hand share the log: one process at a time.
      between_processes_(CreateMutexW(nullptr, FALSE, L"Global\\mamori-agent-audit-log")) {}

AuditLog::~AuditLog() {
  if (between_processes_ != nullptr) CloseHandle(between_processes_);
}

AuditLog::Lock::Lock(AuditLog& log) : log_(log), guard_(log.mutex_) {
  // An abandoned mutex (a process that died holding it) is ours now: the files are whole, as
  // each write is.
  if (log_.between_processes_ != nullptr) WaitForSingleObject(log_.between_processes_, INFINITE);
}

AuditLog::Lock::~Lock() {
  if (log_.between_processes_ != nullptr) ReleaseMutex(log_.between_processes_);
}

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
  const Lock guard(*this);
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
  const Lock guard(*this);
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
  const Lock guard(*this);
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
  const Lock guard(*this);
  auto c = counters();
  auto all = lines();
  c.carried = std::min<std::int64_t>(c.carried + static_cast<std::int64_t>(count),
                                     static_cast<std::int64_t>(all.size()));
  if (c.carried >= kCompactAfter) {
    // The carried lines go: the count starts over first, then the waiting lines are written
    // anew. A crash between the two sends the carried ones again, which the collector keeps
    // once (by id); the other order would take waiting events for carried ones.
    std::string rest;
    for (auto i = static_cast<std::size_t>(c.carried); i < all.size(); ++i) rest += all[i] + "\n";
    save({0, c.dropped});
    if (!writeStateFile(log_, rest)) return;  // the old file, all of it waiting: sent again
    kept_.reset();                            // counted again at the next append
    return;
  }
  save(c);
}

}  // namespace mamori::agent::windows
