#!/usr/bin/env bash
# Network admission through Debian's FreeRADIUS (issue 4, acceptance "FreeRADIUS"): a real
# collector, two real agents on fixture roots and `freeradius` with the shipped rlm_rest module
# and site, all on loopback (scripts/lib/lab.sh). MAB requests from radclient must get
#   the compliant PC            -> Access-Accept, Tunnel-Private-Group-Id 20 (its segment, lgwan)
#   the non-compliant PC        -> Access-Accept, Tunnel-Private-Group-Id 999 (quarantine)
#   a MAC nobody enrolled       -> Access-Reject
#   any MAC, collector stopped  -> Access-Reject (fail-closed)
#
#   radius_test.sh COLLECTOR_BINARY AGENT_BINARY
#
# Set MAMORI_RADIUS_DEBUG=1 to run freeradius with -X (its log is printed on failure).

set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 MAMORI_COLLECTOR MAMORI_AGENT" >&2
  exit 2
fi
collector=$(realpath "$1")
agent=$(realpath "$2")
lab_name=radius_test
lab_tmp=$(mktemp -d "${TMPDIR:-/tmp}/mamori-radius-test.XXXXXX")
source "$(dirname "$0")/../../scripts/lib/lab.sh"
lab_init

compliant_mac=52:54:00:12:34:56
noncompliant_mac=52:54:00:ab:cd:ef
unknown_mac=52:54:00:99:99:99

lab_collector_config
lab_start_collector
lab_say "collector listening on https://localhost:$collector_port"
lab_start_radius
lab_say "freeradius listening on udp 127.0.0.1:$radius_port"

# Two PCs: 総務課 (compliant once its USB exceptions exist) and 企画課 (no anti-malware at all).
lab_make_compliant_host "$lab_tmp/host-compliant" 5a0c1e2f3d4b4a59b8c7d6e5f4a3b201 "$compliant_mac"
lab_make_host "$lab_tmp/host-noncompliant" 5a0c1e2f3d4b4a59b8c7d6e5f4a3b202 "$noncompliant_mac" \
  hosts/debian12-bare

token=$(lab_admin token create --department 総務課 --segment lgwan --uses 5 2>>"$lab_tmp/admin.log") ||
  lab_fail "token create failed: $(cat "$lab_tmp/admin.log")"
[[ -n $token ]] || lab_fail "token create printed no token"

enroll() {  # name
  "$agent" enroll --collector "https://localhost:$collector_port" --ca "$collector_ca" \
    --token "$token" --state-dir "$lab_tmp/agent-$1" --root "$lab_tmp/host-$1" --lang en \
    >"$lab_tmp/enroll-$1.log" 2>&1 || lab_fail "enrolling the $1 PC failed: $(cat "$lab_tmp/enroll-$1.log")"
}
enroll compliant
enroll noncompliant

compliant_id=$(lab_device_id_of soumu-pc-014)
noncompliant_id=$(lab_device_id_of kikaku-pc-003)
[[ -n $compliant_id && -n $noncompliant_id ]] ||
  lab_fail "enrolled devices not listed: $(lab_admin device list)"
lab_admin device show "$compliant_id" | grep -qi "$compliant_mac" ||
  lab_fail "the collector did not pin $compliant_mac: $(lab_admin device show "$compliant_id")"

# The exceptions must exist before the report, which the collector judges on arrival.
lab_grant_usb_exceptions "$compliant_id" "radius integration test"

report() {  # name: one cycle, which must deliver its report
  "$agent" run --once --state-dir "$lab_tmp/agent-$1" --root "$lab_tmp/host-$1" --lang en \
    >"$lab_tmp/run-$1.log" 2>&1 || lab_fail "mamori-agent run --once ($1) failed: $(cat "$lab_tmp/run-$1.log")"
}
report compliant
report noncompliant
grep -q "admission: admit" "$lab_tmp/run-compliant.log" ||
  lab_fail "the collector did not admit the compliant PC: $(cat "$lab_tmp/run-compliant.log")"
grep -q "admission: quarantine" "$lab_tmp/run-noncompliant.log" ||
  lab_fail "the collector did not quarantine the non-compliant PC: $(cat "$lab_tmp/run-noncompliant.log")"

# ---------------------------------------------------------------------------------------------
# MAB through FreeRADIUS
# ---------------------------------------------------------------------------------------------
assertions=0
expect_accept() {  # label mac vlan
  local out
  out=$(lab_mab "$2")
  [[ $(lab_reply_code "$out") == Access-Accept ]] || lab_fail "$1 ($2): expected Access-Accept, got:
$out"
  [[ $(lab_reply_value "$out" Tunnel-Private-Group-Id) == "$3" ]] || lab_fail "$1 ($2): expected VLAN $3, got:
$out"
  [[ $(lab_reply_value "$out" Tunnel-Type) == VLAN ]] || lab_fail "$1 ($2): no Tunnel-Type = VLAN:
$out"
  assertions=$((assertions + 1))
  lab_say "$(printf '%-28s %s -> Access-Accept, VLAN %s' "$1" "$2" "$3")"
}
expect_reject() {  # label mac
  local out
  out=$(lab_mab "$2")
  [[ $(lab_reply_code "$out") == Access-Reject ]] || lab_fail "$1 ($2): expected Access-Reject, got:
$out"
  [[ -z $(lab_reply_value "$out" Tunnel-Private-Group-Id) ]] || lab_fail "$1 ($2): a reject with a VLAN:
$out"
  assertions=$((assertions + 1))
  lab_say "$(printf '%-28s %s -> Access-Reject (%s)' "$1" "$2" "$(lab_reply_value "$out" Reply-Message)")"
}

expect_accept "compliant PC" "$compliant_mac" 20
expect_accept "non-compliant PC" "$noncompliant_mac" 999
expect_reject "unknown MAC" "$unknown_mac"

# Fail-closed: with the collector gone no port opens, not even for the compliant PC.
lab_stop_collector
expect_reject "compliant PC, no collector" "$compliant_mac"

lab_say "PASS ($assertions assertions)"
