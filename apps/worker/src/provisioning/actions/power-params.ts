import type { PveParams } from '@betang/proxmox';

/**
 * Parameters of a power call. `shutdown` and `reboot` carry `timeout` (PVE's default is 600 s,
 * and without `forceStop` a guest ignoring ACPI fails the task only then); shutdown also carries
 * `forceStop=1` so the VM is off when the task ends, whatever the guest does. Reboot has no
 * `forceStop` in PVE's API. Start and stop take none.
 */
export function powerParams(op: string, shutdownSeconds: number): PveParams {
  if (op === 'shutdown') return { timeout: shutdownSeconds, forceStop: 1 };
  if (op === 'reboot') return { timeout: shutdownSeconds };
  return {};
}
