#!/usr/bin/env bash
# The Windows installer under wine: builds installer/windows/mamori-agent.wxs with wixl around
# the given agent executable, then in a wine prefix of its own (removed afterwards) installs it
# silently the way GPO / Intune / SCCM would, upgrades it in place with a newer version, and
# uninstalls it, checking the files, the MamoriAgent service, its recovery settings and the
# configuration in wine's registry after each step.
#
#   msi_test.sh EXE [VERSION [UPGRADE_VERSION]]     (versions default to 0.1.0 and 0.2.0)
#
# Prints `msi: ok <what>` / `msi: FAIL <what>` per check and ends with
# `msi: N passed, M failed`; exits 1 on any failure. Fails, never skips, when wixl, wine or the
# executable is missing.
set -euo pipefail

exe=${1:?usage: msi_test.sh EXE [VERSION [UPGRADE_VERSION]]}
version=${2:-0.1.0}
upgrade_version=${3:-0.2.0}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
wxs=$here/../../installer/windows/mamori-agent.wxs
source "$here/../../scripts/lib/wine.sh"

collector=https://collector.example.lg.jp:8443
collector_ca='\\fileserver\mamori\collector-ca.crt'
token=tok-abc
segment=lgwan
service_key='HKLM\System\CurrentControlSet\Services\MamoriAgent'
config_key='HKLM\SOFTWARE\mamori\Agent'
uninstall_key='HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall'
# The recovery settings the .wxs writes: reset after a day, restart after 5 s, 30 s, 60 s.
failure_actions=8051010000000000000000000300000014000000010000008813000001000000307500000100000060EA0000

