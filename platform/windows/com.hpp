#pragma once

// The little COM the WMI and Windows Update readers need: an apartment per reading thread and an
// owning interface pointer.

#include <objbase.h>
#include <oleauto.h>

#include <string_view>
#include <utility>

#include "wide_string.hpp"

namespace mamori::platform::windows {

/// Joins the calling thread to the multithreaded apartment for its lifetime. `ok()` is false
/// when the thread already lives in a single-threaded one (COM still works there).
class ComApartment {
 public:
  ComApartment();
  ~ComApartment();
  ComApartment(const ComApartment&) = delete;
  ComApartment& operator=(const ComApartment&) = delete;

 private:
  bool joined_ = false;
};

template <class T>
class ComPtr {
 public:
  ComPtr() = default;
  ComPtr(const ComPtr&) = delete;
  ComPtr& operator=(const ComPtr&) = delete;
  ComPtr(ComPtr&& other) noexcept : p_(std::exchange(other.p_, nullptr)) {}
  ~ComPtr() {
    if (p_) p_->Release();
  }
  T* operator->() const { return p_; }
  T* get() const { return p_; }
  /// For out-parameters; the pointer must be empty.
  T** out() { return &p_; }
  void** outVoid() { return reinterpret_cast<void**>(&p_); }
  explicit operator bool() const { return p_ != nullptr; }

 private:
  T* p_ = nullptr;
};

/// An owned BSTR: made from UTF-8 for a call's input, or filled by a call's out-parameter.
class Bstr {
 public:
  Bstr() = default;
  explicit Bstr(std::string_view utf8) : s_(SysAllocString(widen(utf8).c_str())) {}
  ~Bstr() { SysFreeString(s_); }
  Bstr(const Bstr&) = delete;
  Bstr& operator=(const Bstr&) = delete;
  operator BSTR() const { return s_; }  // NOLINT: passed straight to COM calls
  /// For out-parameters; the string must be empty.
  BSTR* out() { return &s_; }
  [[nodiscard]] std::string utf8() const {
    return s_ ? narrow(std::wstring_view(s_, SysStringLen(s_))) : std::string();
  }

 private:
  BSTR s_ = nullptr;
};

}  // namespace mamori::platform::windows
