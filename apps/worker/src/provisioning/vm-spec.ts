import { adminUserForInstitution } from '@betang/core';
import type { AddressLease } from '@betang/db';
import { encodeSshKeys, formatTags, type PveParams } from '@betang/proxmox';
import type { ProvisionCtx } from './provision-context';

/** Human part of the VM description; the owner marker is added as its own line by the clone helper. */
export function vmDescription(ctx: ProvisionCtx): string {
  const { request, institution } = ctx.data;
  return `Betang VPS ${request.hostname} - ${institution.code} (request ${request.id})`;
}

/** Full description as configured: human line + owner marker line. */
function vmDescriptionWithMarker(ctx: ProvisionCtx): string {
  return `${vmDescription(ctx)}\n${ctx.marker}`;
}

/** Betang's tags on a VM: `betang`, the run tag, the institution. */
export function vmTags(ctx: ProvisionCtx): string[] {
  return ['betang', ctx.runTag, `betang-inst-${ctx.data.institution.code.toLowerCase()}`];
}

/** The guest's admin account for the institution (its code, lower-cased: a valid Linux user name). */
export function adminUserOf(ctx: ProvisionCtx): string {
  return adminUserForInstitution(ctx.data.institution.code);
}

/** `net0` value keeping the NIC's MAC (PVE generates a new one whenever it is omitted). */
export function net0Value(lease: AddressLease, mac: string | undefined): string {
  return [
    `virtio${mac ? `=${mac.toUpperCase()}` : ''}`,
    `bridge=${lease.bridge}`,
    'firewall=1',
    ...(lease.vlanTag ? [`tag=${lease.vlanTag}`] : []),
  ].join(',');
}

/** `ipconfig0` for the static address. */
export function ipconfig0Value(lease: AddressLease): string {
  return `ip=${lease.address}/${lease.prefix},gw=${lease.gateway}`;
}

/** Every config key Betang sets on a new VM (absolute values: applying them twice changes nothing). */
export function vmConfigParams(ctx: ProvisionCtx, lease: AddressLease, mac: string | undefined, platformPublicKey: string): PveParams {
  const { request } = ctx.data;
  return {
    cores: request.cores,
    memory: request.memoryMiB,
    net0: net0Value(lease, mac),
    ipconfig0: ipconfig0Value(lease),
    // Always set: without it PVE copies its own host's resolv.conf into the guest's network config.
    nameserver: lease.dnsServers.length ? lease.dnsServers.join(' ') : ctx.settings.GUEST_NAMESERVER,
    ...(lease.searchDomain ? { searchdomain: lease.searchDomain } : {}),
    ciuser: ctx.settings.PROVISION_CIUSER,
    // PVE's default (1) makes cloud-init run a full upgrade on first boot, before Betang can set
    // the data center's proxy/mirror: minutes, or an error where no mirror is reachable. The
    // configure-guest step upgrades instead (GUEST_PACKAGE_UPGRADE).
    ciupgrade: false,
    sshkeys: encodeSshKeys([...request.sshPublicKeys, platformPublicKey]),
    tags: formatTags(vmTags(ctx)),
    description: vmDescriptionWithMarker(ctx),
    agent: '1',
    onboot: true,
    // A customer's VM is not destroyed or stripped of its disk by a slip in the PVE GUI; Betang
    // clears the flag itself right before a decommission or a cleanup destroys it.
    protection: true,
  };
}
