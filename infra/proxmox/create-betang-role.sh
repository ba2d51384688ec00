#!/bin/sh
# Creates Betang's least-privilege Proxmox VE roles, user, pools and API token from the one list in
# betang-role.json (next to this script; PVE 8 and 9). Run once as root on any node of the
# cluster; running it again sets the roles to exactly that list, updates the ACLs and keeps the
# existing token. Check the result from the Betang host with `npm run doctor`.
#
# Usage: sh create-betang-role.sh [templates-pool] [customers-pool] [storage[,storage...]] [bridge...]
#   TOKEN_EXPIRE=<unix time> sets an expiry on a new token (default 0 = never; rotate it with
#   docs/runbook.md "Token Proxmox kedaluwarsa / Proxmox token expired").
#   ROLE_FILE=<path> reads another copy of betang-role.json.
#   BACKUP_STORAGES=<storage[,storage...]> the storages the backup policy writes to (default pbs);
#   Betang may back its VMs up there, list and prune their backups, nothing else on them.
set -eu
TEMPLATES=${1:-templates}
CUSTOMERS=${2:-betang}
STORAGES=$(printf '%s' "${3:-ceph}" | tr ',' ' ')
shift 3 2>/dev/null || shift $#
BRIDGES=${*:-vmbr0}
ROLE_FILE=${ROLE_FILE:-$(dirname "$0")/betang-role.json}
TOKEN_EXPIRE=${TOKEN_EXPIRE:-0}
BACKUP_STORAGES=$(printf '%s' "${BACKUP_STORAGES:-pbs}" | tr ',' ' ')

command -v jq >/dev/null || { echo "jq dibutuhkan / jq is required: apt-get install -y jq" >&2; exit 1; }
[ -r "$ROLE_FILE" ] || { echo "Tidak dapat membaca / cannot read $ROLE_FILE" >&2; exit 1; }

USER_ID=$(jq -r .user "$ROLE_FILE")
TOKEN_NAME=$(jq -r .token "$ROLE_FILE")
TOKEN_ID="$USER_ID!$TOKEN_NAME"
MAJOR=$(pveversion | sed -n 's/^pve-manager\/\([0-9]*\).*/\1/p')
if [ "$MAJOR" -ge 9 ]; then FLAVOUR=pve9; else FLAVOUR=pve8; fi

# privs ROLE: the role's privileges on this PVE major, space-separated.
privs() {
  jq -r --arg role "$1" --arg fl "$FLAVOUR" \
    '.roles[] | select(.name == $role) | [.privileges[] | select((.flavours // [$fl]) | index($fl)) | .name] | join(" ")' "$ROLE_FILE"
}

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

for ROLE in $(jq -r '.roles[].name' "$ROLE_FILE"); do
  PRIVS=$(privs "$ROLE")
  pveum role add "$ROLE" -privs "$PRIVS" 2>/dev/null || pveum role modify "$ROLE" -privs "$PRIVS"
  TEMPLATE_PATH=$(jq -r --arg role "$ROLE" '.roles[] | select(.name == $role) | .path' "$ROLE_FILE" \
    | sed "s|{pool}|$CUSTOMERS|; s|{templatesPool}|$TEMPLATES|")
  case "$TEMPLATE_PATH" in
    *'{backupStorage}'*) for S in $BACKUP_STORAGES; do grant "$(printf '%s' "$TEMPLATE_PATH" | sed "s|{backupStorage}|$S|")" "$ROLE"; done ;;
    *'{storage}'*) for S in $STORAGES; do grant "$(printf '%s' "$TEMPLATE_PATH" | sed "s|{storage}|$S|")" "$ROLE"; done ;;
    *'{bridge}'*) for B in $BRIDGES; do grant "$(printf '%s' "$TEMPLATE_PATH" | sed "s|{bridge}|$B|")" "$ROLE"; done ;;
    *) grant "$TEMPLATE_PATH" "$ROLE" ;;
  esac
done

if [ -n "$NEW_TOKEN" ]; then
  echo "Token (the secret is shown once — put it into /etc/betang/betang.env as PVE_TOKEN_SECRET):"
  echo "$NEW_TOKEN"
fi
echo "PVE_TOKEN_ID=$TOKEN_ID"
echo "PVE_POOL=$CUSTOMERS"
echo "CA to pin (PVE_CA_FILE): /etc/pve/pve-root-ca.pem"
echo "Check everything from the Betang host: npm run doctor"
