#include "mamori/platform/clock.hpp"

namespace mamori::platform {
namespace {

class SystemClock final : public Clock {
 public:
  [[nodiscard]] policy::TimePoint now() const override {
    return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  }
  [[nodiscard]] std::chrono::steady_clock::time_point monotonic() const override {
    return std::chrono::steady_clock::now();
  }
};

}  // namespace

const Clock& systemClock() {
  static const SystemClock clock;
  return clock;
}

}  // namespace mamori::platform
