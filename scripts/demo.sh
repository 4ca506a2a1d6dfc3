#!/usr/bin/env bash
# `make demo`: mamori-agent check on this machine, then on a sample staff PC (fixture tree).
# A non-compliant verdict (exit 1) is a result, not a failure of the demo.
set -euo pipefail
build=${1:-build}
agent="$build/agent/mamori-agent"
here=$(cd "$(dirname "$0")/.." && pwd)

run() {
  echo "\$ mamori-agent $*"
  local rc=0
  "$agent" "$@" || rc=$?
  case $rc in
    0) echo "(exit 0: compliant)" ;;
    1) echo "(exit 1: not compliant)" ;;
    *) echo "(exit $rc: error)"; return "$rc" ;;
  esac
  echo
}

echo "== 1. This machine, built-in policy, LGWAN segment (Japanese, the default) =="
run check

echo "== 2. This machine against a city's policy file, My Number segment, in English =="
run check --policy "$here/examples/policy/city-policy.json" --segment mynumber --lang en

echo "== 3. A sample staff PC (fixture tree) whose ClamAV signatures are three weeks old =="
sample=$(mktemp -d)
trap 'rm -rf "$sample"' EXIT
cp -r "$here/tests/fixtures/hosts/debian12/." "$sample"
cp -r "$here/tests/fixtures/overlays/clamav-stale/." "$sample"
run check --root "$sample" --policy "$here/examples/policy/city-policy.json" \
  --now 2026-11-22T09:00:00+09:00

echo "== 4. The same as JSON for scripts and the collector (verdict fields; findings and facts follow) =="
"$agent" check --root "$sample" --policy "$here/examples/policy/city-policy.json" \
  --now 2026-11-22T09:00:00+09:00 --json --lang en | sed -E 's/,"findings".*/, "findings": [...], "facts": {...}}/' || true
echo
echo "== 5. A policy with a mistake is rejected with file, field and reason =="
printf '{"format": "mamori-policy/1", "version": 13,\n "common": {"usb": {"mode": "open"}}}\n' \
  > "$sample/broken-policy.json"
run check --policy "$sample/broken-policy.json" --lang en || true
