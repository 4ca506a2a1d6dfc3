// When Windows Update last installed something, from the Windows Update Agent's own history.

#include <windows.h>
#include <wuapi.h>

#include <chrono>
#include <cmath>

#include "com.hpp"
#include "system_readers.hpp"
#include "windows_error.hpp"

namespace mamori::platform::windows {
namespace {

// {4CB43D7F-7EEE-4906-8698-60DA1C38F2FE}: the Windows Update Agent's UpdateSession.
constexpr CLSID kUpdateSession = {
    0x4cb43d7f, 0x7eee, 0x4906, {0x86, 0x98, 0x60, 0xda, 0x1c, 0x38, 0xf2, 0xfe}};
// The history is newest first; a month's updates fit in far fewer entries.
constexpr LONG kHistoryEntries = 200;

}  // namespace

std::optional<policy::TimePoint> fromOleDate(double date) {
  // An OLE automation date counts days from 1899-12-30 00:00; WUA gives them in UTC.
  if (!std::isfinite(date) || date < 1.0 || date > 2958465.0) return std::nullopt;
  using namespace std::chrono;
  const auto epoch = sys_days{year{1899} / December / 30};
  return time_point_cast<seconds>(epoch + seconds{std::llround(date * 86400.0)});
}

policy::Observed<policy::PackageInventory> readWindowsUpdate() {
  using Result = policy::Observed<policy::PackageInventory>;
  const auto failed = [](std::string_view step, HRESULT hr) {
    return Result::unknown("Windows Update Agent: " + std::string(step) +
                           " failed: " + describeHresult(hr));
  };
  ComPtr<IUpdateSession> session;
  HRESULT hr = CoCreateInstance(kUpdateSession, nullptr, CLSCTX_INPROC_SERVER,
                                __uuidof(IUpdateSession), session.outVoid());
  if (FAILED(hr)) return failed("CoCreateInstance(UpdateSession)", hr);
  ComPtr<IUpdateSearcher> searcher;
  hr = session->CreateUpdateSearcher(searcher.out());
  if (FAILED(hr)) return failed("CreateUpdateSearcher", hr);
  LONG total = 0;
  hr = searcher->GetTotalHistoryCount(&total);
  if (FAILED(hr)) return failed("GetTotalHistoryCount", hr);

  policy::PackageInventory inventory;
  inventory.manager = "windows-update";
  inventory.last_change = policy::Observed<policy::TimePoint>::unknown(
      "Windows Update has no successful installation in its history");
  if (total <= 0) return inventory;
  ComPtr<IUpdateHistoryEntryCollection> history;
  hr = searcher->QueryHistory(0, std::min(total, kHistoryEntries), history.out());
  if (FAILED(hr)) return failed("QueryHistory", hr);
  LONG count = 0;
  if (FAILED(hr = history->get_Count(&count))) return failed("history count", hr);

  std::optional<policy::TimePoint> latest;
  for (LONG i = 0; i < count; ++i) {
    ComPtr<IUpdateHistoryEntry> entry;
    if (FAILED(history->get_Item(i, entry.out()))) continue;
    UpdateOperation operation{};
    OperationResultCode result{};
    DATE date = 0;
    if (FAILED(entry->get_Operation(&operation)) || FAILED(entry->get_ResultCode(&result)) ||
        FAILED(entry->get_Date(&date))) {
      continue;
    }
    if (operation != uoInstallation ||
        (result != orcSucceeded && result != orcSucceededWithErrors)) {
      continue;
    }
    if (const auto when = fromOleDate(date); when && (!latest || *when > *latest)) latest = when;
  }
  if (latest) inventory.last_change = *latest;
  return inventory;
}

}  // namespace mamori::platform::windows
