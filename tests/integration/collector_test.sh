#!/usr/bin/env bash
# End to end on loopback with real processes: a collector (HTTPS, SQLite), agents enrolled with
# tokens, reports over mutual TLS. Usage: collector_test.sh COLLECTOR_BIN AGENT_BIN FIXTURES_DIR
set -euo pipefail
collector=$(realpath "$1") AGENT=$(realpath "$2") FIXTURES=$3
lab_name=collector_test
lab_tmp=$(mktemp -d "${TMPDIR:-/tmp}/mamori-it.XXXXXX")
T=$lab_tmp
source "$(dirname "$0")/../../scripts/lib/lab.sh"
lab_init
pass() { echo "ok: $*"; }

lab_collector_config
jq '.max_report_bytes = 65536' "$collector_config" >"$T/c.json" && mv "$T/c.json" "$collector_config"
reports_of() { lab_admin device show "$1" | sed -n 's/^reports: //p'; }

lab_start_collector
URL="https://localhost:$collector_port"
CA="$T/collector/ca.crt"
TOKEN=$(lab_admin token create --department 総務課 --segment lgwan --uses 2 2>/dev/null)
cp -r "$FIXTURES/hosts/debian12" "$T/host"

# 1. Enrollment
"$AGENT" enroll --collector "$URL" --ca "$CA" --token "$TOKEN" --state-dir "$T/agent" \
  --root "$T/host" --lang en | tee "$T/enroll.out"
DEVICE=$(sed -n 's/^enrolled: device \([0-9a-f-]*\),.*/\1/p' "$T/enroll.out")
[[ -n "$DEVICE" ]] || lab_fail "no device id"
pass "enrolled as $DEVICE"

# 2. Report round trip
"$AGENT" run --once --state-dir "$T/agent" --root "$T/host" --lang en
"$AGENT" status --state-dir "$T/agent" --lang en | grep -q "^admission: " || lab_fail "no admission"
[[ $(reports_of "$DEVICE") == 1 ]] || lab_fail "report not stored"
pass "report round trip: $(lab_admin device show "$DEVICE" | grep '^admission')"

# 3. No certificate, a forged one, an unenrolled one: refused
BODY="$T/report.json"
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$CA" -X POST --data '{}' "$URL/v1/reports")
[[ $code == 401 ]] || lab_fail "no certificate: got $code"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj "/CN=$DEVICE" \
  -addext "subjectAltName=URI:urn:mamori:device:$DEVICE" -addext "extendedKeyUsage=clientAuth" \
  -keyout "$T/forged.key" -out "$T/forged.crt" 2>/dev/null
if code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$CA" --cert "$T/forged.crt" \
  --key "$T/forged.key" -X POST --data '{}' "$URL/v1/reports"); then
  [[ $code == 401 || $code == 000 ]] || lab_fail "forged certificate: got $code"
fi
pass "no or forged client certificate refused"

# 4. A replayed report id is stored once; oversized and malformed reports store nothing
# The report the agent would send, built by the agent itself (queued while the collector is down).
lab_stop_collector
"$AGENT" run --once --state-dir "$T/agent" --root "$T/host" >/dev/null || true
sqlite3 "$T/agent/agent.db" "SELECT body FROM outbox LIMIT 1" > "$BODY"
lab_start_collector "$collector_port"
post() { curl -s -o "$T/answer" -w '%{http_code}' --cacert "$CA" --cert "$T/agent/device.crt" \
  --key "$T/agent/device.key" -X POST -H 'Content-Type: application/json' --data-binary "@$1" \
  "$URL/v1/reports"; }
