#!/usr/bin/env bash
# Issue 8, the packages as built: CPack makes both .debs from the build tree; lintian must report
# no error (each warning is explained in README, "Debian packages"); their contents, control
# fields and maintainer scripts are checked; `systemd-analyze verify` must accept both units in
# a root holding the packages' files, and `systemd-analyze security` prints each unit's exposure.
#
#   deb_package_test.sh BUILD_DIR
set -euo pipefail
build=$(realpath "${1:?usage: deb_package_test.sh BUILD_DIR}")
check_label=package
source "$(dirname "$0")/../support/checks.sh"
for c in cpack lintian dpkg-deb systemd-analyze; do
  command -v "$c" >/dev/null || { echo "$check_label: $c is missing (make deps)" >&2; exit 1; }
done
T=$(mktemp -d "${TMPDIR:-/tmp}/mamori-package.XXXXXX")
trap 'rm -rf "$T"' EXIT


(cd "$build" && cpack -G DEB -B "$T/out" >"$T/cpack.log" 2>&1) ||
  { cat "$T/cpack.log" >&2; echo "$check_label: cpack failed" >&2; exit 1; }
agent=$(echo "$T"/out/mamori-agent_*_amd64.deb)
collector=$(echo "$T"/out/mamori-collector_*_amd64.deb)
check "cpack made both packages ($(basename "$agent"), $(basename "$collector"))" \
  test -s "$agent" -a -s "$collector"

# ---- lintian ----------------------------------------------------------------------------------
lintian --no-tag-display-limit "$agent" "$collector" >"$T/lintian.txt" 2>/dev/null || true
echo "---- lintian"
cat "$T/lintian.txt"
errors=$(grep -c '^E:' "$T/lintian.txt" || true)
warnings=$(grep -c '^W:' "$T/lintian.txt" || true)
check "lintian: $errors errors, $warnings warnings" test "$errors" -eq 0
# Only the warnings README explains.
unexplained=$(grep '^W:' "$T/lintian.txt" |
  grep -vE 'no-manual-page|uses-dpkg-database-directly|initial-upload-closes-no-bugs' || true)
check "lintian: every warning is one README explains" test -z "$unexplained"

# ---- contents and control fields ----------------------------------------------------------------
field() { dpkg-deb -f "$1" "$2"; }
contents() { dpkg-deb -c "$1" | awk '{print $6}'; }
has() {  # DEB PATH
  contents "$1" | grep -qx "./${2#/}"
}
for f in /usr/bin/mamori-agent /lib/systemd/system/mamori-agent.service /etc/mamori/policy.json \
  /usr/share/doc/mamori-agent/copyright /usr/share/doc/mamori-agent/changelog.Debian.gz; do
  check "agent: ships $f" has "$agent" "$f"
done
for f in /usr/bin/mamori-collector /lib/systemd/system/mamori-collector.service \
  /etc/mamori/collector.json /usr/share/doc/mamori-collector/copyright; do
  check "collector: ships $f" has "$collector" "$f"
done
check "agent: nothing outside /usr, /lib and /etc/mamori" \
  bash -c "! dpkg-deb -c '$agent' | awk '{print \$6}' | grep -vE '^\./(usr|lib|etc)?/?\$|^\./(usr|lib/systemd|etc/mamori)(/|\$)'"
for deb in "$agent" "$collector"; do
  name=$(field "$deb" Package)
  depends=$(field "$deb" Depends)
  check "$name: depends on runtime libraries, no -dev package ($depends)" \
    bash -c "[[ '$depends' == *libc6* && '$depends' != *-dev* ]]"
  dpkg-deb -e "$deb" "$T/control-$name"
  for script in postinst prerm postrm config; do
    [[ -e $T/control-$name/$script ]] || continue
    check "$name: $script is valid sh" sh -n "$T/control-$name/$script"
  done
done
check "agent: the policy is a conffile" grep -qx /etc/mamori/policy.json "$T/control-mamori-agent/conffiles"
check "collector: its config is a conffile" \
  grep -qx /etc/mamori/collector.json "$T/control-mamori-collector/conffiles"
check "agent: the token question is a password (kept out of the world-readable debconf database)" \
  grep -A1 -x 'Template: mamori-agent/token' "$T/control-mamori-agent/templates" -q
check "agent: the token reaches the agent by a file, not the command line" \
  bash -c "grep -q -- '--token-file' '$T/control-mamori-agent/postinst' &&
           ! grep -q -- '--token \"' '$T/control-mamori-agent/postinst'"
# The policy it ships is one the agent accepts (check exits 2 on a rejected policy).
policy_rc=0
"$build/agent/mamori-agent" check --policy "$(dirname "$0")/../../installer/linux/etc/policy.json" \
  --root "$(dirname "$0")/../fixtures/hosts/debian12" --lang en >/dev/null 2>&1 || policy_rc=$?
check "agent: the shipped policy is accepted (check exit $policy_rc)" test "$policy_rc" -ne 2

# ---- systemd --------------------------------------------------------------------------------------
# A root with the host's own units (sysinit.target and the rest) and the packages' files.
root=$T/root
mkdir -p "$root/lib/systemd" "$root/etc/systemd/system"
cp -a /lib/systemd/system "$root/lib/systemd/"
dpkg-deb -x "$agent" "$root"
dpkg-deb -x "$collector" "$root"
for unit in mamori-agent mamori-collector; do
  out=$(systemd-analyze verify --root="$root" "$root/lib/systemd/system/$unit.service" 2>&1) &&
    rc=0 || rc=$?
  mine=$(grep "$unit" <<<"$out" || true)
  check "systemd-analyze verify $unit.service (exit $rc${mine:+: $mine})" test "$rc" -eq 0 -a -z "$mine"
  systemd-analyze security --offline=yes --root="$root" "$unit.service" >"$T/security-$unit.txt" 2>&1 || true
  score=$(sed -nE 's/.*Overall exposure level for [^:]+: ([0-9.]+ [A-Z]+).*/\1/p' "$T/security-$unit.txt")
  echo "---- systemd-analyze security $unit.service: what remains exposed"
  grep '✗' "$T/security-$unit.txt" | sed -E 's/ {2,}/  /g' || true
  check "systemd-analyze security $unit.service: exposure $score" test -n "$score"
done

check_summary
