// The Windows NetworkGuard: mamori's filters in a sublayer of its own in the Windows Filtering
// Platform (see wfp_filters.hpp for what they let through). apply() replaces them in one WFP
// transaction, so the PC is never half open; the session is not dynamic, so the filters stay
// when the agent stops or crashes, until Windows restarts (the service then puts them back at
// start, from the collector's last word, as the Linux agent does after a reboot).

// windows.h and winsock2 first; initguid.h before fwpmu.h so that the GUIDs below are defined
// here: not sorted.
// clang-format off
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <initguid.h>
#include <fwpmu.h>
// clang-format on

#include <array>
#include <memory>
#include <vector>

#include "mamori/platform/network_guard.hpp"
#include "mamori/platform/wfp_filters.hpp"
#include "wide_string.hpp"
#include "windows_error.hpp"

namespace mamori::platform {
namespace {

// mamori's own provider and sublayer; every filter mamori adds names both.
// {7cde1348-faf7-405f-b243-14f4faea9b1c}
DEFINE_GUID(kMamoriProvider, 0x7cde1348, 0xfaf7, 0x405f, 0xb2, 0x43, 0x14, 0xf4, 0xfa, 0xea, 0x9b,
            0x1c);
// {f785f49d-b115-44fe-ae4b-c0449b2f4151}
DEFINE_GUID(kMamoriSublayer, 0xf785f49d, 0xb115, 0x44fe, 0xae, 0x4b, 0xc0, 0x44, 0x9b, 0x2f, 0x41,
            0x51);

// The layers and condition fields mamori uses. mingw-w64's fwpmu.h declares the functions but
// not these identifiers; the values are the Windows SDK's (fwpmu.h).
DEFINE_GUID(kLayerConnectV4, 0xc38d57d1, 0x05a7, 0x4c33, 0x90, 0x4f, 0x7f, 0xbc, 0xee, 0xe6, 0x0e,
            0x82);
DEFINE_GUID(kLayerConnectV6, 0x4a72393b, 0x319f, 0x44bc, 0x84, 0xc3, 0xba, 0x54, 0xdc, 0xb3, 0xb6,
            0xb4);
DEFINE_GUID(kLayerRecvAcceptV4, 0xe1cd9fe7, 0xf4b5, 0x4273, 0x96, 0xc0, 0x59, 0x2e, 0x48, 0x7b,
            0x86, 0x50);
DEFINE_GUID(kLayerRecvAcceptV6, 0xa3b42c97, 0x9f04, 0x4672, 0xb8, 0x7e, 0xce, 0xe9, 0xc4, 0x83,
            0x25, 0x7f);
DEFINE_GUID(kConditionFlags, 0x632ce23b, 0x5167, 0x435c, 0x86, 0xd7, 0xe9, 0x03, 0x68, 0x4a, 0xa8,
            0x0c);
DEFINE_GUID(kConditionProtocol, 0x3971ef2b, 0x623e, 0x4f9a, 0x8c, 0xb1, 0x6e, 0x79, 0xb8, 0x06,
            0xb9, 0xa7);
DEFINE_GUID(kConditionRemoteAddress, 0xb235ae9a, 0x1d64, 0x49b8, 0xa4, 0x4c, 0x5f, 0xf3, 0xd9, 0x09,
            0x50, 0x45);
DEFINE_GUID(kConditionRemotePort, 0xc35a604d, 0xd22b, 0x4e1a, 0x91, 0xb4, 0x68, 0xf6, 0x74, 0xee,
            0x67, 0x4b);
DEFINE_GUID(kConditionLocalPort, 0x0c1ba1af, 0x5765, 0x453f, 0xaf, 0x22, 0xa8, 0xf7, 0x91, 0xac,
            0x77, 0x5b);

constexpr std::array kLayers{std::pair{WfpLayer::kConnectV4, &kLayerConnectV4},
                             std::pair{WfpLayer::kConnectV6, &kLayerConnectV6},
                             std::pair{WfpLayer::kAcceptV4, &kLayerRecvAcceptV4},
                             std::pair{WfpLayer::kAcceptV6, &kLayerRecvAcceptV6}};

constexpr DWORD kSublayerNotFound = 0x80320007;  // FWP_E_SUBLAYER_NOT_FOUND
constexpr DWORD kProviderNotFound = 0x80320005;  // FWP_E_PROVIDER_NOT_FOUND
constexpr DWORD kAlreadyExists = 0x80320009;     // FWP_E_ALREADY_EXISTS

Error wfpError(std::string_view what, DWORD code) {
  return makeError(ErrorCode::kIo, "Windows Filtering Platform: " + std::string(what) + ": " +
                                       windows::describeHresult(static_cast<HRESULT>(code)));
}

const GUID& layerKey(WfpLayer layer) {
  for (const auto& [l, key] : kLayers) {
    if (l == layer) return *key;
  }
  return kLayerConnectV4;
}

// One filter's conditions, with the storage the WFP structures point into.
struct FilterConditions {
  std::vector<FWPM_FILTER_CONDITION0> conditions;
  FWP_BYTE_ARRAY16 address6{};

