#!/usr/bin/env bash
# Issue 9: mamori's TUF client and repository tools over real HTTP on loopback, and against
# another implementation. mamori-policy makes a repository (root threshold 2 over an Ed25519 and
# an ECDSA key, a department's delegation); Debian's python3-securesystemslib verifies every
# signature over mamori's canonical JSON; mamori-tuf-client (the conformance protocol) follows
# it; then each attack is staged on the served files and must be refused with its reason. Last,
# a repository securesystemslib signed is read by mamori's client.
#
#   tuf_client_test.sh MAMORI_POLICY_BIN MAMORI_TUF_CLIENT_BIN
set -euo pipefail
policy_tool=$(realpath "$1") client=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)
interop=$here/../tuf/interop
check_label=tuf-client
source "$here/../support/checks.sh"
python=/usr/bin/python3  # Debian's, where python3-securesystemslib is installed
T=$(mktemp -d "${TMPDIR:-/tmp}/mamori-tuf.XXXXXX")
server_pid=''
trap '[[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null; rm -rf "$T"' EXIT
cd "$T"

mp() { "$policy_tool" --lang en "$@"; }
for key in root root2 root3 root4 targets snapshot timestamp kokumin; do
  mp keygen --out "keys/$key.pem" --type "$([[ $key =~ ^(root2|root4|targets)$ ]] && echo ecdsa || echo ed25519)" >/dev/null
done
sed 's/"version": 12/"version": 13/' "$here/../../examples/policy/city-policy.json" >policy-13.json
sed 's/"version": 12/"version": 14/' "$here/../../examples/policy/city-policy.json" >policy-14.json
mp init --repo repo --root-key keys/root.pem --root-key keys/root2.pem --root-threshold 2 \
  --targets-key keys/targets.pem --snapshot-key keys/snapshot.pem.pub \
  --timestamp-key keys/timestamp.pem.pub >/dev/null
mp sign --repo repo --key keys/targets.pem --segment mynumber policy-13.json >/dev/null
mp delegate --repo repo --key keys/targets.pem --role kokumin --role-key keys/kokumin.pem \
  --path 'policy/*/kokumin.json' --terminating >/dev/null
mp sign --repo repo --key keys/kokumin.pem --role kokumin --segment lgwan --department kokumin \
  policy-13.json >/dev/null
publish() { mp publish --repo repo --snapshot-key keys/snapshot.pem --timestamp-key keys/timestamp.pem; }
publish >/dev/null

status=0
mp sign --repo repo --key keys/targets.pem --segment mynumber policy-13.json >refused.txt 2>&1 || status=$?
check "mamori-policy refuses to sign a policy version that is not newer: $(cat refused.txt)" \
  grep -q "is not newer than the published version 13" refused.txt
check "and exits 1" test "$status" = 1
interop_out=$("$python" "$interop/securesystemslib_interop.py" verify repo)
check "python3-securesystemslib verifies mamori's signatures and canonical JSON ($interop_out)" \
  test -n "$interop_out"

"$python" "$interop/tuf_http_server.py" repo >port.txt 2>server.log &
server_pid=$!
until [[ -s port.txt ]]; do sleep 0.05; done
url=http://127.0.0.1:$(cat port.txt)

run_client() {  # DIR [options] COMMAND: the client against the served repository
  local dir=$1
  shift
  "$client" --metadata-dir "$dir/metadata" --metadata-url "$url/metadata" \
    --target-base-url "$url/targets" --target-dir "$dir/targets" "$@" >/dev/null
}
refused() {  # DIR REASON [options] COMMAND: the client exits 1 and names REASON
  local dir=$1 reason=$2
  shift 2
  local status=0
  run_client "$dir" "$@" 2>"$dir.out" || status=$?
  [[ $status == 1 ]] && grep -q "^mamori-tuf-client: $reason: " "$dir.out"
}
fresh() {  # DIR: a client trusting root version 1
  rm -rf "$1" "$1.out"
  "$client" --metadata-dir "$1/metadata" init repo/metadata/1.root.json
}

fresh pc
check "a fresh client refreshes" run_client pc refresh
check "it stores the metadata under non-versioned names" \
  test -f pc/metadata/root.json -a -f pc/metadata/timestamp.json -a -f pc/metadata/snapshot.json -a -f pc/metadata/targets.json
check "it downloads the mynumber policy" run_client pc --target-name policy/mynumber.json download
check "the downloaded policy is the signed one" cmp -s policy-13.json pc/targets/policy%2Fmynumber.json
check "it follows the department's delegation" run_client pc --target-name policy/lgwan/kokumin.json download
grep -c 'GET /targets/' server.log >before.txt
run_client pc --target-name policy/mynumber.json download >/dev/null
check "a cached target is not downloaded again" test "$(grep -c 'GET /targets/' server.log)" = "$(cat before.txt)"

