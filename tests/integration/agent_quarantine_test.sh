#!/usr/bin/env bash
# Issue 7 end to end: the real agent quarantines the PC it runs on, on the collector's word.
# Network namespaces are the hosts of a small city hall LAN, joined by a bridge:
#   PC 10.77.0.1 (mamori-agent run) · collector 10.77.0.2:8443 (mamori-collector serve) ·
#   remediation host 10.77.0.3:80 (the update mirror) · other server 10.77.0.4:80.
# The PC is broken and fixed by switching its fixture root (a symlink) between a Debian without
# anti-malware and a compliant one; the collector judges each report. Checks whom the PC
# reaches in each state, that a SIGKILLed agent leaves the quarantine in place, that a
# restarted one keeps it without a gap, and that every change reaches the collector's audit
# log. Then a CSIRT isolates the PC from the collector's CLI: only the collector stays
# reachable, a compliant report does not lift it, an admin's release does. Traffic stays inside
# these namespaces; they are removed afterwards.
#
#   agent_quarantine_test.sh COLLECTOR_BIN AGENT_BIN
set -euo pipefail
real_collector=$(realpath "$1") agent=$(realpath "$2")
lab_name=agent-quarantine
lab_tmp=$(mktemp -d "${TMPDIR:-/tmp}/mamori-quarantine.XXXXXX")
T=$lab_tmp
netns_tag=aq$$ check_label=agent-quarantine
source "$(dirname "$0")/netns_lan.sh"
source "$(dirname "$0")/../support/checks.sh"
pc=$netns_tag-pc col=$netns_tag-col rem=$netns_tag-rem oth=$netns_tag-oth
agent_pid='' prober_pid=''
lab_before_removal() {
  [[ -n $prober_pid ]] && kill "$prober_pid" 2>/dev/null
  if [[ -n $agent_pid ]]; then
    kill -KILL "$agent_pid" 2>/dev/null
    wait "$agent_pid" 2>/dev/null
  fi
  netns_cleanup
}
# lab.sh starts "$collector": this wrapper runs it in the collector's namespace.
collector=$T/collector-in-netns
source "$(dirname "$0")/../../scripts/lib/lab.sh"
lab_init
lab_require ip nft jq python3 timeout
printf '#!/bin/sh\nexec ip netns exec %s %s "$@"\n' "$col" "$real_collector" >"$collector"
chmod +x "$collector"

# ---- The LAN --------------------------------------------------------------------------------
netns_lan_up
netns_host "$pc" 1
netns_host "$col" 2
netns_host "$rem" 3 80
netns_host "$oth" 4 80
netns_wait_reachable "$pc" 10.77.0.3:80 10.77.0.4:80 || lab_fail "the test servers never answered"
reaches() { netns_reaches "$pc" "$@"; }
blocked() { ! reaches "$@"; }

# ---- The collector and the PC ---------------------------------------------------------------
lab_collector_config
jq '.listen.host = "10.77.0.2" | .listen.port = 8443 | .server_names = ["10.77.0.2"]' \
  "$collector_config" >"$T/c.json" && mv "$T/c.json" "$collector_config"
lab_start_collector
token=$(lab_admin token create --department 総務課 --segment lgwan --uses 1 2>>"$T/admin.log")

mac=52:54:00:77:00:01 machine=5a0c1e2f3d4b4a59b8c7d6e5f4a37701
lab_make_compliant_host "$T/host-fixed" "$machine" "$mac"
lab_make_host "$T/host-broken" "$machine" "$mac" hosts/debian12-bare
ln -sfn host-broken "$T/host"
# The agent's policy names the update mirror, reachable in quarantine.
cat >"$T/policy.json" <<'JSON'
{"format": "mamori-policy/1", "version": 3, "name": "quarantine test",
 "contact": {"ja": "情報政策課（内線 2345）", "en": "the help desk (ext. 2345)"},
 "segments": {"lgwan": {"admission": {"remediation": ["10.77.0.3:80"]}}}}
JSON

