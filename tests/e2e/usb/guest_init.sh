#!/bin/sh
# /init of the USB e2e guest (busybox sh, PID 1). Mounts the kernel filesystems, loads the USB
# modules, then serves the host's commands on the second serial port (/dev/ttyS1) until the host
# quits QEMU. Kernel messages stay on ttyS0, so this channel carries nothing but the protocol.
#
# Protocol, one line each way (README.md has the full list):
#   host  -> guest   SEQ COMMAND [ARG...]        words split on blanks; no quoting
#   guest -> host    SEQ = DATA                  zero or more data lines
#                    SEQ OK | SEQ ERR MESSAGE    exactly one closing line
# At boot the guest sends "0 = hello ..." and "0 OK" before reading any command.
#
# Facts come from sysfs and /dev only, as the issue demands: "did the stick get a block device"
# is answered by /sys/block and /dev, not by asking the agent. Sysfs strings are percent-encoded
# (space, %, =) so a value never breaks the key=value split.

export PATH=/usr/sbin:/usr/bin:/sbin:/bin
CTL=/dev/ttyS1
AGENT_LOG=/var/log/mamori-agent.log
AGENT_PID=""
AGENT_RC=""

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# The kernel opens /dev/console for us only if the archive has the node; after devtmpfs it is
# there in any case.
exec </dev/console >/dev/console 2>&1
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
hostname -F /etc/hostname

say() { echo "e2e-init: $*"; }

module_failures=""
while read -r name params; do
  [ -n "$name" ] || continue
  # shellcheck disable=SC2086 # params are words by design
  modprobe "$name" $params || module_failures="$module_failures,$name"
done </etc/e2e/modules
module_failures=${module_failures#,}
[ -z "$module_failures" ] || say "modules that failed to load: $module_failures"

# ---- Helpers ------------------------------------------------------------------------------------

# enc STRING: percent-encode the characters that would break a key=value word.
enc() {
  case $1 in
    *[%\ =]*) printf '%s' "$1" | sed 's/%/%25/g; s/ /%20/g; s/=/%3D/g' ;;
    *) printf '%s' "$1" ;;
  esac
}

# rd FILE: first line of FILE, or empty. A builtin read: forks cost milliseconds under TCG.
rd() { RD=""; [ -r "$1" ] && read -r RD <"$1" 2>/dev/null; printf '%s' "$RD"; }

