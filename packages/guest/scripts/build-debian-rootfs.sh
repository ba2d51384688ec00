#!/bin/sh
# Builds the cached Debian bookworm root filesystem that the guest-configuration
# integration tests boot with systemd-nspawn (docs/guest-configuration.md).
# Idempotent: exits at once when the tarball already exists. Needs root.
#
#   BETANG_GUEST_ROOTFS   tarball path (default /var/cache/betang/debian-bookworm-rootfs.tar.zst)
#   BETANG_DEBIAN_MIRROR  Debian mirror (default: the first bookworm mirror in the machine's apt sources)
set -eu

OUT="${BETANG_GUEST_ROOTFS:-/var/cache/betang/debian-bookworm-rootfs.tar.zst}"
SUITE=bookworm
INCLUDE=openssh-server,sudo,systemd-sysv,systemd-timesyncd,dbus,udev,iproute2,ufw,nftables,iptables,unattended-upgrades,tzdata,procps,ca-certificates,python3-apt,python3-cffi-backend,locales

log() { echo "[build-debian-rootfs] $*" >&2; }

if [ -s "$OUT" ]; then
  log "cached: $OUT"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  log "must run as root (debootstrap, chroot)"
  exit 1
fi

missing=""
command -v debootstrap >/dev/null 2>&1 || missing="$missing debootstrap"
command -v systemd-nspawn >/dev/null 2>&1 || missing="$missing systemd-container"
command -v slirp4netns >/dev/null 2>&1 || missing="$missing slirp4netns"
command -v zstd >/dev/null 2>&1 || missing="$missing zstd"
command -v ssh-keygen >/dev/null 2>&1 || missing="$missing openssh-client"
if [ -n "$missing" ]; then
  log "installing:$missing"
  # shellcheck disable=SC2086
  flock /tmp/betang-apt.lock sh -c "apt-get install -y -q --no-install-recommends $missing || { apt-get update -q && apt-get install -y -q --no-install-recommends $missing; }" >&2
fi

# shellcheck source=packages/guest/scripts/debian-mirror.sh disable=SC1091
. "$(dirname "$0")/debian-mirror.sh"
mirror=$(debian_mirror "$SUITE")

mkdir -p "$(dirname "$OUT")"
# One build at a time, even when two test files start together.
exec 9>"$OUT.lock"
flock 9
if [ -s "$OUT" ]; then
  log "cached (built by a concurrent run): $OUT"
  exit 0
fi

work=$(mktemp -d /var/tmp/betang-rootfs.XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM
root="$work/root"
log "debootstrap $SUITE from $mirror into $root (about 3 minutes cold)"
debootstrap --variant=minbase --include="$INCLUDE" "$SUITE" "$root" "$mirror" >"$work/debootstrap.log" 2>&1 || {
  tail -n 40 "$work/debootstrap.log" >&2
  log "debootstrap failed"
  exit 1
}

log "preparing the image"
echo localhost >"$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
: >"$root/etc/machine-id"
rm -f "$root"/etc/ssh/ssh_host_*
sed -i 's/^# *en_US.UTF-8 UTF-8/en_US.UTF-8 UTF-8/' "$root/etc/locale.gen"
chroot "$root" locale-gen >/dev/null
echo 'LANG=en_US.UTF-8' >"$root/etc/default/locale"
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*

log "packing $OUT"
tar -C "$root" --numeric-owner --xattrs --xattrs-include='*' -cpf - . | zstd -q -T0 -3 -o "$work/rootfs.tar.zst"
mv "$work/rootfs.tar.zst" "$OUT"
log "done: $OUT ($(du -h "$OUT" | cut -f1))"