ip netns exec "$pc" "$agent" enroll --collector https://10.77.0.2:8443 --ca "$collector_ca" \
  --token "$token" --state-dir "$T/agent" --root "$T/host" --lang en >"$T/enroll.log" 2>&1 ||
  lab_fail "enroll failed: $(cat "$T/enroll.log")"
device=$(sed -n 's/^enrolled: device \([0-9a-f-]*\),.*/\1/p' "$T/enroll.log")
[[ -n $device ]] || lab_fail "no device id: $(cat "$T/enroll.log")"
lab_grant_usb_exceptions "$device" "quarantine test: sticks of the fixture"

start_agent() {
  ip netns exec "$pc" "$agent" run --interval 10 --state-dir "$T/agent" --root "$T/host" \
    --policy "$T/policy.json" --lang en >>"$T/agent.log" 2>&1 &
  agent_pid=$!
}
status() { "$agent" status --state-dir "$T/agent" --lang en; }
agent_mode() { "$agent" status --state-dir "$T/agent" --json | jq -r '.network.mode // "-"'; }
mode_is() { [[ $(agent_mode) == "$1" ]]; }
firewall_mode() {
  ip netns exec "$pc" nft list table inet mamori 2>/dev/null |
    sed -nE 's/.*comment "mamori:([a-z]+) .*/\1/p' | head -n 1
}
wait_mode() {  # MODE: the agent says so (its next cycle is at most ~11 s away)
  lab_wait_for 60 "network mode $1" mode_is "$1"
}

# ---- 1. Non-compliant: quarantined ----------------------------------------------------------
start_agent
wait_mode quarantine
check "non-compliant: the collector reachable" reaches 10.77.0.2 8443
check "non-compliant: the remediation host reachable" reaches 10.77.0.3 80
check "non-compliant: the other server not reachable" blocked 10.77.0.4 80
check "non-compliant: the kernel holds mamori's quarantine" test "$(firewall_mode)" = quarantine
ip netns exec "$pc" nft list table inet mamori >"$T/ruleset.nft"
check "non-compliant: nft -c accepts the rule set the agent made" \
  ip netns exec "$pc" nft -c -f "$T/ruleset.nft"
status >"$T/status.txt"
check "status: network quarantined, with the collector's reason" \
  grep -qE '^network: quarantined \(.*\) — .*(AV-|quarantine)' "$T/status.txt"
check "notice: the staff are told in Japanese what to fix and whom to call" \
  bash -c "grep -q 'この端末は検疫中です: .*情報政策課（内線 2345）' '$T/agent.log' &&
           grep -q '^・AV-1 ' '$T/agent.log'"
echo "---- the staff notice (journal; the desktop gets the Japanese half)"
grep -m 1 -A 12 'この端末は検疫中です' "$T/agent.log" | awk 'NR > 1 && /^mamori\./ { exit } { print }'
echo "---- the agent's rule set in quarantine (nft list table inet mamori)"
cat "$T/ruleset.nft"
echo "---- mamori-agent status"
cat "$T/status.txt"
echo "----"

# ---- 2. Fixed: admitted, everything reachable -----------------------------------------------
ln -sfn host-fixed "$T/host"
wait_mode open
check "fixed: the other server reachable" reaches 10.77.0.4 80
check "fixed: mamori's table gone" test -z "$(firewall_mode)"

# ---- 3. Broken again, then the agent is SIGKILLed: the quarantine stays ---------------------
ln -sfn host-broken "$T/host"
wait_mode quarantine
kill -KILL "$agent_pid"
wait "$agent_pid" 2>/dev/null || true
agent_pid=''
check "SIGKILL: still quarantined (kernel rules)" test "$(firewall_mode)" = quarantine
check "SIGKILL: the other server still not reachable" blocked 10.77.0.4 80
check "SIGKILL: the collector still reachable" reaches 10.77.0.2 8443

