# A staff PC for the package tests that need systemd as PID 1: a clean Debian 12 in a container
# (systemd-nspawn) on a network namespace of its own, joined to the collector's (10.77.0.2:8443)
# by netns_lan.sh. Sourced with $T (= $lab_tmp), $lab_name, $check_label, $build and $netns_tag
# set; brings lab.sh, checks.sh and debian_root.sh, and calls lab_init:
#   systemd_pc_prepare              the root file system in $root (Debian 12 with systemd)
#   systemd_pc_collector            the collector's config for 10.77.0.2:8443 ($collector_config),
#                                   to be started with lab_start_collector
#   systemd_pc_install DEB TOKEN [VAR=value...]
#                                   the package installed silently and enrolled; sets $device
#   systemd_pc_boot                 boots the container and waits for systemd
#   in_container CMD...             runs CMD in the booted container
#   prop UNIT PROPERTY              a property of a unit in the container
source "$(dirname "${BASH_SOURCE[0]}")/../integration/netns_lan.sh"
source "$(dirname "${BASH_SOURCE[0]}")/../support/checks.sh"
real_collector=$build/collector/mamori-collector
root=$T/root
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
lab_on_failure() {
  [[ -n $nspawn_pid ]] || return 0
  echo "---- the container's journal (mamori units)"
  in_container journalctl -u 'mamori-agent*' --no-pager -o short-monotonic | tail -n 60
}
# lab.sh starts "$collector": this wrapper runs it in the collector's namespace.
collector=$T/collector-in-netns

systemd_pc_prepare() {
  lab_require systemd-nspawn nsenter debootstrap cpack jq
  printf '#!/bin/sh\nexec ip netns exec %s %s "$@"\n' "$col" "$real_collector" >"$collector"
  chmod +x "$collector"
  debian_root systemd "$root"
  netns_lan_up
  netns_host "$pc" 1
  netns_host "$col" 2
}

systemd_pc_collector() {
  lab_collector_config
  jq '.listen.host = "10.77.0.2" | .listen.port = 8443 | .server_names = ["10.77.0.2"]' \
    "$collector_config" >"$T/c.json" && mv "$T/c.json" "$collector_config"
}

# The package's dependencies from Debian's mirror, then the silent install on the PC's network.
systemd_pc_install() {  # DEB TOKEN [VAR=value...]: more of the installer's environment
  local deb=$1 token=$2
  shift 2
  cp "$collector_ca" "$root/root/collector-ca.crt"
  cp "$deb" "$root/tmp/agent.deb"
  mount -t proc proc "$root/proc"
  chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get satisfy -y -qq --no-install-recommends \
    "$(dpkg-deb -f "$deb" Depends)" >"$T/deps.log" 2>&1 || lab_fail "dependencies: $(tail -n 5 "$T/deps.log")"
  ip netns exec "$pc" chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
    MAMORI_COLLECTOR=https://10.77.0.2:8443 MAMORI_TOKEN="$token" MAMORI_CA=/root/collector-ca.crt "$@" \
    dpkg -i /tmp/agent.deb >"$T/install.log" 2>&1 || lab_fail "install: $(tail -n 20 "$T/install.log")"
  umount "$root/proc"
  device=$(sed -n 's/^enrolled: device \([0-9a-f-]*\),.*/\1/p' "$T/install.log")
}

init_pid() { ps --ppid "$nspawn_pid" -o pid= | tr -d ' ' | head -n 1; }
in_container() { nsenter -t "$(init_pid)" -m -u -i -n -p -- "$@"; }
booted() { in_container systemctl is-system-running 2>/dev/null | grep -qE 'running|degraded'; }
prop() { in_container systemctl show -p "$2" --value "$1"; }

# CAP_NET_ADMIN for the container: the PC's network namespace is its own, and the agent's
# quarantine in it is part of what the sandbox must allow.
systemd_pc_boot() {
  systemd-nspawn -q --register=no --keep-unit --network-namespace-path="/run/netns/$pc" \
    --capability=CAP_NET_ADMIN \
    -D "$root" -b >"$T/console.log" 2>&1 </dev/null &
  nspawn_pid=$!
  lab_wait_for 120 "the container's init" bash -c "[[ -n \$(ps --ppid $nspawn_pid -o pid= | tr -d ' ') ]]"
  lab_wait_for 180 "systemd in the container to finish booting" booted
}

source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/lab.sh"
source "$(dirname "${BASH_SOURCE[0]}")/debian_root.sh"
lab_init
