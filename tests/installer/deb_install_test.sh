#!/usr/bin/env bash
# Issue 8, installed for real: the agent's .deb goes into a clean Debian 12 system (a debootstrap
# chroot: its own dpkg, apt and debconf; the host's network, so the collector on loopback is
# reachable) the way an administrator pushes it, with nothing but environment variables:
#   silent install + enrollment + first report · the token nowhere on disk · reinstall ·
#   upgrade N -> N+1 keeping enrollment and outbox · a failed upgrade leaving N+1 in place ·
#   removal refused without an administrator's unlock code (and reported), and with an altered
#   one · purge with the code removing everything the package created, and nothing else ·
#   the same enrollment through debconf preseeding · local-only without a collector.
# No service runs in a chroot (systemd is not PID 1 here): the agent's cycle is run as
# `run --once`, which is what the unit's ExecStart does every interval.
#
#   deb_install_test.sh BUILD_DIR
# The base system is made once with debootstrap (from Debian's mirror) and cached in
# ${MAMORI_TEST_CACHE:-/var/cache/mamori-tests}.
set -euo pipefail
build=$(realpath "${1:?usage: deb_install_test.sh BUILD_DIR}")
collector=$build/collector/mamori-collector
lab_name=deb-install check_label=deb-install
lab_tmp=$(mktemp -d "${TMPDIR:-/tmp}/mamori-deb-install.XXXXXX")
T=$lab_tmp
root=$T/root
lab_before_removal() {
  umount "$root/proc" 2>/dev/null || true
}
source "$(dirname "$0")/../../scripts/lib/lab.sh"
source "$(dirname "$0")/debian_root.sh"
source "$(dirname "$0")/../support/checks.sh"
lab_init
lab_require debootstrap cpack dpkg-deb sqlite3 jq

in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"; }
apt_in_root() {  # apt-get arguments..., with DEBIAN_FRONTEND and extra VAR=value from $apt_env
  in_root env DEBIAN_FRONTEND=noninteractive "${apt_env[@]}" apt-get -y -qq -o Dpkg::Use-Pty=0 "$@"
}
apt_env=()

# ---- A clean Debian 12 ----------------------------------------------------------------------
debian_root minbase "$root"
mount -t proc proc "$root/proc"

# ---- The packages: N as built, N+1 and a broken N+2 made from it ----------------------------
(cd "$build" && cpack -G DEB -B "$T/out" >"$T/cpack.log" 2>&1) || lab_fail "cpack: $(tail -n 5 "$T/cpack.log")"
deb_n=$(echo "$T"/out/mamori-agent_*_amd64.deb)
version_n=$(dpkg-deb -f "$deb_n" Version)
repack() {  # NEW-VERSION OUT [PREINST-BODY]
  rm -rf "$T/repack" && dpkg-deb -R "$deb_n" "$T/repack"
  sed -i "s/^Version: .*/Version: $1/" "$T/repack/DEBIAN/control"
  if [[ -n ${3:-} ]]; then
    printf '#!/bin/sh\n%s\n' "$3" >"$T/repack/DEBIAN/preinst"
    chmod 0755 "$T/repack/DEBIAN/preinst"
  fi
  dpkg-deb -b --root-owner-group "$T/repack" "$2" >/dev/null
}
version_n1=${version_n%-*}-2 version_n2=${version_n%-*}-3
repack "$version_n1" "$root/tmp/agent-n1.deb"
repack "$version_n2" "$root/tmp/agent-n2.deb" 'echo "mamori-agent: this upgrade fails on purpose" >&2; exit 1'
cp "$deb_n" "$root/tmp/agent-n.deb"

# ---- The collector, on the host's loopback (the chroot shares its network) ----------------------
lab_collector_config
lab_start_collector
token=$(lab_admin token create --department 総務課 --segment lgwan --uses 1 2>>"$T/admin.log")
# The administrator hands out the collector's CA with the token (the chroot has no /etc/hosts
# entry for localhost: the address it is).
cp "$collector_ca" "$root/root/collector-ca.crt"
url=https://127.0.0.1:$collector_port

# What the system holds before mamori: its dependencies first (they stay after a purge, as
# apt leaves any dependency), then a list of every file, to compare with after the purge.
apt_in_root update
apt_in_root satisfy --no-install-recommends "$(dpkg-deb -f "$deb_n" Depends)" >"$T/deps.log" 2>&1 ||
  lab_fail "installing the dependencies failed: $(tail -n 5 "$T/deps.log")"
files_of_system() {
  (cd "$root" && find . -xdev \( -path ./proc -o -path ./tmp -o -path ./var/cache/apt \
    -o -path ./var/lib/apt/lists -o -path ./var/log -o -path ./var/cache/debconf \) -prune -o -print |
    sort)
}
files_of_system >"$T/files-before"


