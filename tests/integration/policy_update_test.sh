#!/usr/bin/env bash
# Issue 9 end to end: signed policy distribution through the real collector to the real agent.
# Admins keep root and targets keys (mamori-policy); the collector holds the online snapshot and
# timestamp keys, publishes what the admins sign and serves it at /v1/tuf/ over mutual TLS. An
# admin signs a new `mynumber` policy; within one agent cycle (`run --once`) the agent runs it
# (`mamori-agent status`) and the collector sees its version in the report. Then a forged policy
# and a forged signature on the wire are refused, the last good policy keeps running, and both
# refusals reach the collector's audit log.
#
#   policy_update_test.sh COLLECTOR_BIN AGENT_BIN MAMORI_POLICY_BIN
set -euo pipefail
collector=$(realpath "$1") agent=$(realpath "$2") policy_tool=$(realpath "$3")
lab_name=policy-update check_label=policy-update
lab_tmp=$(mktemp -d "${TMPDIR:-/tmp}/mamori-policy-update.XXXXXX")
T=$lab_tmp
source "$(dirname "$0")/../../scripts/lib/lab.sh"
source "$(dirname "$0")/../support/checks.sh"
lab_init
lab_require jq
examples=$(cd "$(dirname "$0")/../../examples/policy" && pwd)

# ---- The admins' side: keys, a repository, the first signed policy --------------------------
mp() { "$policy_tool" --lang en "$@"; }
for key in root targets snapshot timestamp; do mp keygen --out "$T/keys/$key.pem" >/dev/null; done
policy_version() {  # N: the city's policy as version N
  sed "s/\"version\": 12/\"version\": $1/" "$examples/city-policy.json" >"$T/policy-$1.json"
}
policy_version 10 && policy_version 11 && policy_version 12 && policy_version 13
mp init --repo "$T/repo" --root-key "$T/keys/root.pem" --targets-key "$T/keys/targets.pem" \
  --snapshot-key "$T/keys/snapshot.pem.pub" --timestamp-key "$T/keys/timestamp.pem.pub" >/dev/null
mp sign --repo "$T/repo" --key "$T/keys/targets.pem" --segment mynumber "$T/policy-10.json" >/dev/null

# ---- The collector with the online keys ------------------------------------------------------
lab_collector_config
lab_collector_tuf "$T/repo" "$T/keys"
lab_start_collector
lab_wait_for 30 "the collector's first publication" test -s "$T/repo/metadata/timestamp.json"
check "the collector published the admins' repository (snapshot and timestamp)" \
  grep -q "TUF repository published: new snapshot new timestamp" "$T/collector.log"

# ---- A PC of the My Number segment -----------------------------------------------------------
token=$(lab_admin token create --department 市民課 --segment mynumber --uses 1 2>>"$T/admin.log")
lab_make_compliant_host "$T/host" 5a0c1e2f3d4b4a59b8c7d6e5f4a3770a 52:54:00:77:00:0a
"$agent" enroll --collector "https://127.0.0.1:$collector_port" --ca "$collector_ca" \
  --token "$token" --state-dir "$T/agent" --root "$T/host" --lang en >"$T/enroll.log" 2>&1 ||
  lab_fail "enroll failed: $(cat "$T/enroll.log")"
device=$(sed -n 's/^enrolled: device \([0-9a-f-]*\),.*/\1/p' "$T/enroll.log")
cat >"$T/local-policy.json" <<'JSON'
{"format": "mamori-policy/1", "version": 3, "name": "installed with the agent"}
JSON
one_cycle() {
  "$agent" run --once --no-network-guard --state-dir "$T/agent" --root "$T/host" \
    --policy "$T/local-policy.json" --tuf-root "$T/repo/metadata/1.root.json" --lang en \
    >>"$T/agent.log" 2>&1 || true
}
agent_policy() { "$agent" status --state-dir "$T/agent" --json | jq -r '.policy.version'; }
pc_policy_line() { lab_admin device show "$device" | sed -n 's/^policy on the PC: //p'; }

served_status() {  # PATH [curl options]: the HTTP status of GET /v1/tuf/PATH
  local path=$1
  shift
  curl -s --path-as-is --cacert "$collector_ca" -o /dev/null -w '%{http_code}' "$@" \
    "https://127.0.0.1:$collector_port/v1/tuf/$path"
}
device_cert=(--cert "$T/agent/device.crt" --key "$T/agent/device.key")
check "the repository is served to an enrolled PC" \
  test "$(served_status metadata/timestamp.json "${device_cert[@]}")" = 200
