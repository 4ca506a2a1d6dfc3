#!/usr/bin/env bash
# `make demo`, second half: the collector and network admission, all on loopback and all real:
# a collector with a fresh CA and SQLite, an enrollment token, this machine enrolled and
# reporting once, a sample compliant PC beside it, and FreeRADIUS asked the way a switch asks
# (MAC Authentication Bypass). Everything started here is stopped on exit.
#
#   demo_admission.sh BUILD_DIR
set -euo pipefail
build=$(realpath "${1:-build}")
collector=$build/collector/mamori-collector
agent=$build/agent/mamori-agent
lab_name=demo
lab_tmp=$(mktemp -d "${TMPDIR:-/tmp}/mamori-demo.XXXXXX")
source "$(dirname "$0")/lib/lab.sh"
lab_init
lab_require jq ss

show() {  # the command as an admin would type it (paths shortened), then its output
  local shown="$*"
  shown=${shown//$collector/mamori-collector}
  shown=${shown//$agent/mamori-agent}
  shown=${shown//$lab_tmp/\$DEMO}
  echo "\$ $shown"
  "$@"
}

echo "== 9. The collector starts on loopback: a fresh CA, SQLite (\$DEMO = $lab_tmp) =="
lab_collector_config
lab_start_collector
url=https://localhost:$collector_port
echo "collector: $url  (CA $collector_ca)"
echo

echo "== 10. An admin creates an enrollment token for 総務課, LGWAN segment, 2 uses, 24 h =="
echo "\$ mamori-collector token create --department 総務課 --segment lgwan --uses 2 --valid-hours 24"
token=$("$collector" token create --department 総務課 --segment lgwan --uses 2 --valid-hours 24 \
  --config "$collector_config")
echo "${token:0:17}…  (the secret part is shown once; here it goes to a 0600 file)"
(umask 077 && echo "$token" >"$lab_tmp/token")
echo

echo "== 11. This PC enrolls: its key pair is made here, only a CSR travels =="
show "$agent" enroll --collector "$url" --ca "$collector_ca" --token-file "$lab_tmp/token" \
  --state-dir "$lab_tmp/agent"
echo

echo "== 12. One cycle on this machine: probe, evaluate, queue, send; the collector judges again =="
rc=0
show "$agent" run --once --state-dir "$lab_tmp/agent" || rc=$?
[[ $rc -le 1 ]] || lab_fail "mamori-agent run --once failed (exit $rc)"
echo
show "$agent" status --state-dir "$lab_tmp/agent"
echo
this_id=$("$agent" status --state-dir "$lab_tmp/agent" --json | jq -r .enrollment.device_id)
show "$collector" device show "$this_id" --config "$collector_config"
echo

echo "== 13. A sample 総務課 PC (fixture tree) that passes, with the CISO's USB exceptions =="
sample_mac=52:54:00:12:34:56
lab_make_compliant_host "$lab_tmp/sample-pc" 5a0c1e2f3d4b4a59b8c7d6e5f4a3b201 "$sample_mac"
"$agent" enroll --collector "$url" --ca "$collector_ca" --token-file "$lab_tmp/token" \
  --state-dir "$lab_tmp/sample-agent" --root "$lab_tmp/sample-pc" >/dev/null
sample_id=$(lab_device_id_of soumu-pc-014)
lab_grant_usb_exceptions "$sample_id" "registered media only, pending USB enforcement roll-out"
show "$collector" exception list --device "$sample_id" --config "$collector_config"
"$agent" run --once --state-dir "$lab_tmp/sample-agent" --root "$lab_tmp/sample-pc" >/dev/null ||
  lab_fail "the sample PC's cycle failed"
show "$collector" device list --config "$collector_config"
echo

echo "== 14. The switch asks FreeRADIUS (MAB, shipped rlm_rest module); the collector decides =="
lab_start_radius
echo "freeradius: udp 127.0.0.1:$radius_port, site and module from installer/freeradius/"
mab() {  # label mac
  local out
  out=$(lab_mab "$2")
  printf '%s %-24s -> %s' "$2" "($1)" "$(lab_reply_code "$out")"
  local vlan message
  vlan=$(lab_reply_value "$out" Tunnel-Private-Group-Id)
  message=$(lab_reply_value "$out" Reply-Message)
  [[ -n $vlan ]] && printf ', VLAN %s' "$vlan"
  [[ -n $message ]] && printf ' (%s)' "$message"
  echo
}
this_macs=$(lab_admin device show "$this_id" | sed -n 's/^MAC addresses: //p')
[[ $this_macs == - ]] && this_macs=''

for mac in $this_macs; do mab "this machine" "$mac"; done
[[ -n $this_macs ]] || echo "this machine: no physical NIC MAC was pinned, so MAB cannot name it"
mab "sample PC" "$sample_mac"
mab "a MAC nobody enrolled" 52:54:00:99:99:99
echo "(VLAN 20 = lgwan, 999 = quarantine; unknown devices are rejected by this collector's config)"
echo

echo "== 15. Stopping the collector and FreeRADIUS; the demo's files are removed =="