cp -a repo pristine
cp repo/metadata/timestamp.json old-timestamp.json
mp sign --repo repo --key keys/targets.pem --segment mynumber policy-14.json >/dev/null
publish >/dev/null
check "the client takes the new release" run_client pc --target-name policy/mynumber.json download
check "and its policy is version 14" cmp -s policy-14.json pc/targets/policy%2Fmynumber.json
cp -a repo release2
cp old-timestamp.json repo/metadata/timestamp.json
check "rollback: an older timestamp is refused" refused pc rollback refresh
rm -rf repo && cp -a release2 repo

now=$(date -u +%s)
check "freeze: a timestamp past its expiry is refused" \
  refused pc expired --reference-time "$(date -u -d "@$((now + 2 * 86400))" +%FT%TZ)" refresh
check "a clock set back past the last verification is refused" \
  refused pc clock-backwards --reference-time "$(date -u -d "@$((now - 86400))" +%FT%TZ)" refresh

newest_snapshot=$(ls repo/metadata | grep -E '^[0-9]+\.snapshot\.json$' | sort -n | tail -1)
cp repo/metadata/1.snapshot.json "repo/metadata/$newest_snapshot"
fresh pc2
check "mix-and-match: another snapshot under the timestamp's name is refused" refused pc2 bad-hash refresh
rm -rf repo && cp -a release2 repo

"$python" - repo/metadata/timestamp.json <<'PY'
import json, sys
path = sys.argv[1]
document = json.load(open(path))
sig = document["signatures"][0]["sig"]
document["signatures"][0]["sig"] = ("1" if sig[0] == "0" else "0") + sig[1:]
open(path, "w").write(json.dumps(document))
PY
fresh pc3
check "a forged signature is refused" refused pc3 bad-signature refresh
rm -rf repo && cp -a release2 repo

# The release-2 policy by its content: file times cannot tell it apart when both releases were
# signed within the file system's clock tick (seen on a loaded machine).
target_file=''
for candidate in repo/targets/policy/*.mynumber.json; do
  cmp -s "$candidate" policy-14.json && target_file=$candidate
done
[[ -n $target_file ]] || { echo "tuf-client: FAIL no signed target holds policy-14.json"; exit 1; }
sed -i 's/"version": 14/"version": 99/' "$target_file"
fresh pc4
check "a tampered policy (same length) is refused" \
  refused pc4 bad-hash --target-name policy/mynumber.json download
check "and nothing is stored" test ! -e pc4/targets/policy%2Fmynumber.json
rm -rf repo && cp -a release2 repo
head -c 3000000 /dev/zero >>"$target_file"
fresh pc5
check "an oversized policy is cut off at the signed length" \
  refused pc5 too-large --target-name policy/mynumber.json download
rm -rf repo && cp -a release2 repo

status=0
mp rotate-root --repo repo --key keys/root3.pem --root-key keys/root3.pem >rotate-refused.txt 2>&1 || status=$?
check "mamori-policy will not rotate root without the current root's keys" \
  grep -q "the current root needs 2 of its keys; 0 given" rotate-refused.txt
mp rotate-root --repo repo --key keys/root.pem --key keys/root2.pem --root-key keys/root3.pem \
  --root-key keys/root4.pem --root-threshold 2 >/dev/null
check "root rotation (2 of the old keys, 2 of the new): the client follows to root version 2" \
  run_client pc refresh
check "and keeps it as its trusted root" \
  test "$("$python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["signed"]["version"])' pc/metadata/root.json)" = 2
check "securesystemslib verifies the rotation too (old and new thresholds)" \
  "$python" "$interop/securesystemslib_interop.py" verify repo
rm -rf repo && cp -a release2 repo

fresh pc6
status=0
"$client" --metadata-dir pc6/metadata --metadata-url "$url/endless/metadata" refresh >pc6.out 2>&1 || status=$?
check "endless data: a root that never ends is cut off at 512000 bytes" \
  grep -q 'too-large: 2.root.json: .*more than the 512000 bytes allowed' pc6.out

kill "$server_pid"
wait "$server_pid" 2>/dev/null || true
"$python" "$interop/securesystemslib_interop.py" make-repo pyrepo >/dev/null
rm -f port.txt
"$python" "$interop/tuf_http_server.py" pyrepo >port.txt 2>server.log &
server_pid=$!
until [[ -s port.txt ]]; do sleep 0.05; done
url=http://127.0.0.1:$(cat port.txt)
rm -rf py && "$client" --metadata-dir py/metadata init pyrepo/metadata/1.root.json
check "mamori's client reads a repository securesystemslib signed (Ed25519 and ECDSA, threshold 2)" \
  run_client py --target-name files/hello.txt download
check "and the target is the one it signed" grep -q 'securesystemslib から mamori へ' py/targets/files%2Fhello.txt

check_summary
