#!/bin/sh
# Builds the cloud-init templates Betang's catalog clones (catalog_templates.pve_template_vmid):
#   9000 debian-12     Debian 12 (Bookworm) generic cloud image
#   9001 ubuntu-24.04  Ubuntu 24.04 LTS (Noble) cloud image
# Run as root on the PVE node that should hold the templates (placement clones onto any online
# node sharing the template's storage), with template-packages.txt beside this script. Idempotent: an existing vmid is left alone unless
# REBUILD=1. On per-node local storage (local-lvm, ZFS) PVE cannot clone to another node: run it
# on every node with its own VMID_OFFSET (pve2: VMID_OFFSET=100 → 9100/9101, pve3: 200 → 9200/9201)
# and map the copies in the catalog (PUT /api/v1/catalog/templates/<id>/nodes; docs/runbook.md). Needs: wget, sha512sum/sha256sum, virt-customize (apt-get install libguestfs-tools).
#
# Usage: sh build-templates.sh [storage] [bridge] [templates-pool]
#   storage         where the template disks go (default ceph; shared storage lets every node clone)
#   bridge          net0 bridge of the template (default vmbr0; Betang rewrites net0 per VM)
#   templates-pool  pool the worker's token may clone from (default templates; see create-betang-role.sh)
#
# Packages: every template gets the packages listed in template-packages.txt (beside this
# script, one Debian/Ubuntu package name per line). The guest-configuration steps need them
# (ufw, unattended-upgrades, sshd, timedatectl, ...): a test checks every command the steps run
# against that list, and the qemu test guest is built from the same list.
#
# What Betang needs from a template (docs/provisioning.md): cloud-init drive on ide2, serial
# console, qemu-guest-agent installed and `agent: 1` (the worker reads the address and the SSH
# host key through it), virtio-scsi, a boot disk no bigger than the smallest size preset
# (Betang only grows disks), and the tags `betang-template` + the catalog id.
set -eu

STORAGE=${1:-ceph}
BRIDGE=${2:-vmbr0}
POOL=${3:-templates}
WORKDIR=${WORKDIR:-/var/lib/vz/template/betang}
REBUILD=${REBUILD:-0}
VMID_OFFSET=${VMID_OFFSET:-0}
# One package name per line, `#` comments (infra/proxmox/template-packages.txt beside this script).
PACKAGE_LIST=${PACKAGE_LIST:-$(dirname "$0")/template-packages.txt}
PACKAGES=$(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$PACKAGE_LIST" | grep -v '^$' | paste -sd, -)

log() { printf '[betang-templates] %s\n' "$*"; }

if [ ! -s "$PACKAGE_LIST" ]; then
  log "package list $PACKAGE_LIST is missing (it lives beside this script)"
  exit 1
fi

# build VMID CATALOG_ID NAME IMAGE_URL CHECKSUM_URL CHECKSUM_TOOL
build() {
  vmid=$(($1 + VMID_OFFSET)) catalog=$2 name=$3 url=$4 sums_url=$5 sum_tool=$6
  image="$WORKDIR/$(basename "$url")"

  if qm status "$vmid" >/dev/null 2>&1; then
    if [ "$REBUILD" != 1 ]; then
      log "VM $vmid exists, kept (REBUILD=1 rebuilds it)"
      return 0
    fi
    log "destroying old template $vmid"
    qm destroy "$vmid" --purge 1
  fi

  mkdir -p "$WORKDIR"
  log "downloading $url"
  wget -q -O "$image.part" "$url"
  wget -q -O "$image.sums" "$sums_url"
  expected=$(grep " $(basename "$url")\$" "$image.sums" | awk '{print $1}')
  actual=$("$sum_tool" "$image.part" | awk '{print $1}')
  if [ -z "$expected" ] || [ "$expected" != "$actual" ]; then
    log "checksum mismatch for $(basename "$url") (expected '$expected', got '$actual')"
    exit 1
  fi
  mv "$image.part" "$image"

  # The cloud images lack some of what Betang needs (the guest agent; ufw on Debian). The list is
  # the same one the real-guest test image is built from, so the tests boot what production clones.
  log "installing the template packages into the image: $PACKAGES"
  virt-customize -a "$image" --install "$PACKAGES" --run-command 'systemctl enable qemu-guest-agent' \
    --run-command 'truncate -s 0 /etc/machine-id' >/dev/null

  log "creating VM $vmid ($name) on $STORAGE"
  qm create "$vmid" --name "$name" --ostype l26 --memory 1024 --cores 1 --cpu x86-64-v2-AES \
    --net0 "virtio,bridge=$BRIDGE" --scsihw virtio-scsi-pci --serial0 socket --vga serial0 \
    --agent enabled=1 --tags "betang-template;$catalog" \
    --description "Betang catalog template $catalog (built by infra/proxmox/build-templates.sh)"
  qm importdisk "$vmid" "$image" "$STORAGE" >/dev/null
  # The imported disk is the VM's first unused disk; attach it as scsi0 and boot from it.
  disk=$(qm config "$vmid" | sed -n 's/^unused0: //p')
  qm set "$vmid" --scsi0 "$disk,discard=on,ssd=1" --boot order=scsi0
  qm set "$vmid" --ide2 "$STORAGE:cloudinit"
  qm set "$vmid" --ipconfig0 ip=dhcp
  qm template "$vmid"
  # The worker's token may clone only what is in this pool (create-betang-role.sh).
  pvesh create /pools --poolid "$POOL" --comment "Betang catalog templates" 2>/dev/null || true
  pvesh set "/pools/$POOL" --vms "$vmid"
  log "template $vmid ready"
}

build 9000 debian-12 betang-debian-12 \
  https://cloud.debian.org/images/cloud/bookworm/latest/debian-12-genericcloud-amd64.qcow2 \
  https://cloud.debian.org/images/cloud/bookworm/latest/SHA512SUMS sha512sum
build 9001 ubuntu-24.04 betang-ubuntu-2404 \
  https://cloud-images.ubuntu.com/noble/current/noble-server-cloudimg-amd64.img \
  https://cloud-images.ubuntu.com/noble/current/SHA256SUMS sha256sum

log "done. Check: qm config $((9000 + VMID_OFFSET)); qm config $((9001 + VMID_OFFSET)) (agent, ide2 cloudinit, serial0, template: 1)"
