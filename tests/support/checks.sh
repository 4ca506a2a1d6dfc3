# The checks of the shell tests: each prints "<label>: ok ..." or "<label>: FAIL ..." and is
# counted; check_summary prints "<label>: N passed, M failed" (what ctest's pass pattern reads)
# and fails when anything did. Sourced; the caller sets check_label first.

check_passed=0 check_failed=0

check() {  # DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@"; then
    echo "$check_label: ok $what"
    check_passed=$((check_passed + 1))
  else
    echo "$check_label: FAIL $what"
    check_failed=$((check_failed + 1))
  fi
}

check_summary() {
  echo "$check_label: $check_passed passed, $check_failed failed"
  ((check_failed == 0))
}
