#include "com.hpp"

namespace mamori::platform::windows {

ComApartment::ComApartment() {
  const HRESULT hr = CoInitializeEx(nullptr, COINIT_MULTITHREADED);
  joined_ = SUCCEEDED(hr);  // S_FALSE (already joined) counts too and needs its own uninit
}

ComApartment::~ComApartment() {
  if (joined_) CoUninitialize();
}

}  // namespace mamori::platform::windows
