import type { VmConfig, VmidState } from '@betang/proxmox';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The uuid of a VM's `smbios1` (`uuid=…[,manufacturer=…]`), lower-case; undefined when absent or malformed. */
export function smbiosUuidOf(config: VmConfig | undefined): string | undefined {
  const smbios = config?.smbios1;
  if (typeof smbios !== 'string') return undefined;
  const uuid = /(?:^|,)uuid=([^,]+)/.exec(smbios)?.[1];
  return uuid && UUID.test(uuid) ? uuid.toLowerCase() : undefined;
}

/**
 * Whether Betang may treat what a vmid holds as its own VM: the owner marker is in its Notes or
 * tags (`ours`), or — when an operator removed the marker — the VM still has the SMBIOS uuid
 * Betang recorded right after cloning it at this vmid (PVE gives every clone a fresh one, and
 * editing Notes or tags never changes it). A locked VM is never claimed.
 */
export function ownershipOf(seen: VmidState, recordedUuid: string | null | undefined): 'marker' | 'smbios-uuid' | undefined {
  if (seen.state === 'absent' || seen.lock) return undefined;
  if (seen.state === 'ours') return 'marker';
  if (seen.state === 'foreign' && recordedUuid && smbiosUuidOf(seen.config) === recordedUuid.toLowerCase()) return 'smbios-uuid';
  return undefined;
}