# ---- 1. Silent install, enrolled, first report ----------------------------------------------------
apt_env=(MAMORI_COLLECTOR="$url" MAMORI_TOKEN="$token" MAMORI_CA=/root/collector-ca.crt MAMORI_SEGMENT=lgwan)
apt_in_root install --no-install-recommends /tmp/agent-n.deb >"$T/install.log" 2>&1 ||
  lab_fail "install failed: $(tail -n 20 "$T/install.log")"
apt_env=()
cat "$T/install.log" | grep 'mamori-agent' || true
status_json() { in_root mamori-agent status --state-dir /var/lib/mamori --json; }
device=$(status_json | jq -r '.enrollment.device_id // empty')
check "installed non-interactively and enrolled as $device" test -n "$device"
check "the token is in no file of the system (debconf's copy blanked, the 0600 file removed)" \
  bash -c "! grep -rIlF -- '$token' '$root' --exclude-dir=proc 2>/dev/null | grep -q ."
check "state directory 0700, device key 0600" \
  bash -c "[[ \$(stat -c %a '$root/var/lib/mamori') == 700 && \$(stat -c %a '$root/var/lib/mamori/device.key') == 600 ]]"
check "the segment is the service's option (agent.env)" \
  grep -qx 'MAMORI_AGENT_OPTIONS="--segment lgwan"' "$root/etc/mamori/agent.env"
check "the unit is enabled (deb-systemd-helper)" \
  test -L "$root/etc/systemd/system/multi-user.target.wants/mamori-agent.service"
run_once() { in_root mamori-agent run --once --state-dir /var/lib/mamori --policy /etc/mamori/policy.json --lang en; }
run_once >"$T/run1.log" 2>&1 || true
reports() { [[ -n $device ]] && lab_admin device show "$device" | sed -n 's/^reports: //p'; }
check "the first report arrived ($(head -n 1 "$T/run1.log"); collector: $(reports) report)" test "$(reports)" = 1

# ---- 2. Reinstall keeps the enrollment ------------------------------------------------------------
key_sum=$(sha256sum "$root/var/lib/mamori/device.key" | cut -d' ' -f1)
apt_in_root install --reinstall --no-install-recommends /tmp/agent-n.deb >"$T/reinstall.log" 2>&1 ||
  lab_fail "reinstall failed: $(tail -n 20 "$T/reinstall.log")"
check "reinstall: same device, same key" \
  bash -c "[[ \$(chroot '$root' mamori-agent status --state-dir /var/lib/mamori --json | jq -r .enrollment.device_id) == '$device' &&
             \$(sha256sum '$root/var/lib/mamori/device.key' | cut -d' ' -f1) == '$key_sum' ]]"

# ---- 3. Upgrade N -> N+1 with a report waiting in the outbox ------------------------------------
lab_stop_collector
run_once >/dev/null 2>&1 || true
queued=$(status_json | jq -r .queued)
check "collector down: a report waits in the outbox ($queued)" test "$queued" = 1
apt_in_root install --no-install-recommends /tmp/agent-n1.deb >"$T/upgrade.log" 2>&1 ||
  lab_fail "upgrade failed: $(tail -n 20 "$T/upgrade.log")"
check "upgraded to $version_n1" test "$(in_root dpkg-query -W -f='${Version}' mamori-agent)" = "$version_n1"
check "upgrade: same device, same key, the report still queued" \
  bash -c "[[ \$(chroot '$root' mamori-agent status --state-dir /var/lib/mamori --json | jq -r '.enrollment.device_id + \" \" + (.queued|tostring)') == '$device 1' &&
             \$(sha256sum '$root/var/lib/mamori/device.key' | cut -d' ' -f1) == '$key_sum' ]]"
lab_start_collector "$collector_port"
run_once >/dev/null 2>&1 || true
check "after the upgrade the queued report and a new one arrived (collector: $(reports) reports)" \
  test "$(reports)" = 3

# ---- 4. A failed upgrade leaves N+1 installed -----------------------------------------------------
if apt_in_root install --no-install-recommends /tmp/agent-n2.deb >"$T/broken.log" 2>&1; then
  check "the broken upgrade was refused" false
else
  check "the broken upgrade was refused" true
fi
check "after it, $version_n1 is still the installed version" \
  test "$(in_root dpkg-query -W -f='${Version} ${Status}' mamori-agent)" = "$version_n1 install ok installed"
check "after it, the agent still runs and reports" bash -c "$(declare -f in_root run_once); root='$root'; run_once >/dev/null 2>&1"

# ---- 5. Uninstall protection: refused without the administrator's code, and reported -------------
if apt_in_root remove mamori-agent >"$T/remove.log" 2>&1; then removed=yes; else removed=no; fi
echo "---- apt-get remove mamori-agent, without a code"
grep 'mamori-agent:' "$T/remove.log" || true
echo "----"
check "remove without an unlock code: refused, with a clear message" \
  bash -c "[[ $removed == no ]] && grep -q 'does not allow removing mamori-agent from this PC (no unlock code)' '$T/remove.log'"
