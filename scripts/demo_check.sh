#!/usr/bin/env bash
# `make demo`, first half: mamori-agent check on this machine, then on sample staff PCs (fixture trees).
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
layered() {  # a fixture PC built from layers, later ones replacing files of earlier ones
  local dir; dir=$(mktemp -d -p "$sample")
  for layer in "$@"; do cp -r "$here/tests/fixtures/$layer/." "$dir"; done
  touch "$dir/etc/dconf/db/local" 2>/dev/null || true  # dconf reads a database newer than its keyfiles
  echo "$dir"
}
mfa() {  # only the login findings, in English (the whole table when python3 is missing)
  local args=(check --root "$1" --segment mynumber --now 2026-11-22T09:00:00+09:00 --lang en)
  if command -v python3 >/dev/null; then
    "$agent" "${args[@]}" --json | python3 -c '
import json, sys
for f in json.load(sys.stdin)["findings"]:
    if f["id"].startswith("MFA"):
        print(f["id"], f["status"] + ":", f["evidence"])' || true
  else
    "$agent" "${args[@]}" || true
  fi
  echo
}

echo "== 5. Login (MFA-1..5), My Number segment: Debian 12's default login is a password alone =="
mfa "$(layered hosts/debian12 pam/base)"
echo "== 6. The city's hardened login: password + FIDO2 key (pam_u2f), pam_faillock, GNOME locked =="
mfa "$(layered hosts/debian12 pam/base pam/u2f-required login/gnome-locked)"
echo "== 7. A jump that lets the group nomfa skip the key: the bypass path is shown =="
mfa "$(layered hosts/debian12 pam/base pam/succeed-if-skip login/gnome-locked)"

echo "== 8. A policy with a mistake is rejected with file, field and reason =="
printf '{"format": "mamori-policy/1", "version": 13,\n "common": {"usb": {"mode": "open"}}}\n' \
  > "$sample/broken-policy.json"
run check --policy "$sample/broken-policy.json" --lang en || true
