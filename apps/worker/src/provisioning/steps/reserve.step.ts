import {
  allocateAddress,
  appendAudit,
  getVmByRequest,
  heldAddress,
  heldVmids,
  lastPoolOfRequest,
  linkAddressToVm,
  lockVmidAllocation,
  reserveVmRow,
  setVmAgreement,
  setRunVm,
  VM_HOLDING_STATES,
  type AddressLease,
  type VmState,
} from '@betang/db';
import { listClusterVms, nextFreeVmid } from '@betang/proxmox';
import { permanent } from '../../harness/run-error';
import { assertAgreementCoversRequest } from '../agreement-gate';
import { FRESH_VMID, provisionStep } from '../provision-context';
import { CLONE_STEP_KEY, destroyRunVm, releaseReservation } from '../run-vm-compensation';

type ReserveResult = { vmId: string; vmid: number; lease: AddressLease };

/**
 * `reserve`: a vmid from Betang's range (free in Postgres and confirmed free by the cluster) and
 * the request's address. Safe to run twice: the request's VM row and held address are reused;
 * the vmid lock serialises reservations across workers. Before a new reservation it refuses
 * (permanently) a request the agreement in force does not cover (assertAgreementCoversRequest). Undone by releasing the vmid (VM row →
 * failed) and the address — only once the vmid is known to hold nothing of this run.
 */
export const reserveStep = provisionStep<ReserveResult>({
  key: 'reserve',
  weight: 5,
  label: { id: 'reservasi VMID dan alamat IP', en: 'reserve VMID and IP address' },
  async run({ ctx, run, cache }) {
    const { db } = ctx.deps;
    const { request } = ctx.data;
    const range = { min: ctx.settings.PVE_VMID_MIN, max: ctx.settings.PVE_VMID_MAX };
    let fresh: number | undefined;
    // The cluster's VM list is read before the allocation lock (every worker's reservations
    // wait on that lock); inside it only `nextid` confirms the candidate.
    const before = await getVmByRequest(db, request.id);
    const allocating = !before || before.vmid === null || !VM_HOLDING_STATES.includes(before.state as VmState);
    // A VM already reserved or built is this run's to finish or clean up; only a new one needs the agreement's word.
    const coveringAgreement = allocating ? await assertAgreementCoversRequest(db, request) : undefined;
    const listed = allocating ? (await listClusterVms(ctx.pve)).map((v) => v.vmid) : undefined;
    const result = await db.transaction().execute(async (tx): Promise<ReserveResult> => {
      await lockVmidAllocation(tx);
      const existing = await getVmByRequest(tx, request.id);
      let vm = existing;
      if (!existing || existing.vmid === null || !VM_HOLDING_STATES.includes(existing.state as VmState)) {
        const vmid = await nextFreeVmid(ctx.pve, {
          ...range,
          exclude: await heldVmids(tx, range, ctx.settings.VMID_REUSE_DAYS),
          ...(listed ? { listedVmids: listed } : {}),
        });
        fresh = vmid;
        vm = await reserveVmRow(tx, {
          requestId: request.id,
          institutionId: request.institutionId,
          vmid,
          name: request.hostname,
          cores: request.cores,
          memoryMiB: request.memoryMiB,
          diskGiB: request.diskGiB,
        });
        if (coveringAgreement) await setVmAgreement(tx, vm.id, coveringAgreement);
        await appendAudit(tx, {
          actorUserId: null,
          actorLabel: 'worker',
          institutionId: request.institutionId,
          action: 'vm.reserved',
          targetType: 'vm',
          targetId: vm.id,
          after: { vmid, runId: run.id, agreementId: coveringAgreement ?? null },
        });
      }
      if (!vm || vm.vmid === null) throw new Error('VM row without vmid after reservation');
      let lease = await heldAddress(tx, request.id);
      if (!lease) {
        const poolId = ctx.params.poolId ?? (await lastPoolOfRequest(tx, request.id));
        if (!poolId)
          throw permanent('NO_ADDRESS', {
            id: 'Permohonan tidak punya alamat IP yang dipesan dan tidak ada pool yang diketahui.',
            en: 'The request holds no IP address and no pool is known to take one from.',
          });
        const address = await allocateAddress(tx, poolId, request.id);
        if (!address)
          throw permanent(
            'POOL_EXHAUSTED',
            {
              id: 'Pool alamat IP sudah habis. Tambah rentang pool atau lepaskan alamat yang tidak terpakai.',
              en: 'The IP pool is exhausted. Extend the pool range or release unused addresses.',
            },
            { poolId },
          );
        lease = await heldAddress(tx, request.id);
        if (!lease) throw new Error('address allocation not visible');
      }
      await linkAddressToVm(tx, request.id, vm.id);
      await setRunVm(tx, run.id, vm.id);
      return { vmId: vm.id, vmid: vm.vmid, lease };
    });
    // Committed: the clone step of this same attempt may skip its adopt-check for this id.
    if (fresh === result.vmid) cache.put(FRESH_VMID, fresh);
    return { result, detail: `VMID ${result.vmid}, IP ${result.lease.address}` };
  },
  // The clone's compensation, just before, says whether the vmid is empty; without it, look.
  compensate: async ({ env, run, undone }) =>
    releaseReservation(env, run, undone({ key: CLONE_STEP_KEY }) ?? (await destroyRunVm(env, run))),
});
