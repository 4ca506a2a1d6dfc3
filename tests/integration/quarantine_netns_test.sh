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
for c in ip nft python3 timeout; do
  command -v "$c" >/dev/null || { echo "quarantine: $c is missing (make deps)" >&2; exit 1; }
done

netns_tag=mq$$ check_label=quarantine
source "$(dirname "$0")/netns_lan.sh"
source "$(dirname "$0")/../support/checks.sh"
pc=$netns_tag-pc col=$netns_tag-col rem=$netns_tag-rem oth=$netns_tag-oth
trap netns_cleanup EXIT

netns_lan_up
netns_host "$pc" 1
netns_host "$col" 2 8443 80  # the collector (and, on port 80, something else on the same host)
netns_host "$rem" 3 80       # a remediation host: the update mirror
netns_host "$oth" 4 80       # any other server
netns_wait_reachable "$pc" 10.77.0.2:8443 10.77.0.2:80 10.77.0.3:80 10.77.0.4:80

reaches() { netns_reaches "$pc" "$@"; }
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

check_summary
