#!/bin/sh
# Creates Betang's least-privilege Proxmox VE role, user, pools and API token
# (docs: shared reference proxmox-api.md §1.4). Run once as root on any node of the cluster.
# Usage: sh create-betang-role.sh [templates-pool] [customers-pool] [storage] [bridge...]
set -eu
TEMPLATES=${1:-templates}
CUSTOMERS=${2:-betang}
STORAGE=${3:-ceph}
shift 3 2>/dev/null || shift $#
BRIDGES=${*:-vmbr0}

MAJOR=$(pveversion | sed -n 's/^pve-manager\/\([0-9]*\).*/\1/p')
PRIVS="VM.Allocate VM.Audit VM.Clone VM.Config.CPU VM.Config.Memory VM.Config.Disk VM.Config.Network VM.Config.Cloudinit VM.Config.Options VM.PowerMgmt Datastore.AllocateSpace Datastore.Audit Sys.Audit Pool.Audit SDN.Use"
if [ "$MAJOR" -ge 9 ]; then
  PRIVS="$PRIVS VM.GuestAgent.Audit VM.GuestAgent.Unrestricted"
else
  PRIVS="$PRIVS VM.Monitor"
fi

pveum role add BetangProvisioner -privs "$PRIVS" 2>/dev/null || pveum role modify BetangProvisioner -privs "$PRIVS"
pveum user add betang@pve --comment "Betang VPS platform (Diskominfosantik)" 2>/dev/null || true
pvesh create /pools --poolid "$CUSTOMERS" --comment "VMs created by Betang" 2>/dev/null || true

# privsep=1: grant the role to the user AND the token (effective rights are the intersection).
for who in "-users betang@pve" "-tokens betang@pve!worker"; do
  pveum acl modify "/pool/$CUSTOMERS" $who -roles BetangProvisioner
  pveum acl modify "/pool/$TEMPLATES" $who -roles PVETemplateUser
  pveum acl modify "/storage/$STORAGE" $who -roles BetangProvisioner
  pveum acl modify /nodes $who -roles BetangProvisioner
  for bridge in $BRIDGES; do
    pveum acl modify "/sdn/zones/localnetwork/$bridge" $who -roles BetangProvisioner
  done
done

echo "Token (the secret is shown once — put it into /etc/betang/betang.env as PVE_TOKEN_SECRET):"
pveum user token add betang@pve worker --privsep 1 --comment "Betang worker" --output-format json
echo "CA to pin (PVE_CA_FILE): /etc/pve/pve-root-ca.pem"
