#!/usr/bin/env bash
# `make demo`: first the agent's checks (this machine, then sample staff PCs), then the collector
# and network admission on loopback (enrollment, a report, FreeRADIUS).
set -euo pipefail
build=${1:-build}
here=$(dirname "$0")
bash "$here/demo_check.sh" "$build"
echo
bash "$here/demo_admission.sh" "$build"
