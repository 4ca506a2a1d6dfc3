#!/usr/bin/env bash
# Issue 9, self-update end to end on Linux: the agent's package in a clean Debian 12 booted with
# systemd as PID 1 (systemd-nspawn), the real collector serving the admins' TUF repository.
#   version N installed by hand, N published as the baseline;
#   N+1 signed by the admins (mamori-policy sign-package) -> the agent installs it, the new
#     agent reports, disarms the restore and audits the update;
#   a broken N+2 (its agent exits at start, so it never reports) -> the restore timer puts N+1
#     back by itself; the restored agent audits the rollback and never takes N+2 again.
# N+1 and N+2 are N repacked with other versions (and N+2 with a broken program).
#
#   deb_self_update_test.sh BUILD_DIR
set -euo pipefail
build=$(realpath "${1:?usage: deb_self_update_test.sh BUILD_DIR}")
policy_tool=$build/repository/mamori-policy
lab_name=deb-self-update
lab_tmp=$(mktemp -d "${TMPDIR:-/tmp}/mamori-deb-self-update.XXXXXX")
T=$lab_tmp
netns_tag=su$$ check_label=self-update
source "$(dirname "$0")/systemd_pc.sh"
deadline=60

# ---- The packages: N as built, N+1, and a broken N+2 -------------------------------------------
(cd "$build" && cpack -G DEB -B "$T/out" >"$T/cpack.log" 2>&1) || lab_fail "cpack: $(tail -n 5 "$T/cpack.log")"
deb_n=$(echo "$T"/out/mamori-agent_*_amd64.deb)
version_n=$(dpkg-deb -f "$deb_n" Version)
version_n1=${version_n%-*}-2 version_n2=${version_n%-*}-3
repack() {  # NEW-VERSION OUT [BROKEN]
  rm -rf "$T/repack" && dpkg-deb -R "$deb_n" "$T/repack"
  sed -i "s/^Version: .*/Version: $1/" "$T/repack/DEBIAN/control"
  if [[ -n ${3:-} ]]; then
    printf '#!/bin/sh\necho "mamori-agent %s: broken on purpose" >&2\nexit 1\n' "$1" \
      >"$T/repack/usr/bin/mamori-agent"
    sed -i '/usr\/bin\/mamori-agent$/d' "$T/repack/DEBIAN/md5sums" 2>/dev/null || true
  fi
  dpkg-deb -b --root-owner-group "$T/repack" "$2" >/dev/null
}
repack "$version_n1" "$T/agent-n1.deb"
repack "$version_n2" "$T/agent-n2.deb" broken

# ---- The admins' repository, with N published as the baseline ---------------------------------
mp() { "$policy_tool" --lang en "$@"; }
for key in root targets snapshot timestamp; do mp keygen --out "$T/keys/$key.pem" >/dev/null; done
mp init --repo "$T/repo" --root-key "$T/keys/root.pem" --targets-key "$T/keys/targets.pem" \
  --snapshot-key "$T/keys/snapshot.pem.pub" --timestamp-key "$T/keys/timestamp.pem.pub" >/dev/null
mp sign-package --repo "$T/repo" --key "$T/keys/targets.pem" "$deb_n" >"$T/sign.log"
check "the admins sign N ($version_n) as a TUF target ($(head -n 1 "$T/sign.log"))" \
  grep -q "^signed: packages/debian-amd64/mamori-agent_${version_n}_amd64.deb" "$T/sign.log"
check "a package that is not the agent is refused" \
  bash -c "'$policy_tool' --lang en sign-package --repo '$T/repo' --key '$T/keys/targets.pem' \
    '$(echo "$T"/out/mamori-collector_*_amd64.deb)' 2>&1 | grep -q 'is the package mamori-collector, not mamori-agent'"

# ---- The PC and the collector -------------------------------------------------------------------
systemd_pc_prepare
systemd_pc_collector
lab_collector_tuf "$T/repo" "$T/keys"
lab_start_collector
lab_wait_for 30 "the collector's first publication" test -s "$T/repo/metadata/timestamp.json"
token=$(lab_admin token create --department 総務課 --segment lgwan --uses 1 2>>"$T/admin.log")
# The city's root of trust is handed out with the package, like the collector's CA.
cp "$T/repo/metadata/1.root.json" "$root/root/tuf-root.json"
# Short cycles and a short deadline for the test (the defaults are 900 s and 1800 s).
install -d "$root/etc/systemd/system/mamori-agent.service.d"
printf '[Service]\nEnvironment="MAMORI_AGENT_OPTIONS=--interval 10 --update-deadline %s"\n' "$deadline" \
  >"$root/etc/systemd/system/mamori-agent.service.d/test.conf"
systemd_pc_install "$deb_n" "$token" MAMORI_TUF_ROOT=/root/tuf-root.json
check "N installed and enrolled as $device" test -n "$device"
check "the root of trust installed from MAMORI_TUF_ROOT" \
  cmp -s "$T/repo/metadata/1.root.json" "$root/etc/mamori/tuf-root.json"
