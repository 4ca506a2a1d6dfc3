#!/usr/bin/env bash
# NET-2 and NET-4 on the PC, at the firewall: network namespaces stand in for the hosts of a
# city hall LAN (a bridge in its own namespace joins them), and the NetworkGuard applies each
# plan inside the PC's namespace. Checks who the PC reaches over TCP in each mode, that the
# drops are counted, that the mode is read back, and that the rules outlive the process that
# set them. Traffic stays inside these namespaces; they are removed afterwards.
#
#   quarantine_netns_test.sh BUILD_DIR
set -euo pipefail
tool=$(realpath "${1:?usage: quarantine_netns_test.sh BUILD_DIR}")/tests/mamori_test_netguard
[[ -x $tool ]] || { echo "quarantine: $tool is missing" >&2; exit 1; }
for c in ip nft curl python3; do
  command -v "$c" >/dev/null || { echo "quarantine: $c is missing (make deps)" >&2; exit 1; }
done

tag=mq$$
lan=$tag-lan pc=$tag-pc col=$tag-col rem=$tag-rem oth=$tag-oth
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for n in "$pc" "$col" "$rem" "$oth" "$lan"; do ip netns del "$n" 2>/dev/null || true; done
}
trap cleanup EXIT

ip netns add "$lan"
ip -n "$lan" link add br0 type bridge
ip -n "$lan" link set br0 up
host() {  # NAMESPACE LAST-OCTET PORT(listener, or 0)
  local ns=$1 octet=$2 port=$3
  ip netns add "$ns"
  ip -n "$lan" link add "v$octet" type veth peer name eth0 netns "$ns"
  ip -n "$lan" link set "v$octet" master br0 up
  ip -n "$ns" addr add "10.77.0.$octet/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" link set lo up
  if ((port)); then
    ip netns exec "$ns" python3 -m http.server "$port" --bind "10.77.0.$octet" \
      >/dev/null 2>&1 &
    pids+=($!)
  fi
}
host "$pc" 1 0
host "$col" 2 8443   # the collector (and, on port 80, something else on the same host)
ip netns exec "$col" python3 -m http.server 80 --bind 10.77.0.2 >/dev/null 2>&1 &
pids+=($!)
host "$rem" 3 80     # a remediation host: the update mirror
host "$oth" 4 80     # any other server

reaches() {  # ADDRESS PORT
  ip netns exec "$pc" curl -s -o /dev/null --max-time 2 "http://$1:$2/"
}
# Listeners take a moment to bind.
for _ in $(seq 50); do
  reaches 10.77.0.2 8443 && reaches 10.77.0.2 80 && reaches 10.77.0.3 80 && reaches 10.77.0.4 80 &&
    break
  sleep 0.1
done

passed=0 failed=0
check() {  # DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@"; then
    echo "quarantine: ok $what"
    passed=$((passed + 1))
  else
    echo "quarantine: FAIL $what"
    failed=$((failed + 1))
  fi
}
blocked() { ! reaches "$@"; }
mode_is() { [[ $(ip netns exec "$pc" "$tool" current) == "$1" ]]; }
apply() { ip netns exec "$pc" "$tool" "$@"; }

check "open: collector reachable" reaches 10.77.0.2 8443
check "open: other server reachable" reaches 10.77.0.4 80
check "open: the collector host's port 80 reachable" reaches 10.77.0.2 80
check "open: mode read back" mode_is open

apply quarantine --collector 10.77.0.2:8443 --remediation 10.77.0.3:80 --reason "PATCH-1 failed"
check "quarantine: collector reachable" reaches 10.77.0.2 8443
check "quarantine: remediation host reachable" reaches 10.77.0.3 80
check "quarantine: other server not reachable" blocked 10.77.0.4 80
check "quarantine: the collector's other ports not reachable" blocked 10.77.0.2 80
check "quarantine: mode read back (the rules outlived the process that set them)" \
  mode_is quarantine
dropped=$(ip netns exec "$pc" nft list counter inet mamori dropped_out |
  sed -nE 's/.*packets ([0-9]+).*/\1/p')
check "quarantine: drops counted (dropped_out packets $dropped)" test "${dropped:-0}" -gt 0

apply isolated --collector 10.77.0.2:8443 --remediation 10.77.0.3:80 --reason "CSIRT isolation"
check "isolated: collector reachable" reaches 10.77.0.2 8443
check "isolated: remediation host not reachable" blocked 10.77.0.3 80
check "isolated: other server not reachable" blocked 10.77.0.4 80
check "isolated: mode read back" mode_is isolated

apply open
check "released: other server reachable again" reaches 10.77.0.4 80
check "released: remediation host reachable" reaches 10.77.0.3 80
check "released: mamori's table gone" bash -c "! ip netns exec $pc nft list table inet mamori >/dev/null 2>&1"
check "released: mode read back" mode_is open

# Someone else's table is never touched: it survives every change of mamori's.
ip netns exec "$pc" nft add table inet city_rules
apply quarantine --collector 10.77.0.2:8443 --reason "PATCH-1 failed"
apply open
check "another table survives mamori's changes" \
  bash -c "ip netns exec $pc nft list table inet city_rules >/dev/null"

# A plan the firewall must not get is refused before it reaches nftables.
check "a host name instead of an address is refused" \
  bash -c "! ip netns exec $pc $tool quarantine --collector collector.lg.jp:8443 2>/dev/null"

echo "quarantine: $passed passed, $failed failed"
((failed == 0))
