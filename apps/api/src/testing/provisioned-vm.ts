import type { Db } from '@betang/db';
import { makeQueuedProvisionRun, type QueuedProvision } from '@betang/testkit';

/**
 * A request of a new institution left as the worker leaves a finished provisioning: its run
 * succeeded, a VM row `running` (request `active`) or `stopped` (request `stopped`). Each call
 * needs its own pool octet and vmid so that tests in one database never collide.
 */
export async function insertProvisionedVm(
  db: Db,
  options: { poolOctet: number; vmid: number; state?: 'running' | 'stopped' },
): Promise<{ provision: QueuedProvision; vmId: string }> {
  const state = options.state ?? 'running';
  const provision = await makeQueuedProvisionRun(db, { poolOctet: options.poolOctet, enqueue: false });
  const vm = await db
    .insertInto('vms')
    .values({
      requestId: provision.requestId,
      institutionId: provision.institutionId,
      vmid: options.vmid,
      node: 'pve1',
      name: provision.hostname,
      cores: 2,
      memoryMiB: 2048,
      diskGiB: 10,
      state,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .updateTable('provisioningRuns')
    .set({ status: 'succeeded', vmId: vm.id, progress: 100 })
    .where('id', '=', provision.runId)
    .execute();
  await db
    .updateTable('vpsRequests')
    .set({ status: state === 'running' ? 'active' : 'stopped' })
    .where('id', '=', provision.requestId)
    .execute();
  return { provision, vmId: vm.id };
}
