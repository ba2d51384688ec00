#!/bin/sh
# Builds the Debian 12 cloud guest disk that the simulator's `qemu` guest mode boots
# (docs/pve-simulator.md, "Real guests"). Debian packages only, through debootstrap: a stand-in
# for Debian's genericcloud image plus every package in infra/proxmox/template-packages.txt, the
# list infra/proxmox/build-templates.sh installs into the production template. No SSH host keys
# and an empty machine-id, like the cloud image: cloud-init makes both on the first boot.
#
# Output (printed as the last line on stdout): a directory holding
#   disk.qcow2   MBR disk, one ext4 partition labelled betang-root (2 GiB; cloud-init grows it)
#   vmlinuz, initrd.img, cmdline   the guest kernel for qemu's direct kernel boot
#   packages.txt                   dpkg -l of the image
# Cached under $BETANG_GUEST_IMAGE_CACHE (default /var/cache/betang/guest-image) in a directory
# named after a hash of this script and the package list: changing either builds a new image,
# an unchanged pair exits at once. Concurrent runs wait for one build. Needs root (debootstrap,
# chroot) and the Debian mirror once (about 3–5 minutes cold).
#
#   BETANG_DEBIAN_MIRROR  Debian mirror (default: the first bookworm mirror in the machine's apt sources)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
LIST="$repo/infra/proxmox/template-packages.txt"
CACHE="${BETANG_GUEST_IMAGE_CACHE:-/var/cache/betang/guest-image}"
SUITE=bookworm
DISK_MIB=2048
# What Debian's genericcloud image has besides the template list: its cloud kernel, its network
# stack (ifupdown, which cloud-init's ENI renderer writes for), its base system; plus
# python3-cffi-backend, a virtual dependency debootstrap cannot resolve on its own.
BASE=linux-image-cloud-amd64,ifupdown,isc-dhcp-client,systemd-sysv,dbus,udev,iproute2,netbase,procps,ca-certificates,locales,initramfs-tools,e2fsprogs,nftables,iptables,python3-apt,python3-cffi-backend,less

log() { echo "[build-guest-image] $*" >&2; }

packages=$(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$LIST" | grep -v '^$' | paste -sd, -)
key=$(cat "$0" "$LIST" | sha256sum | cut -c1-16)
OUT="$CACHE/$key"

if [ -s "$OUT/disk.qcow2" ]; then
  log "cached: $OUT"
  echo "$OUT"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  log "must run as root (debootstrap, chroot)"
  exit 1
fi

missing=""
command -v debootstrap >/dev/null 2>&1 || missing="$missing debootstrap"
command -v qemu-img >/dev/null 2>&1 || missing="$missing qemu-utils"
command -v sfdisk >/dev/null 2>&1 || missing="$missing fdisk"
command -v mke2fs >/dev/null 2>&1 || missing="$missing e2fsprogs"
if [ -n "$missing" ]; then
  log "installing:$missing"
  # shellcheck disable=SC2086
  flock /tmp/betang-apt.lock sh -c "apt-get install -y -q --no-install-recommends $missing || { apt-get update -q && apt-get install -y -q --no-install-recommends $missing; }" >&2
fi

# shellcheck source=packages/guest/scripts/debian-mirror.sh disable=SC1091
. "$repo/packages/guest/scripts/debian-mirror.sh"
mirror=$(debian_mirror "$SUITE")

mkdir -p "$CACHE"
exec 9>"$CACHE/build.lock"
flock 9
if [ -s "$OUT/disk.qcow2" ]; then
  log "cached (built by a concurrent run): $OUT"
  echo "$OUT"
  exit 0
fi

work=$(mktemp -d /var/tmp/betang-guest-image.XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM
root="$work/root"
log "debootstrap $SUITE from $mirror with the template packages ($packages) (3–5 minutes cold)"
# Downloaded packages are kept for the next build (a changed list reuses most of them).
mkdir -p "$CACHE/debs"
debootstrap --variant=minbase --cache-dir="$CACHE/debs" --include="$BASE,$packages" "$SUITE" "$root" "$mirror" >"$work/debootstrap.log" 2>&1 || {
  tail -n 40 "$work/debootstrap.log" >&2
  log "debootstrap failed"
  exit 1
}

log "preparing the image"
echo localhost >"$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
# Every clone must get its own machine-id and host keys on its first boot.
: >"$root/etc/machine-id"
rm -f "$root/var/lib/dbus/machine-id" "$root"/etc/ssh/ssh_host_*
rm -rf "$root/var/lib/cloud"
printf 'LABEL=betang-root\t/\text4\terrors=remount-ro\t0\t1\n' >"$root/etc/fstab"
# cloud-init's ENI renderer writes interfaces.d/50-cloud-init (as on the cloud image).
printf 'auto lo\niface lo inet loopback\n\nsource /etc/network/interfaces.d/*\n' >"$root/etc/network/interfaces"
printf 'deb %s %s main\ndeb %s %s-updates main\ndeb http://deb.debian.org/debian-security %s-security main\n' \
  "$mirror" "$SUITE" "$mirror" "$SUITE" "$SUITE" >"$root/etc/apt/sources.list"
sed -i 's/^# *en_US.UTF-8 UTF-8/en_US.UTF-8 UTF-8/' "$root/etc/locale.gen"
chroot "$root" locale-gen >/dev/null
echo 'LANG=en_US.UTF-8' >"$root/etc/default/locale"
# shellcheck disable=SC2016 # dpkg-query's own format fields
chroot "$root" dpkg-query -W -f '${Package} ${Version}\n' >"$work/packages.txt"
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/var/log/*.log

kernel=$(find "$root/boot" -maxdepth 1 -name 'vmlinuz-*' | sort -V | tail -n1)
initrd=$(find "$root/boot" -maxdepth 1 -name 'initrd.img-*' | sort -V | tail -n1)
if [ -z "$kernel" ] || [ -z "$initrd" ]; then
  log "no kernel or initrd in /boot of the image"
  exit 1
fi

log "making the disk ($DISK_MIB MiB, MBR, ext4 from 1 MiB)"
truncate -s "${DISK_MIB}M" "$work/disk.raw"
printf 'label: dos\nstart=2048, type=83, bootable\n' | sfdisk -q "$work/disk.raw"
mke2fs -q -t ext4 -L betang-root -d "$root" -E offset=1048576 "$work/disk.raw" "$((DISK_MIB - 1))M"
qemu-img convert -f raw -O qcow2 "$work/disk.raw" "$work/disk.qcow2"

mkdir -p "$OUT.part"
cp "$kernel" "$OUT.part/vmlinuz"
cp "$initrd" "$OUT.part/initrd.img"
echo 'root=LABEL=betang-root ro console=ttyS0,115200 consoleblank=0' >"$OUT.part/cmdline"
mv "$work/packages.txt" "$OUT.part/packages.txt"
mv "$work/disk.qcow2" "$OUT.part/disk.qcow2"
rm -rf "$OUT"
mv "$OUT.part" "$OUT"
log "done: $OUT ($(du -sh "$OUT" | cut -f1))"
echo "$OUT"