# Centiseconds since boot, without a fork. The "1" prefix keeps "08" from reading as octal.
now_cs() { read -r up _ </proc/uptime; NOW_CS=$(( ${up%.*} * 100 + 1${up#*.} - 100 )); }

# find_usb SERIAL: sets USB to the sysfs directory of the USB device with that serial.
find_usb() {
  USB=""
  for d in /sys/bus/usb/devices/*; do
    [ -f "$d/serial" ] || continue
    read -r s <"$d/serial" 2>/dev/null || continue
    if [ "$s" = "$1" ]; then USB=$d; return 0; fi
  done
  return 1
}

# owned_by NODE_SYSFS_DIR: true if the node sits below an interface of the device $USB. Interface
# directories are "DEV:CONFIG.IFACE", so a device behind a hub on DEV's port ("DEV.1:1.0") does
# not match "/DEV:".
owned_by() {
  case $(readlink -f "$1") in
    */"${USB##*/}":*) return 0 ;;
  esac
  return 1
}

# describe SERIAL: the facts for one device, as data lines.
#   usb present=1 dev=2-1 serial= vid= pid= authorized= configured= ifaces=08,03 drivers=...
#   block name=sda node=1 ro=0 size=16384          one per block device of the device
#   input name=event2 node=1                       one per input event device of the device
describe() {
  if ! find_usb "$1"; then
    echo "$SEQ = usb present=0 serial=$(enc "$1")"
    return
  fi
  ifaces="" drivers=""
  for i in "$USB"/"${USB##*/}":*; do
    [ -d "$i" ] || continue
    ifaces="$ifaces,$(rd "$i/bInterfaceClass")"
    if [ -L "$i/driver" ]; then
      drv=$(readlink "$i/driver"); drivers="$drivers,${drv##*/}"
    fi
  done
  echo "$SEQ = usb present=1 dev=${USB##*/} serial=$(enc "$1") vid=$(rd "$USB/idVendor")" \
    "pid=$(rd "$USB/idProduct") authorized=$(rd "$USB/authorized")" \
    "configured=$(rd "$USB/bConfigurationValue") ifaces=${ifaces#,} drivers=${drivers#,}"
  for b in /sys/block/sd*; do
    [ -e "$b" ] && owned_by "$b" || continue
    n=${b##*/}
    node=0; [ -b "/dev/$n" ] && node=1
    echo "$SEQ = block name=$n node=$node ro=$(rd "$b/ro") size=$(rd "$b/size")"
  done
  for e in /sys/class/input/event*; do
    [ -e "$e" ] && owned_by "$e" || continue
    n=${e##*/}
    node=0; [ -c "/dev/input/$n" ] && node=1
    echo "$SEQ = input name=$n node=$node"
  done
}

# holds CONDITION SERIAL: whether the condition is true now (status 2: no such condition).
holds() {
  [ "$1" = locked ] && { hubs_locked; return; }
  find_usb "$2"
  present=$?
  case $1 in
    present) [ $present -eq 0 ] ;;
    absent) [ $present -ne 0 ] ;;
    authorized) [ $present -eq 0 ] && [ "$(rd "$USB/authorized")" = 1 ] ;;
    deauthorized) [ $present -eq 0 ] && [ "$(rd "$USB/authorized")" = 0 ] && ! has_block ;;
    block) [ $present -eq 0 ] && has_block node ;;
    readonly) [ $present -eq 0 ] && has_block node ro ;;
    input) [ $present -eq 0 ] && has_input ;;
    *) return 2 ;;
  esac
}

# has_block [node [ro]]: $USB owns a block device (with its /dev node; read-only), if asked.
has_block() {
  for b in /sys/block/sd*; do
    [ -e "$b" ] && owned_by "$b" || continue
    [ "$1" = node ] && ! [ -b "/dev/${b##*/}" ] && continue
    [ "$2" = ro ] && [ "$(rd "$b/ro")" != 1 ] && continue
    return 0
  done
  return 1
}

# hubs_locked: every root hub holds new devices unauthorised (authorized_default=0).
hubs_locked() {
  for h in /sys/bus/usb/devices/usb*; do
    [ "$(rd "$h/authorized_default")" = 0 ] || return 1
  done
}

has_input() {
  for e in /sys/class/input/event*; do
    [ -e "$e" ] && owned_by "$e" && [ -c "/dev/input/${e##*/}" ] && return 0
  done
  return 1
}

agent_running() {
  [ -n "$AGENT_PID" ] || return 1
  # A SIGKILLed child stays a zombie until it is waited for, and kill -0 succeeds on zombies.
  read -r _ _ state _ <"/proc/$AGENT_PID/stat" 2>/dev/null || return 1
  [ "$state" != Z ]
}

# ---- Commands -----------------------------------------------------------------------------------
# cmd_NAME ARGS: print "$SEQ = ..." data lines and return 0 for OK; on failure set ERR_MSG and
# return non-zero. Command "foo-bar" runs cmd_foo_bar. Tests add commands by shipping
# /etc/e2e/guest.d/*.sh files that define more cmd_* functions.

cmd_ping() {
  read -r up _ </proc/uptime
  echo "$SEQ = pong uptime=$up"
}

