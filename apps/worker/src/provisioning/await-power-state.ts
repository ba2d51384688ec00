import type { VmClient } from '@betang/proxmox';
import { transient } from '../harness/run-error';
import { abortableSleep } from '../harness/sleep';

/**
 * Waits until PVE reports the VM `want` (polling status/current, 250 ms doubling to 2 s). A power
 * task that ended OK does not mean the VM is there yet: for an HA-managed VM, `stop`/`shutdown`/
 * `start` only hand a request to the HA stack (`hastop`/`hastart` tasks) and the LRM acts
 * seconds later. Throws a transient error after `deadlineMs` (the step is retried). Read-only.
 */
export async function awaitPowerState(vm: VmClient, want: 'running' | 'stopped', deadlineMs: number, signal?: AbortSignal): Promise<void> {
  const { node, vmid } = vm;
  const until = Date.now() + deadlineMs;
  for (let delay = 250; ; delay = Math.min(delay * 2, 2000)) {
    if ((await vm.status(signal ? { signal } : undefined)).status === want) return;
    if (Date.now() >= until || signal?.aborted) {
      throw transient(
        'POWER_STATE_PENDING',
        {
          id: `VM ${vmid} belum ${want === 'stopped' ? 'mati' : 'menyala'} setelah ${Math.round(deadlineMs / 1000)} detik (VM yang dikelola HA berubah status lewat HA manager).`,
          en: `VM ${vmid} is not ${want} after ${Math.round(deadlineMs / 1000)} s (an HA-managed VM changes state through the HA manager).`,
        },
        { node, vmid },
      );
    }
    await abortableSleep(Math.min(delay, Math.max(0, until - Date.now())), signal);
  }
}