  std::expected<void, Error> build(const WfpFilter& f) {
    const auto add = [&](const GUID& field, FWP_MATCH_TYPE match, FWP_CONDITION_VALUE0 value) {
      FWPM_FILTER_CONDITION0 c{};
      c.fieldKey = field;
      c.matchType = match;
      c.conditionValue = value;
      conditions.push_back(c);
    };
    if (f.loopback) {
      FWP_CONDITION_VALUE0 v{};
      v.type = FWP_UINT32;
      v.uint32 = FWP_CONDITION_FLAG_IS_LOOPBACK;
      add(kConditionFlags, FWP_MATCH_FLAGS_ALL_SET, v);
    }
    if (f.protocol) {
      FWP_CONDITION_VALUE0 v{};
      v.type = FWP_UINT8;
      v.uint8 = *f.protocol;
      add(kConditionProtocol, FWP_MATCH_EQUAL, v);
    }
    if (!f.remote_address.empty()) {
      FWP_CONDITION_VALUE0 v{};
      in_addr a4{};
      if (InetPtonA(AF_INET, f.remote_address.c_str(), &a4) == 1) {
        v.type = FWP_UINT32;
        v.uint32 = ntohl(a4.s_addr);  // WFP takes IPv4 addresses in host order
      } else if (InetPtonA(AF_INET6, f.remote_address.c_str(), address6.byteArray16) == 1) {
        v.type = FWP_BYTE_ARRAY16_TYPE;
        v.byteArray16 = &address6;
      } else {
        return std::unexpected(
            makeError(ErrorCode::kValidation, "\"" + f.remote_address + "\" is not an IP address"));
      }
      add(kConditionRemoteAddress, FWP_MATCH_EQUAL, v);
    }
    for (const auto& [port, field] : {std::pair{f.remote_port, &kConditionRemotePort},
                                      std::pair{f.local_port, &kConditionLocalPort}}) {
      if (!port) continue;
      FWP_CONDITION_VALUE0 v{};
      v.type = FWP_UINT16;
      v.uint16 = *port;
      add(*field, FWP_MATCH_EQUAL, v);
    }
    return {};
  }
};

class WfpNetworkGuard final : public NetworkGuard {
 public:
  explicit WfpNetworkGuard(HANDLE engine) : engine_(engine) {}
  ~WfpNetworkGuard() override { FwpmEngineClose0(engine_); }
  WfpNetworkGuard(const WfpNetworkGuard&) = delete;
  WfpNetworkGuard& operator=(const WfpNetworkGuard&) = delete;

  std::expected<void, Error> apply(const NetworkGuardPlan& plan) override {
    if (auto checked = checkNetworkGuardPlan(plan); !checked) return checked;
    if (const DWORD rc = FwpmTransactionBegin0(engine_, 0); rc != ERROR_SUCCESS) {
      return std::unexpected(wfpError("cannot begin a transaction", rc));
    }
    auto done = replace(plan);
    if (!done) {
      FwpmTransactionAbort0(engine_);
      return done;
    }
    if (const DWORD rc = FwpmTransactionCommit0(engine_); rc != ERROR_SUCCESS) {
      return std::unexpected(wfpError("the transaction was not committed", rc));
    }
    return {};
  }

  [[nodiscard]] std::expected<NetworkMode, Error> current() const override {
    FWPM_SUBLAYER0* sublayer = nullptr;
    const DWORD rc = FwpmSubLayerGetByKey0(engine_, &kMamoriSublayer, &sublayer);
    if (rc == kSublayerNotFound) return NetworkMode::kOpen;
    if (rc != ERROR_SUCCESS) return std::unexpected(wfpError("cannot read mamori's sublayer", rc));
    const std::wstring description =
        sublayer->displayData.description != nullptr ? sublayer->displayData.description : L"";
    FwpmFreeMemory0(reinterpret_cast<void**>(&sublayer));
    auto mode = wfpSublayerMode(windows::narrow(description));
    if (!mode) return std::unexpected(makeError(ErrorCode::kParse, mode.error()));
    return *mode;
  }

