#!/usr/bin/env bash
# The Windows agent and the real collector on loopback: mamori-agent.exe under wine enrolls with
# a token and its own CryptoAPI key, then reports its posture over mutual TLS (WinHTTP,
# schannel); the collector stores and judges it. Also what must be refused: a collector the
# pinned CA does not vouch for (the token is not sent), a spent token, a revoked PC. Last, the
# product's own way: the MSI installed silently with COLLECTOR_URL, COLLECTOR_CA and
# ENROLL_TOKEN, and the service enrolling and reporting by itself.
#
#   collector_test.sh COLLECTOR_BIN AGENT_EXE
#
# Prints `windows-collector: ok <what>` per check, ends with `windows-collector: N passed,
# 0 failed`; exits 1 at the first failure (with the collector's log).
set -euo pipefail
collector=$(realpath "$1")
exe=$(realpath "$2")
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
lab_name=windows-collector
lab_tmp=$(mktemp -d "${TMPDIR:-/tmp}/mamori-wincollector.XXXXXX")
source "$here/../../scripts/lib/lab.sh"
source "$here/../../scripts/lib/wine.sh"
lab_before_removal() { wine_prefix_remove; }
lab_init
[[ -f $exe ]] || lab_fail "$exe is missing (make windows)"

passed=0
ok() {
  passed=$((passed + 1))
  lab_say "ok $*"
}
# agent ARGS...: mamori-agent.exe under wine, English, output without CR; keeps the exit code.
agent() { "$wine" "$exe" "$@" --lang en 2>&1 | tr -d '\r'; return "${PIPESTATUS[0]}"; }
winpath() { echo "Z:${1//\//\\}"; }

wine_prefix_start "$lab_tmp/prefix"
lab_start_collector
# The collector's certificate names localhost and 127.0.0.1; wine checks DNS names only.
url="https://localhost:$collector_port"
ca=$(winpath "$collector_ca")
state=$(winpath "$lab_tmp/state")
token=$(lab_admin token create --department 総務課 --segment lgwan --uses 1 2>/dev/null)

# A collector vouched for by another CA: refused before the token leaves the PC.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=impostor \
  -keyout "$lab_tmp/other.key" -out "$lab_tmp/other-ca.crt" -days 2 2>/dev/null
out=$(agent enroll --collector "$url" --ca "$(winpath "$lab_tmp/other-ca.crt")" --token "$token" \
  --state-dir "$state") && lab_fail "enrolled through an untrusted collector: $out"
[[ $out == *"the collector is not trusted: "*"does not chain to the pinned CA"* ]] ||
  lab_fail "untrusted collector, unexpected answer: $out"
ok "a collector the pinned CA does not vouch for is refused (${out#*error: })"

# The service's own folder is the service's to enroll (its key is LocalSystem's).
out=$(agent enroll --collector "$url" --ca "$ca" --token "$token") &&
  lab_fail "enrolled the service's folder as another account: $out"
[[ $out == *"the service (LocalSystem) enrolls itself"* ]] || lab_fail "by-hand enroll: $out"
ok "enroll by hand into the service's folder is refused to another account than LocalSystem"

out=$(agent report --state-dir "$state") && lab_fail "reported while not enrolled: $out"
[[ $out == *"not enrolled"* ]] || lab_fail "report before enrollment: $out"
ok "no report before enrollment"

# The one-use token was not spent by the refused attempt.
out=$(agent enroll --collector "$url" --ca "$ca" --token "$token" --state-dir "$state") ||
  lab_fail "enroll failed: $out"
device=$(sed -n 's/^enrolled: device \([0-9a-f-]*\),.*/\1/p' <<<"$out")
[[ -n $device ]] || lab_fail "no device id in: $out"
ok "enrolled with the same token, so it was never sent to the impostor: $out"
for file in enrollment.json device.crt server-ca.crt collector-ca.crt; do
  [[ -s $lab_tmp/state/$file ]] || lab_fail "$file was not written"
done
ok "enrollment.json, device.crt, server-ca.crt and collector-ca.crt are kept"
[[ $(openssl x509 -in "$lab_tmp/state/device.crt" -noout -pubkey | openssl pkey -pubin -noout -text) == *"(2048 bit)"* ]] ||
  lab_fail "device.crt does not hold the PC's RSA 2048 key"
ok "the collector certified the PC's own RSA 2048 key (device.crt)"