check "and to nobody without a device certificate (401)" \
  test "$(served_status metadata/timestamp.json)" = 401
check "a path out of the repository is refused (400)" \
  test "$(served_status "metadata/../../keys/snapshot.pem" "${device_cert[@]}")" = 400

one_cycle
check "the first cycle takes the signed policy (version 10)" test "$(agent_policy)" = 10
check "and says where it came from" \
  bash -c "'$agent' status --state-dir '$T/agent' --lang en | grep -q '^policy: version 10 .*(signed policy/mynumber.json, since '"

# ---- An admin signs a new mynumber policy ----------------------------------------------------
mp sign --repo "$T/repo" --key "$T/keys/targets.pem" --segment mynumber "$T/policy-11.json" \
  >"$T/sign.log"
published() {  # N: the collector has published a new snapshot N times
  (($(grep -c "TUF repository published: new snapshot" "$T/collector.log") >= $1))
}
lab_wait_for 30 "the collector's publication of the new targets" published 2
judging_with() { grep -q "judging with the signed policies: $1" "$T/collector.log"; }
lab_wait_for 30 "the collector to judge with version 11" judging_with "mynumber version 11"
one_cycle
check "within one agent cycle the agent runs version 11" test "$(agent_policy)" = 11
"$agent" status --state-dir "$T/agent" --lang en | grep '^policy:' | sed 's/^/  /'
check "the collector sees version 11 in the next report" test "$(pc_policy_line)" = "version 11"
lab_admin device show "$device" | grep '^policy on the PC:' | sed 's/^/  /'
check "and judges the PC with the same signed policy (admission under version 11)" \
  test "$("$agent" status --state-dir "$T/agent" --json | jq -r .admission.policy_version)" = 11
check "the activation is in the collector's audit log" \
  bash -c "'$collector' audit list --device $device --config '$collector_config' --lang en | grep -q 'policy-activated.*version 10 -> 11'"

# ---- A forged policy on the wire -------------------------------------------------------------
mp sign --repo "$T/repo" --key "$T/keys/targets.pem" --segment mynumber "$T/policy-12.json" >/dev/null
lab_wait_for 30 "the collector's publication of version 12" published 3
served=$(find "$T/repo/targets/policy" -name '*.mynumber.json' -newer "$T/sign.log" | head -1)
sed -i 's/"allowlist"/"allowall!"/' "$served"  # an attacker widens the USB rules
one_cycle
check "a forged policy is refused: the agent keeps version 11" test "$(agent_policy)" = 11
check "the refusal is in the collector's audit log (bad-hash)" \
  bash -c "'$collector' audit list --device $device --config '$collector_config' --lang en | grep -q 'update-refused.*policy/mynumber.json: bad-hash'"

# ---- A forged signature on the wire ----------------------------------------------------------
cp "$T/policy-12.json" "$served"  # the real bytes again...
cp "$T/repo/metadata/timestamp.json" "$T/genuine-timestamp.json"
jq -c '.signatures[0].sig |= (if startswith("0") then "1" else "0" end + .[1:])' \
  "$T/repo/metadata/timestamp.json" >"$T/forged.json"
cp "$T/forged.json" "$T/repo/metadata/timestamp.json"  # ...but a timestamp nobody signed
one_cycle
check "a forged signature is refused: the agent keeps version 11" test "$(agent_policy)" = 11
check "the refusal is in the collector's audit log (bad-signature)" \
  bash -c "'$collector' audit list --device $device --config '$collector_config' --lang en | grep -q 'update-refused.*timestamp.json: bad-signature'"
lab_admin audit list --device "$device" | grep ' update ' | sed 's/^/  /' || true

# With the genuine timestamp back, the genuine version 12 arrives.
cp "$T/genuine-timestamp.json" "$T/repo/metadata/timestamp.json"
one_cycle
check "with genuine metadata again, version 12 is taken" test "$(agent_policy)" = 12

# ---- The department's own policy (a Japanese name on the wire) ------------------------------
mp sign --repo "$T/repo" --key "$T/keys/targets.pem" --segment mynumber --department 市民課 \
  "$T/policy-13.json" >/dev/null
lab_wait_for 30 "the collector's publication of 市民課's policy" published 4
one_cycle
check "the PC of 市民課 runs its department's policy (version 13)" test "$(agent_policy)" = 13
check "from policy/mynumber/市民課.json" \
  bash -c "'$agent' status --state-dir '$T/agent' --json | jq -r .policy.source | grep -qx 'signed policy/mynumber/市民課.json'"

check_summary