 private:
  // Within the open transaction: mamori's filters and sublayer go, and for a closed mode come
  // back as `plan` says.
  std::expected<void, Error> replace(const NetworkGuardPlan& plan) {
    if (auto removed = removeFilters(); !removed) return removed;
    if (const DWORD rc = FwpmSubLayerDeleteByKey0(engine_, &kMamoriSublayer);
        rc != ERROR_SUCCESS && rc != kSublayerNotFound) {
      return std::unexpected(wfpError("cannot remove mamori's sublayer", rc));
    }
    if (plan.mode == NetworkMode::kOpen) {
      const DWORD rc = FwpmProviderDeleteByKey0(engine_, &kMamoriProvider);
      if (rc != ERROR_SUCCESS && rc != kProviderNotFound) {
        return std::unexpected(wfpError("cannot remove mamori's provider", rc));
      }
      return {};
    }
    std::wstring name = L"mamori";
    FWPM_PROVIDER0 provider{};
    provider.providerKey = kMamoriProvider;
    provider.displayData.name = name.data();
    if (const DWORD rc = FwpmProviderAdd0(engine_, &provider, nullptr);
        rc != ERROR_SUCCESS && rc != kAlreadyExists) {
      return std::unexpected(wfpError("cannot add mamori's provider", rc));
    }
    std::wstring description = windows::widen(wfpSublayerDescription(plan));
    FWPM_SUBLAYER0 sublayer{};
    sublayer.subLayerKey = kMamoriSublayer;
    sublayer.displayData.name = name.data();
    sublayer.displayData.description = description.data();
    sublayer.providerKey = const_cast<GUID*>(&kMamoriProvider);
    sublayer.weight = 0xFFFF;  // looked at first: nobody's veto comes before mamori's block
    if (const DWORD rc = FwpmSubLayerAdd0(engine_, &sublayer, nullptr); rc != ERROR_SUCCESS) {
      return std::unexpected(wfpError("cannot add mamori's sublayer", rc));
    }
    for (const auto& f : wfpFilters(plan)) {
      if (auto added = addFilter(f); !added) return added;
    }
    return {};
  }

  std::expected<void, Error> addFilter(const WfpFilter& f) {
    FilterConditions conditions;
    if (auto built = conditions.build(f); !built) return built;
    std::wstring name = windows::widen(f.name);
    FWPM_FILTER0 filter{};
    filter.displayData.name = name.data();
    filter.providerKey = const_cast<GUID*>(&kMamoriProvider);
    filter.layerKey = layerKey(f.layer);
    filter.subLayerKey = kMamoriSublayer;
    filter.weight.type = FWP_UINT8;
    filter.weight.uint8 = f.weight;
    filter.numFilterConditions = static_cast<UINT32>(conditions.conditions.size());
    filter.filterCondition = conditions.conditions.empty() ? nullptr : conditions.conditions.data();
    filter.action.type = f.action == WfpAction::kPermit ? FWP_ACTION_PERMIT : FWP_ACTION_BLOCK;
    UINT64 id = 0;
    if (const DWORD rc = FwpmFilterAdd0(engine_, &filter, nullptr, &id); rc != ERROR_SUCCESS) {
      return std::unexpected(wfpError("cannot add the filter \"" + f.name + "\"", rc));
    }
    return {};
  }

  // Every filter of mamori's provider, on each of its layers.
  std::expected<void, Error> removeFilters() {
    for (const auto& [layer, key] : kLayers) {
      FWPM_FILTER_ENUM_TEMPLATE0 wanted{};
      wanted.providerKey = const_cast<GUID*>(&kMamoriProvider);
      wanted.layerKey = *key;
      wanted.enumType = FWP_FILTER_ENUM_OVERLAPPING;
      wanted.actionMask = 0xFFFFFFFF;
      HANDLE listing = nullptr;
      if (const DWORD rc = FwpmFilterCreateEnumHandle0(engine_, &wanted, &listing);
          rc != ERROR_SUCCESS) {
        return std::unexpected(wfpError("cannot list mamori's filters", rc));
      }
      FWPM_FILTER0** filters = nullptr;
      UINT32 count = 0;
      const DWORD rc = FwpmFilterEnum0(engine_, listing, 4096, &filters, &count);
      std::vector<UINT64> ids;
      for (UINT32 i = 0; rc == ERROR_SUCCESS && i < count; ++i) ids.push_back(filters[i]->filterId);
      if (filters != nullptr) FwpmFreeMemory0(reinterpret_cast<void**>(&filters));
      FwpmFilterDestroyEnumHandle0(engine_, listing);
      if (rc != ERROR_SUCCESS) return std::unexpected(wfpError("cannot list mamori's filters", rc));
      for (const auto id : ids) {
        if (const DWORD removed = FwpmFilterDeleteById0(engine_, id); removed != ERROR_SUCCESS) {
          return std::unexpected(wfpError("cannot remove a filter of mamori's", removed));
        }
      }
    }
    return {};
  }

  HANDLE engine_;
};

}  // namespace

std::expected<std::unique_ptr<NetworkGuard>, Error> makeNetworkGuard() {
  FWPM_SESSION0 session{};
  session.txnWaitTimeoutInMSec = 5000;  // another writer's transaction: wait, then fail
  HANDLE engine = nullptr;
  if (const DWORD rc = FwpmEngineOpen0(nullptr, RPC_C_AUTHN_WINNT, nullptr, &session, &engine);
      rc != ERROR_SUCCESS) {
    return std::unexpected(wfpError("cannot open the filter engine", rc));
  }
  return std::make_unique<WfpNetworkGuard>(engine);
}

}  // namespace mamori::platform
