#include "wmi.hpp"

#include <wbemcli.h>

#include "com.hpp"
#include "wide_string.hpp"
#include "windows_error.hpp"

namespace mamori::platform::windows {
namespace {

// WMI answers a local query in milliseconds; a provider that hangs must not stall the cycle.
constexpr long kNextTimeoutMs = 15'000;

std::optional<WmiValue> valueOf(const VARIANT& v) {
  switch (V_VT(&v)) {
    case VT_BOOL: return V_BOOL(&v) != VARIANT_FALSE;
    case VT_BSTR: return narrow(V_BSTR(&v) ? V_BSTR(&v) : L"");
    case VT_I1: return std::int64_t{V_I1(&v)};
    case VT_UI1: return std::int64_t{V_UI1(&v)};
    case VT_I2: return std::int64_t{V_I2(&v)};
    case VT_UI2: return std::int64_t{V_UI2(&v)};
    case VT_I4: return std::int64_t{V_I4(&v)};
    case VT_UI4: return std::int64_t{V_UI4(&v)};
    case VT_I8: return std::int64_t{V_I8(&v)};
    default: return std::nullopt;  // NULL, arrays, objects
  }
}

WmiObject objectOf(IWbemClassObject* instance) {
  WmiObject object;
  if (FAILED(instance->BeginEnumeration(WBEM_FLAG_NONSYSTEM_ONLY))) return object;
  BSTR name = nullptr;
  VARIANT value;
  VariantInit(&value);
  while (instance->Next(0, &name, &value, nullptr, nullptr) == WBEM_S_NO_ERROR) {
    if (auto v = valueOf(value)) object.set(narrow(name), std::move(*v));
    SysFreeString(name);
    VariantClear(&value);
  }
  instance->EndEnumeration();
  return object;
}

}  // namespace

std::expected<std::vector<WmiObject>, std::string> wmiQuery(std::string_view ns,
                                                            std::string_view wql) {
  const auto failed = [&](std::string_view step, HRESULT hr) {
    return std::unexpected("WMI " + std::string(ns) + " \"" + std::string(wql) +
                           "\": " + std::string(step) + " failed: " + describeHresult(hr));
  };
  ComPtr<IWbemLocator> locator;
  HRESULT hr = CoCreateInstance(CLSID_WbemLocator, nullptr, CLSCTX_INPROC_SERVER, IID_IWbemLocator,
                                locator.outVoid());
  if (FAILED(hr)) return failed("CoCreateInstance(WbemLocator)", hr);
  ComPtr<IWbemServices> services;
  hr = locator->ConnectServer(Bstr(ns), nullptr, nullptr, nullptr, 0, nullptr, nullptr,
                              services.out());
  if (FAILED(hr)) return failed("ConnectServer", hr);
  hr = CoSetProxyBlanket(services.get(), RPC_C_AUTHN_WINNT, RPC_C_AUTHZ_NONE, nullptr,
                         RPC_C_AUTHN_LEVEL_CALL, RPC_C_IMP_LEVEL_IMPERSONATE, nullptr, EOAC_NONE);
  if (FAILED(hr)) return failed("CoSetProxyBlanket", hr);
  ComPtr<IEnumWbemClassObject> rows;
  hr = services->ExecQuery(Bstr("WQL"), Bstr(wql),
                           WBEM_FLAG_FORWARD_ONLY | WBEM_FLAG_RETURN_IMMEDIATELY, nullptr,
                           rows.out());
  if (FAILED(hr)) return failed("ExecQuery", hr);

  std::vector<WmiObject> objects;
  for (;;) {
    ComPtr<IWbemClassObject> row;
    ULONG returned = 0;
    hr = rows->Next(kNextTimeoutMs, 1, row.out(), &returned);
    if (hr == WBEM_S_TIMEDOUT) return failed("Next (timed out)", hr);
    if (FAILED(hr)) return failed("Next", hr);
    if (returned == 0) break;
    objects.push_back(objectOf(row.get()));
  }
  return objects;
}

}  // namespace mamori::platform::windows
