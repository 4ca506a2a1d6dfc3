// What the Windows Update Agent knows: when it last installed something (its history), and which
// security updates it offers and has not installed (its last scan, read offline).

#include <windows.h>
#include <wuapi.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <string_view>

#include "../decode/text_lines.hpp"
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
// {0FA1201D-4330-4FA8-8AE9-B877473B6441}: the update classification "Security Updates".
constexpr std::string_view kSecurityUpdates = "0fa1201d-4330-4fa8-8ae9-b877473b6441";

}  // namespace

std::optional<policy::TimePoint> fromOleDate(double date) {
  // An OLE automation date counts days from 1899-12-30 00:00; WUA gives them in UTC.
  if (!std::isfinite(date) || date < 1.0 || date > 2958465.0) return std::nullopt;
  using namespace std::chrono;
  const auto epoch = sys_days{year{1899} / December / 30};
  return time_point_cast<seconds>(epoch + seconds{std::llround(date * 86400.0)});
}

namespace {

std::string failure(std::string_view step, HRESULT hr) {
  return "Windows Update Agent: " + std::string(step) + " failed: " + describeHresult(hr);
}

bool isSecurityUpdate(IUpdate* update) {
  ComPtr<ICategoryCollection> categories;
  if (FAILED(update->get_Categories(categories.out()))) return false;
  LONG count = 0;
  if (FAILED(categories->get_Count(&count))) return false;
  for (LONG i = 0; i < count; ++i) {
    ComPtr<ICategory> category;
    Bstr id;
    if (SUCCEEDED(categories->get_Item(i, category.out())) &&
        SUCCEEDED(category->get_CategoryID(id.out())) &&
        textscan::equalsIgnoringCase(id.utf8(), kSecurityUpdates)) {
      return true;
    }
  }
  return false;
}

policy::Observed<policy::TimePoint> lastInstallation(IUpdateSearcher* searcher) {
  using Result = policy::Observed<policy::TimePoint>;
  LONG total = 0;
  HRESULT hr = searcher->GetTotalHistoryCount(&total);
  if (FAILED(hr)) return Result::unknown(failure("GetTotalHistoryCount", hr));
  const auto none = Result::unknown("Windows Update has no successful installation in its history");
  if (total <= 0) return none;
  ComPtr<IUpdateHistoryEntryCollection> history;
  hr = searcher->QueryHistory(0, std::min(total, kHistoryEntries), history.out());
  if (FAILED(hr)) return Result::unknown(failure("QueryHistory", hr));
  LONG count = 0;
  if (FAILED(hr = history->get_Count(&count))) return Result::unknown(failure("history count", hr));

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
  return latest ? Result(*latest) : none;
}

// Offline: the result of Windows Update's last scan, without going to Microsoft (which can take
// minutes and is Windows Update's job, not the agent's).
policy::Observed<std::vector<policy::PendingUpdate>> pendingSecurityUpdates(
    IUpdateSearcher* searcher) {
  using Result = policy::Observed<std::vector<policy::PendingUpdate>>;
  HRESULT hr = searcher->put_Online(VARIANT_FALSE);
  if (FAILED(hr)) return Result::unknown(failure("put_Online", hr));
  const Bstr criteria("IsInstalled=0 and IsHidden=0 and Type='Software'");
  ComPtr<ISearchResult> found;
  hr = searcher->Search(criteria, found.out());
  if (FAILED(hr)) return Result::unknown(failure("Search", hr));
  ComPtr<IUpdateCollection> updates;
  if (FAILED(hr = found->get_Updates(updates.out()))) {
    return Result::unknown(failure("search result", hr));
  }
  LONG count = 0;
  if (FAILED(hr = updates->get_Count(&count))) return Result::unknown(failure("update count", hr));
  std::vector<policy::PendingUpdate> pending;
  for (LONG i = 0; i < count; ++i) {
    ComPtr<IUpdate> update;
    if (FAILED(updates->get_Item(i, update.out())) || !isSecurityUpdate(update.get())) continue;
    Bstr title;
    DATE released = 0;
    if (FAILED(update->get_Title(title.out())) ||
        FAILED(update->get_LastDeploymentChangeTime(&released))) {
      continue;
    }
    if (const auto when = fromOleDate(released)) {
      pending.push_back({title.utf8(), *when});
    }
  }
  return pending;
}

}  // namespace

policy::Observed<policy::PackageInventory> readWindowsUpdate() {
  using Result = policy::Observed<policy::PackageInventory>;
  ComPtr<IUpdateSession> session;
  HRESULT hr = CoCreateInstance(kUpdateSession, nullptr, CLSCTX_INPROC_SERVER,
                                __uuidof(IUpdateSession), session.outVoid());
  if (FAILED(hr)) return Result::unknown(failure("CoCreateInstance(UpdateSession)", hr));
  ComPtr<IUpdateSearcher> searcher;
  hr = session->CreateUpdateSearcher(searcher.out());
  if (FAILED(hr)) return Result::unknown(failure("CreateUpdateSearcher", hr));

  policy::PackageInventory inventory;
  inventory.manager = "windows-update";
  inventory.last_change = lastInstallation(searcher.get());
  inventory.pending_security_updates = pendingSecurityUpdates(searcher.get());
  return inventory;
}

}  // namespace mamori::platform::windows