systemd_pc_boot

installed() { in_container dpkg-query -W -f '${Version} ${Status}' mamori-agent 2>/dev/null; }
reported_version() { lab_admin device show "$device" | sed -n 's/^agent version: //p'; }
audit() { lab_admin audit list --device "$device" | grep ' update ' || true; }
lab_wait_for 60 "the first report" bash -c "'$collector' device show $device --config '$collector_config' --lang en | grep -q '^agent version: $version_n\$'"
check "N runs and reports its package version (collector: agent version $(reported_version))" \
  test "$(reported_version)" = "$version_n"

# ---- N+1 published: the agent updates itself ------------------------------------------------------
mp sign-package --repo "$T/repo" --key "$T/keys/targets.pem" "$T/agent-n1.deb" >/dev/null
published_at=$(date +%s)
lab_wait_for 120 "N+1 to report" bash -c "'$collector' device show $device --config '$collector_config' --lang en | grep -q '^agent version: $version_n1\$'"
check "the agent installed N+1 by itself ($(installed), $(( $(date +%s) - published_at )) s after it was signed)" \
  test "$(installed)" = "$version_n1 install ok installed"
check "N+1 runs under systemd ($(prop mamori-agent.service ActiveState))" \
  test "$(prop mamori-agent.service ActiveState)" = active
lab_wait_for 60 "the update's audit events" bash -c "'$collector' audit list --device $device --config '$collector_config' --lang en | grep -q agent-updated"
check "the collector has the update in its audit log (started, then healthy)" \
  bash -c "'$collector' audit list --device $device --config '$collector_config' --lang en | grep -q 'agent-update-started.*$version_n -> $version_n1' &&
           '$collector' audit list --device $device --config '$collector_config' --lang en | grep -q 'agent-updated.*$version_n -> $version_n1, healthy'"
check "the restore was disarmed ($(prop mamori-agent-restore.timer LoadState))" \
  bash -c "[[ \$(nsenter -t $(init_pid) -m -u -i -n -p -- systemctl show -p SubState --value mamori-agent-restore.timer) != waiting ]]"

# ---- A broken N+2: installed, never healthy, rolled back by the restore -----------------------
mp sign-package --repo "$T/repo" --key "$T/keys/targets.pem" "$T/agent-n2.deb" >/dev/null
broken_at=$(date +%s)
lab_wait_for 60 "N+2 to be installed" bash -c "nsenter -t $(init_pid) -m -u -i -n -p -- dpkg-query -W -f '\${Version}' mamori-agent | grep -qx '$version_n2'"
check "the agent installed the broken N+2 ($(installed))" true
check "the restore is armed while N+2 is in place (mamori-agent-restore.timer $(prop mamori-agent-restore.timer SubState))" \
  test "$(prop mamori-agent-restore.timer SubState)" = waiting
back_on_n1() {
  [[ $(in_container dpkg-query -W -f '${Version} ${Status}' mamori-agent 2>/dev/null) == "$version_n1 install ok installed" &&
     $(in_container systemctl show -p ActiveState --value mamori-agent.service) == active ]]
}
lab_wait_for $((deadline + 90)) "the restore of N+1" back_on_n1
check "N+1 is back by itself, $(( $(date +%s) - broken_at )) s after N+2 was signed (deadline ${deadline} s)" back_on_n1
lab_wait_for 60 "the rollback in the audit log" bash -c "'$collector' audit list --device $device --config '$collector_config' --lang en | grep -q agent-rolled-back"
check "the rollback reached the collector (agent-rolled-back: $version_n2 did not report healthy)" \
  bash -c "'$collector' audit list --device $device --config '$collector_config' --lang en | grep -q 'agent-rolled-back.*version $version_n2 did not report healthy'"
check "N+1 reports again (collector: agent version $(reported_version))" \
  test "$(reported_version)" = "$version_n1"
check "N+2 never reported healthy (no agent-updated to it)" \
  bash -c "! '$collector' audit list --device $device --config '$collector_config' --lang en | grep -q 'agent-updated.*-> $version_n2'"
sleep 25  # two more cycles: N+2 is still the newest signed package
check "N+2 is not taken again ($(installed))" test "$(installed)" = "$version_n1 install ok installed"
check "and nothing is pending (status: $(in_container mamori-agent status --lang en | grep -c '^agent update:' || true) update lines)" \
  bash -c "! nsenter -t $(init_pid) -m -u -i -n -p -- mamori-agent status --lang en | grep -q '^agent update:'"

echo "---- the update events in the collector's audit log"
audit | sed 's/^/  /'
echo "---- journalctl -u mamori-agent -u mamori-agent-update -u mamori-agent-restore (the container's)"
in_container journalctl -u mamori-agent -u mamori-agent-update -u mamori-agent-restore --no-pager -o cat |
  grep -E 'update|restore|dpkg|Started|broken' | tail -n 40 || true
echo "----"
check_summary