# describe SERIAL
cmd_describe() { [ $# -eq 1 ] || { ERR_MSG="usage: describe SERIAL"; return 1; }; describe "$1"; }

# usb-devices: one line per USB device, root hubs included.
cmd_usb_devices() {
  for d in /sys/bus/usb/devices/*; do
    [ -f "$d/idVendor" ] || continue
    echo "$SEQ = usb dev=${d##*/} serial=$(enc "$(rd "$d/serial")") vid=$(rd "$d/idVendor")" \
      "pid=$(rd "$d/idProduct") authorized=$(rd "$d/authorized")" \
      "authorized_default=$(rd "$d/authorized_default")" \
      "configured=$(rd "$d/bConfigurationValue")"
  done
}

# wait MS CONDITION SERIAL: poll every 50 ms until CONDITION holds or MS milliseconds pass, then
# report "wait met=1|0 ms=ELAPSED" and the device's facts. CONDITION is one of present, absent,
# authorized, deauthorized (authorized=0 and no block device), block (a /dev/sdX node),
# readonly (a /dev/sdX node with ro=1), input (a /dev/input/eventN node), or locked (every root
# hub has authorized_default=0; SERIAL is then ignored). Not meeting the condition is not a
# protocol error: "no block device within 2 s" is exactly what some checks want.
cmd_wait() {
  [ $# -eq 3 ] || { ERR_MSG="usage: wait MS CONDITION SERIAL"; return 1; }
  holds "$2" "$3"
  [ $? -eq 2 ] && { ERR_MSG="unknown condition $2"; return 1; }
  now_cs; start=$NOW_CS
  limit=$(( start + $1 / 10 ))
  met=0
  while :; do
    if holds "$2" "$3"; then met=1; break; fi
    now_cs
    [ "$NOW_CS" -ge "$limit" ] && break
    usleep 50000
  done
  now_cs
  echo "$SEQ = wait met=$met ms=$(( (NOW_CS - start) * 10 ))"
  describe "$3"
}

# storage-probes: how often, since boot, the kernel bound usb-storage to an interface and
# attached a SCSI disk. The counts catch a block device that came and went between two polls
# (an agent that authorises first and revokes later), which sysfs no longer shows.
cmd_storage_probes() {
  dmesg >/tmp/klog
  echo "$SEQ = probes usb_storage=$(grep -c 'USB Mass Storage device detected' /tmp/klog)" \
    "scsi_disk=$(grep -c 'Attached SCSI' /tmp/klog)"
}

# io SERIAL MARKER: read the first sector of the device's disk, then write a sector starting
# with MARKER and flush it. The host can look for MARKER in the image file to prove whether
# the write reached the medium.
cmd_io() {
  [ $# -eq 2 ] || { ERR_MSG="usage: io SERIAL MARKER"; return 1; }
  find_usb "$1" || { ERR_MSG="no USB device with serial $1"; return 1; }
  dev=""
  for b in /sys/block/sd*; do
    [ -e "$b" ] && owned_by "$b" && { dev=/dev/${b##*/}; break; }
  done
  [ -n "$dev" ] && [ -b "$dev" ] || { ERR_MSG="device $1 has no block device"; return 1; }
  if out=$(dd if="$dev" of=/dev/null bs=512 count=1 2>&1); then read_ok=1; else read_ok=0; fi
  getro=$(blockdev --getro "$dev" 2>/dev/null)
  # conv=sync pads the marker to a whole sector; fsync makes a read-only device fail here even
  # if the kernel accepted the write into the page cache.
  if out=$(printf '%s' "$2" | dd of="$dev" bs=512 count=1 conv=sync,fsync 2>&1); then
    write_ok=1 err=""
  else
    write_ok=0 err=$(printf '%s' "$out" | head -n 1)
  fi
  echo "$SEQ = io dev=${dev#/dev/} read=$read_ok getro=$getro write=$write_ok err=$(enc "$err")"
}

# agent-start PROGRAM [ARG...]: run the agent in the background, output to $AGENT_LOG.
cmd_agent_start() {
  [ $# -ge 1 ] || { ERR_MSG="usage: agent-start PROGRAM [ARG...]"; return 1; }
  agent_running && { ERR_MSG="agent already running as $AGENT_PID"; return 1; }
  "$@" </dev/null >>"$AGENT_LOG" 2>&1 &
  AGENT_PID=$! AGENT_RC=""
  echo "$SEQ = agent pid=$AGENT_PID"
}

# agent-kill [SIGNAL]: signal the agent (default KILL) and reap it. killed=0 when it had
# already exited; rc is then its own exit status.
cmd_agent_kill() {
  [ -n "$AGENT_PID" ] || { ERR_MSG="no agent was started"; return 1; }
  killed=0
  if agent_running; then
    kill -"${1:-KILL}" "$AGENT_PID" 2>/dev/null && killed=1
  fi
  if [ -z "$AGENT_RC" ]; then wait "$AGENT_PID"; AGENT_RC=$?; fi
  echo "$SEQ = agent pid=$AGENT_PID running=0 killed=$killed rc=$AGENT_RC"
}

cmd_agent_status() {
  if agent_running; then
    echo "$SEQ = agent pid=$AGENT_PID running=1"
  else
    if [ -n "$AGENT_PID" ] && [ -z "$AGENT_RC" ]; then wait "$AGENT_PID"; AGENT_RC=$?; fi
    echo "$SEQ = agent pid=$AGENT_PID running=0 rc=$AGENT_RC"
  fi
}

# agent-log [LINES]: the agent's output so far (the last LINES lines, default all).
cmd_agent_log() {
  [ -f "$AGENT_LOG" ] || return 0
  if [ -n "$1" ]; then tail -n "$1" "$AGENT_LOG"; else cat "$AGENT_LOG"; fi |
    sed "s/^/$SEQ = /"
}

# run SECONDS PROGRAM [ARG...]: run a program in the foreground (e.g. "mamori-agent usb list"),
# return its output and exit code. SECONDS bounds it so a hung program cannot stall the test.
cmd_run() {
  [ $# -ge 2 ] || { ERR_MSG="usage: run SECONDS PROGRAM [ARG...]"; return 1; }
  t=$1; shift
  timeout "$t" "$@" </dev/null >/tmp/run.out 2>&1
  rc=$?
  sed "s/^/$SEQ = /" /tmp/run.out
  echo "$SEQ = rc=$rc"
}

# cat PATH: a file from the guest's sysfs, procfs or the agent's directories.
cmd_cat() {
  case $1 in
    /sys/*|/proc/*|/etc/mamori/*|/var/lib/mamori/*|/var/log/*) ;;
    *) ERR_MSG="cat: $1 is outside /sys /proc /etc/mamori /var/lib/mamori /var/log"; return 1 ;;
  esac
  [ -f "$1" ] || { ERR_MSG="no such file: $1"; return 1; }
  sed "s/^/$SEQ = /" "$1"
}

cmd_dmesg() { dmesg | tail -n "${1:-200}" | sed "s/^/$SEQ = /"; }

for f in /etc/e2e/guest.d/*.sh; do
  # shellcheck disable=SC1090
  [ -f "$f" ] && . "$f"
done

# ---- Serve --------------------------------------------------------------------------------------
# Raw mode: no echo of the host's commands, no CR/LF translation in either direction.
stty -F "$CTL" 115200 raw -echo
exec 3<>"$CTL"

read -r up _ </proc/uptime
SEQ=0
{
  echo "0 = hello uptime=$up kernel=$(uname -r) modules_failed=${module_failures:-none}"
  echo "0 OK"
} >&3
say "serving commands on $CTL"

while read -r SEQ name args <&3; do
  case $SEQ in ''|*[!0-9]*) continue ;; esac
  fn=cmd_$(printf '%s' "$name" | tr - _)
  ERR_MSG=""
  if type "$fn" >/dev/null 2>&1; then
    # shellcheck disable=SC2086 # args are words by design
    if $fn $args >/tmp/reply 2>/tmp/reply.err; then
      { cat /tmp/reply; echo "$SEQ OK"; } >&3
    else
      [ -n "$ERR_MSG" ] || ERR_MSG=$(head -n 1 /tmp/reply.err)
      { cat /tmp/reply; echo "$SEQ ERR ${ERR_MSG:-failed}"; } >&3
    fi
  else
    echo "$SEQ ERR unknown command $name" >&3
  fi
done
say "control channel closed"
# PID 1 must not exit: the kernel would panic. Wait for the host to quit QEMU.
while :; do sleep 3600; done
