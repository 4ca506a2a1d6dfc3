#pragma once

// systemd's service protocol (Type=notify, WatchdogSec=): the agent says READY once the USB
// ports are locked and the firewall reconciled, and pings the watchdog from its worker loop, so
// a hung agent is restarted. Nothing happens when systemd did not start the agent (no
// NOTIFY_SOCKET): a terminal, a test, Windows.

#include <chrono>
#include <optional>
#include <string_view>

namespace mamori::agent::service_notify {

void ready(std::string_view status);
void status(std::string_view status);
void stopping();
void watchdog();
/// How often to ping: half the unit's WatchdogSec; none when no watchdog was asked for.
std::optional<std::chrono::seconds> watchdogInterval();

}  // namespace mamori::agent::service_notify
