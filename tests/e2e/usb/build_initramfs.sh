#!/usr/bin/env bash
# Builds the initramfs of the USB e2e guest: busybox-static, Debian's own USB/SCSI/HID modules
# for the installed kernel, tests/e2e/usb/guest_init.sh as /init, and any host files the test
# names (the agent binary) together with the shared libraries they load, at the same paths.
#
# Usage: build_initramfs.sh -o OUT.cpio [-k KVER] [--file SRC[:DEST]]... [--config DIR]
#                           [--overlay DIR]... [--strip]
#   -o OUT        the archive to write (uncompressed newc cpio: booting is faster under TCG
#                 when the guest does not have to decompress it)
#   -k KVER       kernel version (default: the newest one with both /boot/vmlinuz-KVER and
#                 /lib/modules/KVER)
#   --file S[:D]  copy host file or directory S to D in the guest (default D = S). Every ELF
#                 file copied brings its ldd closure to the same paths, and libcrypto brings
#                 OpenSSL's configuration and provider modules, which it dlopens.
#   --config DIR  copy the contents of DIR to /etc/mamori
#   --overlay DIR copy the contents of DIR onto / (test-specific guest commands go to
#                 /etc/e2e/guest.d/*.sh, see guest_init.sh)
#   --strip       strip debug sections from the ELF files given with --file (a RelWithDebInfo
#                 agent is ~40 MB, ~4 MB stripped; every MB is copied by an emulated CPU)
#
# Needs root for the /dev/console node; without it the guest's /init still finds its console
# once it has mounted devtmpfs, but early kernel-to-init output is lost.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out="" kver="" config="" strip=0
files=() overlays=()

die() { echo "build_initramfs: $*" >&2; exit 1; }

while (($#)); do
  case $1 in
    -o) out=$2; shift 2 ;;
    -k) kver=$2; shift 2 ;;
    --file) files+=("$2"); shift 2 ;;
    --config) config=$2; shift 2 ;;
    --overlay) overlays+=("$2"); shift 2 ;;
    --strip) strip=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    *) die "unknown argument: $1" ;;
  esac
done
[[ -n "$out" ]] || die "-o OUT is required"

