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
real_collector=$build/collector/mamori-collector
lab_name=deb-systemd
lab_tmp=$(mktemp -d "${TMPDIR:-/tmp}/mamori-deb-systemd.XXXXXX")
T=$lab_tmp
root=$T/root
netns_tag=ds$$ check_label=deb-systemd
source "$(dirname "$0")/../integration/netns_lan.sh"
source "$(dirname "$0")/../support/checks.sh"
pc=$netns_tag-pc col=$netns_tag-col
nspawn_pid=''
lab_before_removal() {
  if [[ -n $nspawn_pid ]]; then
    kill -TERM "$nspawn_pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$nspawn_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$nspawn_pid" 2>/dev/null || true
    wait "$nspawn_pid" 2>/dev/null || true
  fi
  umount "$root/proc" 2>/dev/null || true
  netns_cleanup
}
# lab.sh starts "$collector": this wrapper runs it in the collector's namespace.
collector=$T/collector-in-netns
source "$(dirname "$0")/../../scripts/lib/lab.sh"
source "$(dirname "$0")/debian_root.sh"
lab_init
lab_require systemd-nspawn nsenter debootstrap cpack jq
printf '#!/bin/sh\nexec ip netns exec %s %s "$@"\n' "$col" "$real_collector" >"$collector"
chmod +x "$collector"

# ---- A Debian 12 that boots systemd -----------------------------------------------------------
debian_root systemd "$root"

# ---- The LAN and the collector --------------------------------------------------------------------
netns_lan_up
netns_host "$pc" 1
netns_host "$col" 2
lab_collector_config
jq '.listen.host = "10.77.0.2" | .listen.port = 8443 | .server_names = ["10.77.0.2"]' \
  "$collector_config" >"$T/c.json" && mv "$T/c.json" "$collector_config"
lab_start_collector
token=$(lab_admin token create --department 総務課 --segment lgwan --uses 1 2>>"$T/admin.log")
cp "$collector_ca" "$root/root/collector-ca.crt"

# ---- The package: dependencies from Debian's mirror, then the silent install on the PC's network --
(cd "$build" && cpack -G DEB -B "$T/out" >"$T/cpack.log" 2>&1) || lab_fail "cpack: $(tail -n 5 "$T/cpack.log")"
deb=$(echo "$T"/out/mamori-agent_*_amd64.deb)
cp "$deb" "$root/tmp/agent.deb"
mount -t proc proc "$root/proc"
chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get satisfy -y -qq --no-install-recommends \
  "$(dpkg-deb -f "$deb" Depends)" >"$T/deps.log" 2>&1 || lab_fail "dependencies: $(tail -n 5 "$T/deps.log")"
ip netns exec "$pc" chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
  MAMORI_COLLECTOR=https://10.77.0.2:8443 MAMORI_TOKEN="$token" MAMORI_CA=/root/collector-ca.crt \
  dpkg -i /tmp/agent.deb >"$T/install.log" 2>&1 || lab_fail "install: $(tail -n 20 "$T/install.log")"
umount "$root/proc"
device=$(sed -n 's/^enrolled: device \([0-9a-f-]*\),.*/\1/p' "$T/install.log")
check "installed and enrolled as $device" test -n "$device"

# ---- Boot -------------------------------------------------------------------------------------------
# CAP_NET_ADMIN for the container: the PC's network namespace is its own, and the agent's
# quarantine in it is part of what the sandbox must allow.
systemd-nspawn -q --register=no --keep-unit --network-namespace-path="/run/netns/$pc" \
  --capability=CAP_NET_ADMIN \
  -D "$root" -b >"$T/console.log" 2>&1 </dev/null &
nspawn_pid=$!
init_pid() { ps --ppid "$nspawn_pid" -o pid= | tr -d ' ' | head -n 1; }
lab_wait_for 120 "the container's init" bash -c "[[ -n \$(ps --ppid $nspawn_pid -o pid= | tr -d ' ') ]]"
in_container() { nsenter -t "$(init_pid)" -m -u -i -n -p -- "$@"; }
booted() { in_container systemctl is-system-running 2>/dev/null | grep -qE 'running|degraded'; }
lab_wait_for 180 "systemd in the container to finish booting" booted
prop() { in_container systemctl show -p "$2" --value "$1"; }

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