command -v wixl >/dev/null || { echo "msi_test: wixl is missing (apt-get install wixl)" >&2; exit 1; }
[[ -f $exe ]] || { echo "msi_test: $exe is missing (make windows)" >&2; exit 1; }
[[ -f $wxs ]] || { echo "msi_test: $wxs is missing" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/mamori-msi.XXXXXX")
cleanup() {
  wine_prefix_remove
  rm -rf "$work"
}
trap cleanup EXIT

exec 3>&1  # for what runs under check, whose own output is discarded
passed=0
failed=0
check() {  # check WHAT COMMAND...: runs the command quietly, records and prints the verdict
  local what=$1
  shift
  if "$@" >/dev/null 2>&1; then
    echo "msi: ok $what"
    passed=$((passed + 1))
  else
    echo "msi: FAIL $what"
    failed=$((failed + 1))
  fi
}

w() { "$wine" "$@" 2>/dev/null | tr -d '\r'; }  # wine's console output has CRLF line ends

# reg_value KEY NAME: prints "TYPE DATA" of one value, nothing when the key or value is absent.
reg_value() {
  w reg query "$1" /v "$2" | awk -v name="$2" '$1 == name { $1 = ""; sub(/^ +/, ""); print; exit }'
}
reg_is() { [[ $(reg_value "$1" "$2") == "$3" ]]; }  # reg_is KEY NAME "TYPE DATA"
reg_has_key() { w reg query "$1" | grep -q .; }      # wine's reg prints nothing for a missing key

# The installed products named "mamori agent", one "DisplayVersion" per line, from the
# Add/Remove Programs entries msiexec writes (one per registered ProductCode).
installed_versions() {
  w reg query "$uninstall_key" /s | awk '
    /^HKEY_/ { if (name == "mamori agent") print version; name = ""; version = ""; next }
    $1 == "DisplayName" { $1 = ""; $2 = ""; sub(/^ +/, ""); name = $0 }
    $1 == "DisplayVersion" { version = $3 }
    END { if (name == "mamori agent") print version }'
}
installed_is() { [[ $(installed_versions) == "$1" ]]; }

service_running() { w sc query MamoriAgent | grep -q 'STATE *: *4 *RUNNING'; }
image_path_ok() {
  local path
  path=$(reg_value "$service_key" ImagePath)
  [[ $path == *'Program Files\mamori\mamori-agent.exe'* && $path == *' service' ]]
}

# msiexec ACTION-ARGS...: runs msiexec silently with a verbose log, prints its wall time.
msiexec() {
  local what=$1 log=$work/$1.log started rc=0
  shift
  started=$EPOCHREALTIME
  "$wine" msiexec "$@" /qn /l*v "$log" >/dev/null 2>&1 || rc=$?
  echo "msi: $what took $(elapsed_since "$started") s (msiexec exit $rc)" >&3
  return "$rc"
}

# build VERSION: the MSI for VERSION around $exe. wixl 0.101 cannot take an absolute File
# Source (it looks files up relative to its working directory), so it runs in a staging
# directory holding a copy of the executable.
build() {
  local stage=$work/stage
  mkdir -p "$stage"
  cp "$exe" "$stage/mamori-agent.exe"
  (cd "$stage" && wixl -a x64 -D Version="$1" -D AgentExe=mamori-agent.exe \
    -o "$work/mamori-agent-$1.msi" "$wxs")
}

echo "msi: wixl $(wixl --version), $("$wine" --version)"
check "wixl builds mamori-agent-$version.msi" build "$version"
check "wixl builds mamori-agent-$upgrade_version.msi" build "$upgrade_version"
[[ -f $work/mamori-agent-$version.msi && -f $work/mamori-agent-$upgrade_version.msi ]] || {
  echo "msi: $passed passed, $failed failed"
  exit 1
}

# A fresh prefix reporting Windows 10, its wineserver ended after set-up, so that the install's
# StartServices does not meet services.exe's start-up lock and roll back (scripts/lib/wine.sh).
started=$EPOCHREALTIME
wine_prefix_start "$work/prefix"
echo "msi: wine prefix ready in $(elapsed_since "$started") s"
program_dir=$WINEPREFIX/drive_c/Program\ Files/mamori

# --- Install, as a deployment tool would ------------------------------------------------------
check "install $version (msiexec /i /qn with COLLECTOR_URL, COLLECTOR_CA, ENROLL_TOKEN, SEGMENT)" \
  msiexec install /i "$work/mamori-agent-$version.msi" \
  COLLECTOR_URL=$collector COLLECTOR_CA="$collector_ca" ENROLL_TOKEN=$token SEGMENT=$segment
check "mamori-agent.exe installed in Program Files\\mamori" test -f "$program_dir/mamori-agent.exe"
check "service MamoriAgent registered: ImagePath runs mamori-agent.exe service" image_path_ok
check "service starts automatically (Start 0x2)" reg_is "$service_key" Start "REG_DWORD 0x2"
check "service runs in its own process (Type 0x10)" reg_is "$service_key" Type "REG_DWORD 0x10"
check "service runs as LocalSystem" reg_is "$service_key" ObjectName "REG_SZ LocalSystem"
check "service error control normal (ErrorControl 0x1)" reg_is "$service_key" ErrorControl "REG_DWORD 0x1"
check "service recovery: FailureActions REG_BINARY restart 5 s / 30 s / 60 s" \
  reg_is "$service_key" FailureActions "REG_BINARY $failure_actions"
check "service recovery also on error exits (FailureActionsOnNonCrashFailures 0x1)" \
  reg_is "$service_key" FailureActionsOnNonCrashFailures "REG_DWORD 0x1"
check "service started by the install" service_running
check "CollectorUrl written" reg_is "$config_key" CollectorUrl "REG_SZ $collector"
check "CollectorCa written" reg_is "$config_key" CollectorCa "REG_SZ $collector_ca"
check "Segment written" reg_is "$config_key" Segment "REG_SZ $segment"
# The token is one-shot: the agent takes it out of the registry when the install starts the
# service (a stand-in executable leaves it there). So the install log shows it was written,
# and the registry holds either exactly that value or nothing.
check "EnrollToken written under Agent\\Enrollment" \
  grep -aq 'Agent\\Enrollment, Name: EnrollToken' "$work/install.log"
token_written_or_taken() {
  local value
  value=$(reg_value "$config_key\\Enrollment" EnrollToken)
  if [[ -z $value ]]; then
    echo "msi: EnrollToken already taken out of the registry by the agent" >&3
  else
    echo "msi: EnrollToken still in the registry (the agent has not taken it)" >&3
    [[ $value == "REG_SZ $token" ]]
  fi
}
check "EnrollToken is the given token or was taken by the agent" token_written_or_taken
# wine's msi ignores MsiHiddenProperties and logs the token anyway; Windows Installer masks
# the listed properties. The log shows the package declares it.
check "ENROLL_TOKEN declared hidden (MsiHiddenProperties)" \
  grep -aq 'MsiHiddenProperties = ENROLL_TOKEN' "$work/install.log"
check "one mamori agent product registered, version $version" installed_is "$version"

# --- Upgrade in place, without repeating the properties ---------------------------------------
check "upgrade to $upgrade_version (msiexec /i /qn, no properties)" \
  msiexec upgrade /i "$work/mamori-agent-$upgrade_version.msi"
check "one mamori agent product registered, version $upgrade_version" installed_is "$upgrade_version"
check "mamori-agent.exe still installed" test -f "$program_dir/mamori-agent.exe"
check "service still registered with its recovery settings" \
  reg_is "$service_key" FailureActions "REG_BINARY $failure_actions"
check "service running after the upgrade" service_running
check "CollectorUrl kept across the upgrade" reg_is "$config_key" CollectorUrl "REG_SZ $collector"
check "CollectorCa kept across the upgrade" reg_is "$config_key" CollectorCa "REG_SZ $collector_ca"
check "Segment kept across the upgrade" reg_is "$config_key" Segment "REG_SZ $segment"
# The token is one-shot and not remembered: the upgrade leaves at most an empty value.
token_gone() { [[ $(reg_value "$config_key\\Enrollment" EnrollToken) != *"$token"* ]]; }
check "EnrollToken not carried over by the upgrade" token_gone

# --- Downgrade refused --------------------------------------------------------------------------
refused() { ! msiexec downgrade /i "$work/mamori-agent-$version.msi"; }
check "installing $version over $upgrade_version is refused" refused
check "still one product, version $upgrade_version" installed_is "$upgrade_version"

# --- Uninstall ----------------------------------------------------------------------------------
check "uninstall (msiexec /x /qn)" msiexec uninstall /x "$work/mamori-agent-$upgrade_version.msi"
check "mamori-agent.exe removed" test ! -e "$program_dir/mamori-agent.exe"
# When it is still there (seen about once in five runs, not yet understood): what wine's msi
# made of it, for the next person to read.
if [[ -e $program_dir/mamori-agent.exe ]]; then
  echo "msi: pending renames: $(w reg query 'HKLM\System\CurrentControlSet\Control\Session Manager' /v PendingFileRenameOperations | tr '\n' ' ')"
  echo "msi: agent processes: $(pgrep -af 'mamori-agent.exe' | tr '\n' ' ')"
  echo "msi: the uninstall log on the file:"
  grep -a -i 'mamori-agent.exe\|RemoveFiles\|StopServices\|in use' "$work/uninstall.log" | tail -n 15 | sed 's/^/msi:   /' || true
fi
check "Program Files\\mamori removed" test ! -e "$program_dir"
no_key() { ! reg_has_key "$1"; }
check "service MamoriAgent removed (no service key)" no_key "$service_key"
check "HKLM\\SOFTWARE\\mamori\\Agent removed" no_key "$config_key"
check "no mamori agent product registered" installed_is ""

echo "msi: $passed passed, $failed failed"
((failed == 0))
