#!/usr/bin/env bash
# Installs the Debian 12 packages mamori needs to build, test and demo.
# Idempotent: asks apt only for what is missing, so a warm machine pays nothing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git clang-format
  libboost1.81-dev libboost-json1.81-dev libboost-program-options1.81-dev
  libssl-dev doctest-dev dpkg
  libdpkg-dev   # dpkg's own version comparison, for the differential test
  libpam0g-dev libpam-wrapper  # the real libpam dispatcher, for the PAM differential test
  libpoco-dev libsqlite3-dev libpq-dev  # HTTPS, Poco::Data (SQLite, PostgreSQL), the agent's outbox
  postgresql-15                  # the storage tests run against a real PostgreSQL 15 cluster
  freeradius freeradius-rest freeradius-utils  # rlm_rest and radclient for the RADIUS test
  curl jq openssl sqlite3 iproute2  # the integration tests drive the collector as a client would
  nftables libnftables-dev  # quarantine on the PC: mamori's table through libnftables
  libsystemd-dev  # sd_notify: the agent is a Type=notify service with a watchdog
  lintian         # the Debian packages are checked as Debian checks its own
  debootstrap     # ...and installed into a clean Debian 12 system,
  systemd-container  # which systemd-nspawn boots with systemd as PID 1
  python3-securesystemslib  # another TUF implementation checks mamori's signatures, and signs for it
  # The USB e2e test (tests/e2e/usb) boots Debian's own kernel in QEMU with a busybox initramfs;
  # kmod resolves and indexes its modules, python3 drives QMP. linux-image-amd64 pulls in
  # initramfs-tools, whose first run costs about a minute.
  qemu-system-x86 linux-image-amd64 busybox-static cpio kmod python3
  # The Windows build: mingw-w64 (posix threads) cross-compiles it, wine64 runs its tests, wixl
  # builds the MSI that wine's msiexec installs.
  g++-mingw-w64-x86-64-posix mingw-w64-x86-64-dev wine64 wixl
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
  [[ "$status" == ii* ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "install-deps: missing packages: ${missing[*]} (run as root, or install them)" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
