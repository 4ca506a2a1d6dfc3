#!/usr/bin/env bash
# Issue 8 under a real systemd: the agent's package in a clean Debian 12 that boots with systemd
# as PID 1 in a container (systemd-nspawn), on a network namespace of its own joined to the
# collector's (10.77.0.2:8443). Checks that the hardened unit really runs the agent: started
# (READY through sd_notify, with its status text), ordered before the login sessions, reporting,
# pinging the watchdog, sandboxed (seccomp, no new privileges, the capability bounding set), and
# restarted after a SIGKILL.
#
#   deb_systemd_test.sh BUILD_DIR
set -euo pipefail
build=$(realpath "${1:?usage: deb_systemd_test.sh BUILD_DIR}")
lab_name=deb-systemd
lab_tmp=$(mktemp -d "${TMPDIR:-/tmp}/mamori-deb-systemd.XXXXXX")
T=$lab_tmp
netns_tag=ds$$ check_label=deb-systemd
source "$(dirname "$0")/systemd_pc.sh"

systemd_pc_prepare
systemd_pc_collector
lab_start_collector
token=$(lab_admin token create --department 総務課 --segment lgwan --uses 1 2>>"$T/admin.log")
(cd "$build" && cpack -G DEB -B "$T/out" >"$T/cpack.log" 2>&1) || lab_fail "cpack: $(tail -n 5 "$T/cpack.log")"
systemd_pc_install "$(echo "$T"/out/mamori-agent_*_amd64.deb)" "$token"
check "installed and enrolled as $device" test -n "$device"
systemd_pc_boot

check "the service is active under systemd ($(prop mamori-agent.service Type), $(prop mamori-agent.service SubState))" \
  test "$(prop mamori-agent.service ActiveState)" = active
status_text=$(prop mamori-agent.service StatusText)
check "READY came through sd_notify, with the agent's status (\"$status_text\")" \
  test "$status_text" = "USB locked; reporting to https://10.77.0.2:8443"
agent_up=$(prop mamori-agent.service ActiveEnterTimestampMonotonic)
sessions_up=$(prop systemd-user-sessions.service ActiveEnterTimestampMonotonic)
check "started before logins are allowed (agent at ${agent_up} us, user sessions at ${sessions_up} us)" \
  test "$agent_up" -gt 0 -a "$agent_up" -le "$sessions_up"
reports() { lab_admin device show "$device" | sed -n 's/^reports: //p'; }
lab_wait_for 60 "the service's first report" bash -c "[[ \$('$collector' device show $device --config '$collector_config' --lang en | sed -n 's/^reports: //p') -ge 1 ]]"
check "the service's first report arrived (collector: $(reports))" test "$(reports)" -ge 1
main=$(prop mamori-agent.service MainPID)
proc_status=$(in_container cat "/proc/$main/status")
check "sandboxed: seccomp filter and no new privileges" \
  bash -c "grep -q '^Seccomp:[[:space:]]*2' <<<'$proc_status' && grep -q '^NoNewPrivs:[[:space:]]*1' <<<'$proc_status'"
# CAP_DAC_READ_SEARCH 2, CAP_SETGID 6, CAP_SETUID 7, CAP_NET_ADMIN 12, CAP_SYS_ADMIN 21,
# CAP_AUDIT_WRITE 29: nothing else (the container may hold back some of these itself).
capbnd=$(sed -n 's/^CapBnd:[[:space:]]*//p' <<<"$proc_status")
check "the capability bounding set is within the unit's (CapBnd $capbnd)" \
  test $((0x$capbnd & ~0x202010c4)) -eq 0 -a $((0x$capbnd & 0x201000)) -eq $((0x201000))
# The PC (no anti-malware, no MFA) is quarantined by the collector: the agent changes nftables
# from inside its sandbox (AF_NETLINK, CAP_NET_ADMIN, @system-service syscalls).
firewall_mode() {
  ip netns exec "$pc" nft list table inet mamori 2>/dev/null | sed -nE 's/.*comment "mamori:([a-z]+) .*/\1/p'
}
lab_wait_for 60 "the agent's quarantine" bash -c "ip netns exec $pc nft list table inet mamori 2>/dev/null | grep -q 'mamori:quarantine'"
check "the sandboxed agent put the PC in quarantine (nftables: $(firewall_mode))" test "$(firewall_mode)" = quarantine
check "watchdog armed ($(prop mamori-agent.service WatchdogUSec))" \
  test "$(prop mamori-agent.service WatchdogUSec)" = 2min
in_container /bin/sh -c "kill -KILL $main"
restarted() { [[ $(prop mamori-agent.service NRestarts) -ge 1 && $(prop mamori-agent.service ActiveState) == active ]]; }
lab_wait_for 60 "the restart after SIGKILL" restarted
check "SIGKILLed, restarted by systemd (NRestarts $(prop mamori-agent.service NRestarts), new pid $(prop mamori-agent.service MainPID))" \
  test "$(prop mamori-agent.service MainPID)" != "$main"
echo "---- journalctl -u mamori-agent (the container's journal)"
in_container journalctl -u mamori-agent --no-pager -o cat | head -n 30 || true
echo "----"

check_summary
