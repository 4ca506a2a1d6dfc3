#!/usr/bin/env bash
# Runs the Windows build's doctest executable under wine (ctest `windows.wine`), in a wine prefix
# of its own that is removed afterwards, with wine reporting Windows 10. Prints how many test
# cases ran under wine. Fails, never skips, when wine or the executable is missing: `make test`
# builds both.
#
#   wine_tests.sh build-windows/tests/windows/mamori_windows_test.exe [doctest options]
set -euo pipefail
exe=${1:?usage: wine_tests.sh EXE [doctest options]}
shift
source "$(dirname "$0")/lib/wine.sh"
[[ -f $exe ]] || { echo "wine_tests: $exe is missing (make windows)" >&2; exit 1; }

started=$EPOCHREALTIME
trap wine_prefix_remove EXIT
wine_prefix_start "$(mktemp -d "${TMPDIR:-/tmp}/mamori-wine.XXXXXX")"
prefix=$WINEPREFIX
log=$prefix/doctest.log
set +e
"$wine" "$exe" "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
summary=$(grep -E '^\[doctest\] test cases:' "$log" | tail -n 1 || true)
read -r run passed failed < <(sed -E 's/.*test cases: *([0-9]+) *\| *([0-9]+) passed *\| *([0-9]+) failed.*/\1 \2 \3/' <<<"$summary") || true
echo "wine: ${run:-0} test cases run under wine (${passed:-0} passed, ${failed:-0} failed)" \
  "in $(elapsed_since "$started") s"
if ((rc == 0 && ${run:-0} == 0)); then
  echo "wine_tests: no test case ran" >&2
  exit 1
fi
exit "$rc"