check "remove without an unlock code: still installed" \
  test "$(in_root dpkg-query -W -f='${Status}' mamori-agent)" = "install ok installed"
run_once >/dev/null 2>&1 || true
lab_admin audit list --device "$device" >"$T/audit.txt"
check "the attempt reached the collector's audit log" grep -q 'agent  削除拒否\|agent  uninstall-refused  agent.uninstall-refused' "$T/audit.txt"
grep ' agent ' "$T/audit.txt" || true
foreign=$(lab_admin device unlock-code "$device" --valid-hours 1 | tail -n 1)
# One character inside the signature (all six of its bits count; the last one's may be padding).
at=$((${#foreign} - 10)) swap=A
[[ ${foreign:at:1} == A ]] && swap=B
tampered=${foreign:0:at}$swap${foreign:at+1}
apt_env=(MAMORI_UNLOCK_CODE="$tampered")
if apt_in_root remove mamori-agent >"$T/remove-tampered.log" 2>&1; then tampered_removed=yes; else tampered_removed=no; fi
check "remove with an altered code: refused" \
  bash -c "[[ $tampered_removed == no ]] && grep -q 'not signed by this PC' '$T/remove-tampered.log'"

# ---- 6. Purge with the code removes everything it created, and nothing else -----------------------
code=$(lab_admin device unlock-code "$device" | tail -n 1)
apt_env=(MAMORI_UNLOCK_CODE="$code")
apt_in_root purge mamori-agent >"$T/purge.log" 2>&1 || lab_fail "purge failed: $(tail -n 20 "$T/purge.log")"
apt_env=()
check "purge with the unlock code: accepted" grep -q 'unlock code accepted' "$T/purge.log"
issued=$(lab_admin device show "$device" | sed -n '/^unlock codes issued:/,/^recent audit events:/p' | grep -c 'valid until')
check "the collector keeps who issued each unlock code ($issued issued)" test "$issued" -eq 2
files_of_system >"$T/files-after"
echo "---- files after the purge that were not there before mamori (none expected)"
comm -13 "$T/files-before" "$T/files-after" | tee "$T/left"
echo "---- files before mamori that the purge removed (none expected)"
comm -23 "$T/files-before" "$T/files-after" | tee "$T/taken"
echo "----"
check "purge: nothing of mamori's left ($(wc -l <"$T/left") files)" test ! -s "$T/left"
check "purge: nothing else removed ($(wc -l <"$T/taken") files)" test ! -s "$T/taken"
check "purge: debconf forgot mamori-agent" \
  bash -c "! grep -q 'mamori-agent/' '$root/var/cache/debconf/config.dat' '$root/var/cache/debconf/templates.dat'"

# ---- 7. The same through debconf preseeding -------------------------------------------------------
token2=$(lab_admin token create --department 企画課 --segment lgwan --uses 1 2>>"$T/admin.log")
printf '%s\n' "mamori-agent mamori-agent/collector_url string $url" \
  "mamori-agent mamori-agent/token password $token2" \
  "mamori-agent mamori-agent/ca_file string /root/collector-ca.crt" >"$root/tmp/preseed"
in_root debconf-set-selections /tmp/preseed
rm -f "$root/tmp/preseed"
apt_in_root install --no-install-recommends /tmp/agent-n.deb >"$T/preseeded.log" 2>&1 ||
  lab_fail "preseeded install failed: $(tail -n 20 "$T/preseeded.log")"
device2=$(status_json | jq -r '.enrollment.device_id // empty')
check "preseeded: enrolled as $device2 (企画課)" \
  bash -c "[[ -n '$device2' ]] && '$collector' device show '$device2' --config '$collector_config' --lang en | grep -q 企画課"
check "preseeded: the token is in no file of the system" \
  bash -c "! grep -rIlF -- '$token2' '$root' --exclude-dir=proc 2>/dev/null | grep -q ."
apt_env=(MAMORI_UNLOCK_CODE="$(lab_admin device unlock-code "$device2" | tail -n 1)")
apt_in_root purge mamori-agent >"$T/purge2.log" 2>&1 || lab_fail "second purge failed: $(tail -n 20 "$T/purge2.log")"
apt_env=()

# ---- 8. Nothing given: local-only, and one line says how to enroll --------------------------------
apt_in_root install --no-install-recommends /tmp/agent-n.deb >"$T/bare.log" 2>&1 ||
  lab_fail "install without a collector failed: $(tail -n 20 "$T/bare.log")"
check "without a collector: installed, not enrolled, told how to enroll" \
  bash -c "grep -q 'not enrolled; the agent runs in local-only mode. Enroll with: mamori-agent enroll' '$T/bare.log' &&
           [[ \$(chroot '$root' mamori-agent status --state-dir /var/lib/mamori --json | jq -r .enrolled) == false ]]"
grep 'mamori-agent:' "$T/bare.log" || true

check_summary
