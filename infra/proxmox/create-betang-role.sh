#!/bin/sh
# Creates Betang's least-privilege Proxmox VE roles, user, pools and API token (privileges from
# the shared reference proxmox-api.md §1.4; PVE 8 and 9). Run once as root on any node of the
# cluster; running it again updates the roles and ACLs and keeps the existing token.
#
# Usage: sh create-betang-role.sh [templates-pool] [customers-pool] [storage] [bridge...]
#   TOKEN_EXPIRE=<unix time> sets an expiry on a new token (default 0 = never; rotate it with
#   docs/runbook.md "Token Proxmox kedaluwarsa / Proxmox token expired").
set -eu
TEMPLATES=${1:-templates}
CUSTOMERS=${2:-betang}
STORAGE=${3:-ceph}
shift 3 2>/dev/null || shift $#
BRIDGES=${*:-vmbr0}
USER_ID=betang@pve
TOKEN_NAME=worker
TOKEN_ID="$USER_ID!$TOKEN_NAME"
TOKEN_EXPIRE=${TOKEN_EXPIRE:-0}

MAJOR=$(pveversion | sed -n 's/^pve-manager\/\([0-9]*\).*/\1/p')
# On the customers' pool: everything the worker does to its own VMs.
VM_PRIVS="VM.Allocate VM.Audit VM.Clone VM.Config.CPU VM.Config.Memory VM.Config.Disk VM.Config.Network VM.Config.Cloudinit VM.Config.Options VM.PowerMgmt Pool.Audit"
if [ "$MAJOR" -ge 9 ]; then
  VM_PRIVS="$VM_PRIVS VM.GuestAgent.Audit VM.GuestAgent.Unrestricted"
else
  VM_PRIVS="$VM_PRIVS VM.Monitor"
fi

# role NAME PRIVS: creates or updates a role to exactly these privileges.
role() {
  pveum role add "$1" -privs "$2" 2>/dev/null || pveum role modify "$1" -privs "$2"
}
role BetangProvisioner "$VM_PRIVS"
role BetangStorage "Datastore.AllocateSpace Datastore.Audit"
role BetangNetwork "SDN.Use"
role BetangNodeAudit "Sys.Audit"

pveum user add "$USER_ID" --comment "Betang VPS platform (Diskominfosantik)" 2>/dev/null || true
pvesh create /pools --poolid "$CUSTOMERS" --comment "VMs created by Betang" 2>/dev/null || true
pvesh create /pools --poolid "$TEMPLATES" --comment "Betang catalog templates" 2>/dev/null || true

# The token must exist before ACLs can name it. Its secret is shown only when it is created.
if pveum user token list "$USER_ID" --output-format json | grep -q "\"tokenid\":\"$TOKEN_NAME\""; then
  NEW_TOKEN=""
  echo "Token $TOKEN_ID exists; its secret is unchanged (delete it first to issue a new one)."
else
  NEW_TOKEN=$(pveum user token add "$USER_ID" "$TOKEN_NAME" --privsep 1 --expire "$TOKEN_EXPIRE" --comment "Betang worker" --output-format json)
fi

# privsep=1: the token's rights are the intersection of its own ACLs and the user's, so both
# get the same grants.
# grant PATH ROLE: to the user and to the token.
grant() {
  pveum acl modify "$1" -users "$USER_ID" -roles "$2"
  pveum acl modify "$1" -tokens "$TOKEN_ID" -roles "$2"
}
grant "/pool/$CUSTOMERS" BetangProvisioner
grant "/pool/$TEMPLATES" PVETemplateUser
grant "/storage/$STORAGE" BetangStorage
grant /nodes BetangNodeAudit
for bridge in $BRIDGES; do
  grant "/sdn/zones/localnetwork/$bridge" BetangNetwork
done

if [ -n "$NEW_TOKEN" ]; then
  echo "Token (the secret is shown once — put it into /etc/betang/betang.env as PVE_TOKEN_SECRET):"
  echo "$NEW_TOKEN"
fi
echo "PVE_TOKEN_ID=$TOKEN_ID"
echo "CA to pin (PVE_CA_FILE): /etc/pve/pve-root-ca.pem"
echo "Check the effective rights: pveum user permissions '$TOKEN_ID'"
