# A clean Debian 12 for the package tests, made once with debootstrap from Debian's mirror and
# cached as tarballs in ${MAMORI_TEST_CACHE:-/var/cache/mamori-tests}:
#   minbase  dpkg, apt and debconf: what `debootstrap --variant=minbase bookworm` makes
#   systemd  minbase with systemd-sysv and dbus, to boot with systemd as PID 1 (systemd-nspawn)
# Sourced after scripts/lib/lab.sh (lab_say, lab_fail); uses the caller's temp directory $T.

debian_cache=${MAMORI_TEST_CACHE:-/var/cache/mamori-tests}

# Makes the cached tarball of FLAVOUR if it is missing; sets debian_tar to its path.
debian_base_tar() {  # minbase | systemd
  local flavour=$1 base=$T/debian-base-$1
  debian_tar=$debian_cache/bookworm-$flavour.tar
  [[ -s $debian_tar ]] && return 0
  mkdir -p "$debian_cache"
  rm -rf "$base" && mkdir -p "$base"
  if [[ $flavour == minbase ]]; then
    lab_say "making a Debian 12 base system with debootstrap (once; cached in $debian_tar)"
    debootstrap --variant=minbase bookworm "$base" http://deb.debian.org/debian \
      >"$T/debootstrap.log" 2>&1 || lab_fail "debootstrap failed: $(tail -n 5 "$T/debootstrap.log")"
  else
    debian_base_tar minbase
    tar -C "$base" -xf "$debian_tar"
    cp /etc/resolv.conf "$base/etc/resolv.conf"
    mount -t proc proc "$base/proc"
    chroot "$base" env DEBIAN_FRONTEND=noninteractive sh -c \
      'apt-get update -qq && apt-get install -y -qq --no-install-recommends systemd-sysv dbus' \
      >"$T/systemd.log" 2>&1 || { umount "$base/proc"; lab_fail "installing systemd: $(tail -n 5 "$T/systemd.log")"; }
    umount "$base/proc"
    debian_tar=$debian_cache/bookworm-$flavour.tar
  fi
  tar -C "$base" -cf "$debian_tar.new" . && mv "$debian_tar.new" "$debian_tar"
  rm -rf "$base"
}

# A fresh system of FLAVOUR in DIR, as after its first boot: debootstrap leaves
# /etc/machine-id empty for the first boot to fill, and the PC enrolls with it.
debian_root() {  # FLAVOUR DIR
  debian_base_tar "$1"
  mkdir -p "$2"
  tar -C "$2" -xf "$debian_tar"
  cp /etc/resolv.conf "$2/etc/resolv.conf"
  od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >"$2/etc/machine-id"
}
