# Wine for the Windows build's tests (scripts/wine_tests.sh, tests/windows/msi_test.sh): one
# throw-away prefix per run, reporting Windows 10, removed on exit. Source it, then call
# wine_prefix_start DIR.

wine=/usr/lib/wine/wine64  # Debian's wine64 puts no wine64 on PATH
wineserver=/usr/lib/wine/wineserver

# elapsed_since STARTED: seconds since $EPOCHREALTIME was STARTED, one decimal.
elapsed_since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

# wine_prefix_start DIR: a fresh prefix in DIR (the caller traps wine_prefix_remove). Waits for the wineserver to end after set-up: right after wineboot, services.exe
# still holds its start-up lock, and a service started then fails with
# ERROR_SERVICE_DATABASE_LOCKED (1055).
wine_prefix_start() {
  [[ -x $wine ]] || { echo "wine: $wine is missing (apt-get install wine64)" >&2; exit 1; }
  export WINEPREFIX=$1 WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
  "$wine" wineboot --init >/dev/null 2>&1
  "$wine" winecfg -v win10 >/dev/null 2>&1
  "$wineserver" -w
}

# wine_prefix_remove: stops the prefix's wineserver and removes the prefix.
wine_prefix_remove() {
  [[ -n ${WINEPREFIX:-} ]] || return 0
  "$wineserver" -k >/dev/null 2>&1 || true
  rm -rf "$WINEPREFIX"
}