[[ $(post "$BODY") == 200 ]] || lab_fail "first post: $(cat "$T/answer")"
[[ $(post "$BODY") == 200 ]] || lab_fail "replay: $(cat "$T/answer")"
jq -e '.duplicate == true' "$T/answer" >/dev/null || lab_fail "replay not marked duplicate"
[[ $(reports_of "$DEVICE") == 2 ]] || lab_fail "replayed report stored twice"
pass "replayed report id stored once"
head -c 70000 /dev/zero | tr '\0' ' ' > "$T/big.json"
[[ $(post "$T/big.json") == 413 ]] || lab_fail "oversized: $(cat "$T/answer")"
jq '.facts.usb = "none" | .report_id = "11111111-2222-4333-8444-555555555555"' "$BODY" > "$T/bad.json"
[[ $(post "$T/bad.json") == 400 ]] || lab_fail "malformed: $(cat "$T/answer")"
jq -e '.error.field == "$.facts.usb"' "$T/answer" >/dev/null || lab_fail "no field in $(cat "$T/answer")"
[[ $(reports_of "$DEVICE") == 2 ]] || lab_fail "a refused report was stored"
pass "oversized (413) and malformed (400: $(jq -r .error.message "$T/answer")) stored nothing"

# 5. The collector's verdict overrides an agent that claims compliance
jq '.agent_verdict = {"compliant": true, "admission": "admit"} | .facts.antimalware = []
    | .report_id = "22222222-2222-4333-8444-555555555555"' "$BODY" > "$T/liar.json"
[[ $(post "$T/liar.json") == 200 ]] || lab_fail "liar: $(cat "$T/answer")"
jq -e '.verdict.compliant == false and .admission.admission == "quarantine"' "$T/answer" \
  >/dev/null || lab_fail "agent's claim trusted: $(cat "$T/answer")"
pass "collector's verdict overrides the agent's claim"

# 6. No loss: the collector stops mid-stream, the agent keeps queuing, every report arrives once
before=$(reports_of "$DEVICE")
lab_stop_collector
q0=$("$AGENT" status --state-dir "$T/agent" --json | jq .queued)  # the one posted by hand above
for _ in 1 2 3; do "$AGENT" run --once --state-dir "$T/agent" --root "$T/host" >/dev/null && lab_fail "sent while down"; done
queued=$("$AGENT" status --state-dir "$T/agent" --json | jq .queued)
[[ $queued == $((q0 + 3)) ]] || lab_fail "expected $((q0 + 3)) queued, got $queued"
lab_start_collector "$collector_port"
"$AGENT" run --once --state-dir "$T/agent" --root "$T/host" >/dev/null || lab_fail "drain failed"
[[ $(reports_of "$DEVICE") == $((before + 4)) ]] || lab_fail "lost or duplicated reports"
pass "collector outage: 3 queued + 1 new arrived exactly once ($before -> $((before + 4)))"

# 7. SIGKILL between queueing and sending loses nothing
before=$(reports_of "$DEVICE")
lab_stop_collector
"$AGENT" run --no-network-guard --interval 10 --state-dir "$T/agent" --root "$T/host" >>"$T/agent.log" 2>&1 &
AGENT_PID=$!
for _ in $(seq 100); do
  [[ $("$AGENT" status --state-dir "$T/agent" --json | jq .queued) -ge 1 ]] && break; sleep 0.1
done
kill -9 "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null || true
queued=$("$AGENT" status --state-dir "$T/agent" --json | jq .queued)
[[ $queued -ge 1 ]] || lab_fail "nothing queued before the kill"
lab_start_collector "$collector_port"
"$AGENT" run --once --state-dir "$T/agent" --root "$T/host" >/dev/null || lab_fail "drain failed"
[[ $(reports_of "$DEVICE") == $((before + queued + 1)) ]] || lab_fail "reports lost after SIGKILL"
pass "agent SIGKILLed with $queued queued: all arrived"

# 8. The USB decisions `run` took on the PC reach the collector's audit log (issue 5, 第43条):
# the fixture host's unregistered sticks were judged when the service started.
audit=$(lab_admin audit list --device "$DEVICE")
grep -q '  usb  blocked  usb.blocked-kind  ' <<<"$audit" ||
  lab_fail "no USB decision reached the collector's audit log: $audit"
pass "USB decisions filed by the collector: $(grep -c '  usb  ' <<<"$audit") events"
echo "collector integration: all passed"
