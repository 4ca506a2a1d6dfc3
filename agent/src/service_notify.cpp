#include "service_notify.hpp"

#include <systemd/sd-daemon.h>

#include <cstdint>
#include <string>

namespace mamori::agent::service_notify {
namespace {

void send(const std::string& state) { (void)sd_notify(0, state.c_str()); }

}  // namespace

void ready(std::string_view text) { send("READY=1\nSTATUS=" + std::string(text)); }

void status(std::string_view text) { send("STATUS=" + std::string(text)); }

void stopping() { send("STOPPING=1"); }

void watchdog() { send("WATCHDOG=1"); }

std::optional<std::chrono::seconds> watchdogInterval() {
  std::uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::nullopt;
  const auto half =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::microseconds{usec} / 2);
  return std::max(half, std::chrono::seconds{1});
}

}  // namespace mamori::agent::service_notify
