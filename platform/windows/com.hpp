#pragma once

// The little COM the WMI and Windows Update readers need: an apartment per reading thread and an
// owning interface pointer.

#include <objbase.h>

#include <utility>

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

}  // namespace mamori::platform::windows