out=$(agent report --state-dir "$state") || lab_fail "report failed: $out"
[[ $out == "reported: device $device, admission "* ]] || lab_fail "report: $out"
ok "reported over mutual TLS: $out"
shown=$(lab_admin device show "$device")
grep -q '^reports: 1$' <<<"$shown" || lab_fail "the collector has no report: $shown"
grep -q '^agent version: ' <<<"$shown" || lab_fail "no agent version: $shown"
ok "the collector stored and judged it ($(grep '^admission' <<<"$shown"))"
out=$(agent status --state-dir "$state") || lab_fail "status failed: $out"
[[ $out == *"enrolled: $device "* && $out == *"admission: quarantine — "* && $out == *"audit log: 0 events"* ]] ||
  lab_fail "status: $out"
ok "status shows the enrollment, the collector's admission and the audit log"
# USB-3 asks for the agent's own audit log: the Windows agent keeps one (audit.jsonl) and says so.
! grep -q '^  USB-3' <<<"$shown" || lab_fail "USB-3 is not met: $(grep '^  USB-3' <<<"$shown")"
ok "USB-3 is met: the report says the agent keeps its audit log"

lab_admin device revoke "$device" >/dev/null
out=$(agent report --state-dir "$state") && lab_fail "a revoked PC reported: $out"
[[ $out == *"collector answered 4"* ]] || lab_fail "revoked PC, unexpected answer: $out"
ok "a revoked PC's report is refused (${out#*error: })"

# Enrolling again takes a new token: the spent one is refused, and the PC is then plainly not
# enrolled (its old enrollment and key are gone), not half enrolled.
out=$(agent enroll --collector "$url" --ca "$ca" --token "$token" --state-dir "$state" --force) &&
  lab_fail "a spent token enrolled again: $out"
[[ $out == *"collector answered 4"* ]] || lab_fail "spent token, unexpected answer: $out"
ok "a spent token is refused by the collector (${out#*error: })"
out=$(agent report --state-dir "$state") && lab_fail "reported after a refused re-enrollment: $out"
[[ $out == *"not enrolled"* ]] || lab_fail "after a refused re-enrollment: $out"
ok "after the refused re-enrollment the PC is not enrolled"
token=$(lab_admin token create --department 会計課 --segment lgwan --uses 1 2>/dev/null)
out=$(agent enroll --collector "$url" --ca "$ca" --token "$token" --state-dir "$state" --force) ||
  lab_fail "re-enrollment failed: $out"
[[ $out == *"department 会計課"* ]] || lab_fail "re-enrollment: $out"
out=$(agent report --state-dir "$state") || lab_fail "report after re-enrollment failed: $out"
ok "enrolled again with a new token and a new key, and reports: $out"

# --- The product's way: msiexec /qn with the properties; the service does the rest -------------
command -v wixl >/dev/null || lab_fail "wixl is missing (apt-get install wixl)"
mkdir -p "$lab_tmp/stage"
cp "$exe" "$lab_tmp/stage/mamori-agent.exe"
(cd "$lab_tmp/stage" && wixl -a x64 -D Version=0.1.0 -D AgentExe=mamori-agent.exe \
  -o "$lab_tmp/mamori-agent.msi" "$here/../../installer/windows/mamori-agent.wxs") ||
  lab_fail "wixl could not build the MSI"
service_token=$(lab_admin token create --department 企画課 --segment internet --uses 1 2>/dev/null)
"$wine" msiexec /i "$(winpath "$lab_tmp/mamori-agent.msi")" /qn COLLECTOR_URL="$url" \
  COLLECTOR_CA="$ca" ENROLL_TOKEN="$service_token" SEGMENT=lgwan >/dev/null 2>&1 ||
  lab_fail "msiexec /i failed"
ok "installed silently with COLLECTOR_URL, COLLECTOR_CA, ENROLL_TOKEN and SEGMENT"
service_device() { lab_admin device list | awk '/企画課/ { print $1; exit }'; }
service_reported() {
  local id
  id=$(service_device)
  [[ -n $id ]] && lab_admin device show "$id" | grep -q '^reports: [1-9]'
}
lab_wait_for 120 "the service to enroll and report" service_reported
shown=$(lab_admin device show "$(service_device)")
ok "the service enrolled and reported by itself ($(grep '^admission' <<<"$shown"))"
grep -q '^department / segment: 企画課 / internet$' <<<"$shown" ||
  lab_fail "the enrolled segment should be the token's, not the registry's: $shown"
ok "the token's segment (internet) won over the registry's (lgwan)"
program_data=$WINEPREFIX/drive_c/ProgramData/mamori
[[ ! -e $program_data/enroll-token ]] || lab_fail "the spent token is still kept"
[[ -s $program_data/enrollment.json && -s $program_data/server-ca.crt ]] ||
  lab_fail "the service kept no enrollment in ProgramData\\mamori"
cmp -s "$program_data/server-ca.crt" "$collector_ca" || lab_fail "server-ca.crt is not the pinned CA"
ok "the spent token is gone; enrollment.json and the pinned server-ca.crt are kept"

lab_say "$passed passed, 0 failed"