# ---- 4. Restarted: reconciles without a gap -------------------------------------------------
# A prober tries the other server every 50 ms, writing down every connection it makes.
start_prober() {  # FILE
  (
    while :; do
      if reaches 10.77.0.4 80; then echo "$(date +%T.%N) reached" >>"$1"; fi
      sleep 0.05
    done
  ) &
  prober_pid=$!
}
stop_prober() {
  kill "$prober_pid"
  wait "$prober_pid" 2>/dev/null || true
  prober_pid=''
}
start_prober "$T/leaks"
lines_before=$(wc -l <"$T/agent.log")
start_agent
first_cycle() { tail -n +"$((lines_before + 1))" "$T/agent.log" | grep -q 'cycle: sent [1-9]'; }
lab_wait_for 60 "the restarted agent's first report" first_cycle
sleep 1
stop_prober
check "restart: the agent read the quarantine back from the kernel" \
  grep -q 'the firewall is quarantine at start' "$T/agent.log"
leaks=0
[[ -s $T/leaks ]] && leaks=$(wc -l <"$T/leaks")
check "restart: no moment open (the prober connected $leaks times)" test "$leaks" -eq 0
check "restart: still quarantined after its first report" test "$(firewall_mode)" = quarantine

# ---- 5. Fixed again: open ---------------------------------------------------------------------
ln -sfn host-fixed "$T/host"
wait_mode open
check "fixed again: the other server reachable" reaches 10.77.0.4 80
# The prober can fail: with the PC open it does connect.
start_prober "$T/open-probe"
sleep 0.5
stop_prober
check "the prober sees the other server when the PC is open" test -s "$T/open-probe"

# ---- 6. CSIRT isolation on command, and only an admin's release lifts it ----------------------
lab_admin device isolate "$device" --reason "INC-2026-0042 不審な通信" >>"$T/admin.log" 2>&1 ||
  lab_fail "device isolate failed: $(tail -n 3 "$T/admin.log")"
wait_mode isolated
check "isolated: the collector reachable" reaches 10.77.0.2 8443
check "isolated: the remediation host not reachable" blocked 10.77.0.3 80
check "isolated: the other server not reachable" blocked 10.77.0.4 80
check "isolated: the kernel holds mamori's isolation" test "$(firewall_mode)" = isolated
check "status: network isolated, with the CSIRT's reason" \
  bash -c "'$agent' status --state-dir '$T/agent' --lang en | grep -q '^network: isolated (.*INC-2026-0042'"
ip netns exec "$pc" nft list table inet mamori >"$T/isolated.nft"
echo "---- the agent's rule set in isolation"
cat "$T/isolated.nft"
echo "----"
# The PC is compliant, and reports so: it stays isolated.
sleep 12
check "isolated: a compliant report does not lift it" mode_is isolated
lab_admin device release "$device" --reason "INC-2026-0042 駆除完了" >>"$T/admin.log" 2>&1 ||
  lab_fail "device release failed: $(tail -n 3 "$T/admin.log")"
wait_mode open
check "released: the other server reachable" reaches 10.77.0.4 80
check "released: the remediation host reachable" reaches 10.77.0.3 80
lab_admin device show "$device" >"$T/device.txt"
check "collector: the isolation and the release are on record, with who and why" \
  bash -c "grep -q 'isolated  .*INC-2026-0042 不審な通信' '$T/device.txt' &&
           grep -q 'released  .*INC-2026-0042 駆除完了' '$T/device.txt'"
echo "---- mamori-collector device show (isolation history)"
sed -n '/^isolation history:/,/^recent audit events:/p' "$T/device.txt"

# ---- 7. The collector saw every change --------------------------------------------------------
lab_wait_for 30 "the audit events at the collector" bash -c \
  "[[ \$('$collector' audit list --device $device --config '$collector_config' --lang en | grep -c ' network ') -ge 6 ]]"
lab_admin audit list --device "$device" | grep ' network ' >"$T/audit.txt" || true
echo "---- mamori-collector audit list (network)"
cat "$T/audit.txt"
check "audit: quarantine entries at the collector" \
  test "$(grep -c 'open -> quarantine' "$T/audit.txt")" -ge 2
check "audit: open entries at the collector" \
  test "$(grep -c 'quarantine -> open' "$T/audit.txt")" -ge 2
check "audit: the isolation and the release, as the PC carried them out" \
  bash -c "grep -q 'open -> isolated: CSIRT isolation: INC-2026-0042' '$T/audit.txt' &&
           grep -q 'isolated -> open' '$T/audit.txt'"

check_summary