if [[ -z "$kver" ]]; then
  for m in $(printf '%s\n' /lib/modules/*/ | sort -V -r); do
    k=$(basename "$m")
    if [[ -r /boot/vmlinuz-$k && -f /lib/modules/$k/modules.dep ]]; then kver=$k; break; fi
  done
  [[ -n "$kver" ]] || die "no kernel with /boot/vmlinuz-KVER and /lib/modules/KVER (install linux-image-amd64)"
fi
moddir=/lib/modules/$kver
[[ -f $moddir/modules.dep ]] || die "no modules for kernel $kver in $moddir"

busybox=/bin/busybox
# ldd fails on a static binary, which is what the guest needs: it has no libc of its own.
if [[ ! -x $busybox ]] || ldd "$busybox" >/dev/null 2>&1; then
  die "$busybox is missing or not static (install busybox-static)"
fi

stage=$(mktemp -d "${TMPDIR:-/tmp}/mamori-initramfs.XXXXXX")
trap 'rm -rf "$stage"' EXIT

# ---- Skeleton ----------------------------------------------------------------------------------
# Debian 12 is merged-/usr: ldd prints /lib/x86_64-linux-gnu/... and the interpreter is
# /lib64/ld-linux-x86-64.so.2. The same symlinks in the guest make every host path valid there.
mkdir -p "$stage"/usr/{bin,sbin,lib,lib64} "$stage"/{dev,proc,sys,tmp,run,root}
mkdir -p "$stage"/etc/{e2e/guest.d,mamori} "$stage"/var/{lib/mamori,log}
for d in bin sbin lib lib64; do ln -s "usr/$d" "$stage/$d"; done
chmod 1777 "$stage/tmp"
if [[ $(id -u) -eq 0 ]]; then
  mknod -m 600 "$stage/dev/console" c 5 1
else
  echo "build_initramfs: not root, no /dev/console node in the archive" >&2
fi

cp "$busybox" "$stage/usr/bin/busybox"
for applet in $("$busybox" --list-full); do
  # --list-full names bin/, sbin/, usr/bin/, usr/sbin/; all land in /usr through the symlinks.
  [[ -e "$stage/$applet" || -L "$stage/$applet" ]] || ln -s /usr/bin/busybox "$stage/$applet"
done

cat >"$stage/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >"$stage/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
EOF
# glibc >= 2.34 has the files backend built in: no libnss_*.so to copy for these.
printf 'passwd: files\ngroup: files\nshadow: files\nhosts: files\n' >"$stage/etc/nsswitch.conf"
printf '127.0.0.1 localhost\n' >"$stage/etc/hosts"
echo mamori-e2e >"$stage/etc/hostname"

install -m 755 "$here/guest_init.sh" "$stage/init"

# ---- Kernel modules ----------------------------------------------------------------------------
# Loaded in this order by /init; "name params" per line. busybox modprobe ignores softdeps, so
# the CRC providers that t10-pi (and so sd_mod) need are listed before sd_mod. delay_use=0 stops
# usb-storage from sleeping 1 s before scanning a new stick, which would only slow the test.
modules=(
  "crct10dif_generic"
  "crc64_rocksoft_generic"
  "xhci_pci"
  "usb_storage delay_use=0"
  "uas"
  "sd_mod"
  "usbhid"
  "hid_generic"
  "evdev"
)
: >"$stage/etc/e2e/modules"
for entry in "${modules[@]}"; do
  name=${entry%% *}
  # The host's kmod resolves dependencies and softdeps; copy exactly that closure.
  modprobe -S "$kver" --show-depends "$name" | awk '$1 == "insmod" {print $2}' |
    while read -r ko; do
      [[ -e "$stage$ko" ]] || install -D -m 644 "$ko" "$stage$ko"
    done
  echo "$entry" >>"$stage/etc/e2e/modules"
done
for f in modules.order modules.builtin modules.builtin.modinfo; do
  [[ -f $moddir/$f ]] && cp "$moddir/$f" "$stage$moddir/"
done
depmod -b "$stage" "$kver"
echo "$kver" >"$stage/etc/e2e/kernel-version"

# ---- Host files and their shared libraries -----------------------------------------------------
is_elf() { [[ -f "$1" && $(od -An -tx1 -N4 "$1" 2>/dev/null | tr -d ' ') == 7f454c46 ]]; }

# copy_host SRC DEST: SRC's content (symlinks resolved) at DEST inside the stage.
copy_host() {
  mkdir -p "$stage$(dirname "$2")"
  cp -L --remove-destination "$1" "$stage$2"
}

declare -A copied=()
# copy_closure FILE: every library ldd resolves for FILE, at the path ldd printed, plus the
# files that such a library dlopens at run time.
copy_closure() {
  local lib
  # "libx.so => /path (0x...)" and "/lib64/ld-linux-x86-64.so.2 (0x...)"; static binaries and
  # scripts make ldd fail, and then there is nothing to copy.
  for lib in $(ldd "$1" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}'); do
    [[ -n "${copied[$lib]:-}" ]] && continue
    copied[$lib]=1
    copy_host "$lib" "$lib"
    case $lib in
      */libcrypto.so.*) copy_openssl_extras "$(dirname "$lib")" ;;
    esac
  done
}

# OpenSSL 3 reads its configuration and loads provider/engine modules with dlopen; ldd does
# not see them. Missing openssl.cnf is tolerated by libcrypto, a missing provider is not.
copy_openssl_extras() {
  local libdir=$1 f
  [[ -f /etc/ssl/openssl.cnf ]] && copy_host /etc/ssl/openssl.cnf /etc/ssl/openssl.cnf
  for f in "$libdir"/ossl-modules/*.so "$libdir"/engines-3/*.so; do
    [[ -f "$f" ]] || continue
    copy_host "$f" "$f"
    copy_closure "$f"
  done
}

add_file() {
  local src=$1 dest=$2
  if [[ -d "$src" ]]; then
    mkdir -p "$stage$dest"
    cp -a --remove-destination "$src/." "$stage$dest/"
    while IFS= read -r -d '' f; do
      is_elf "$f" && copy_closure "$f"
    done < <(find "$src" -type f -print0)
    return
  fi
  [[ -f "$src" ]] || die "no such file: $src"
  copy_host "$src" "$dest"
  if is_elf "$src"; then
    ((strip)) && strip --strip-debug "$stage$dest"
    copy_closure "$src"
  fi
}

for spec in "${files[@]}"; do
  src=${spec%%:*}
  dest=${spec#*:}
  [[ "$spec" == *:* ]] || dest=$src
  [[ "$dest" == /* ]] || die "--file destination must be absolute: $spec"
  add_file "$src" "$dest"
done

if [[ -n "$config" ]]; then
  [[ -d "$config" ]] || die "--config: no such directory: $config"
  cp -a "$config/." "$stage/etc/mamori/"
fi
for o in "${overlays[@]}"; do
  [[ -d "$o" ]] || die "--overlay: no such directory: $o"
  cp -a --remove-destination "$o/." "$stage/"
done

# ---- Archive -----------------------------------------------------------------------------------
# Root-owned entries whatever the caller's files say: the guest runs everything as root.
(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$out.tmp"
mv "$out.tmp" "$out"
echo "build_initramfs: $out ($(du -h "$out" | cut -f1), kernel $kver)" >&2
