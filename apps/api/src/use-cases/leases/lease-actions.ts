import { AppError, ErrorCode, plusDays, todayInJakarta, type Actor, type LeaseState } from '@betang/core';
import { appendAudit, enqueueJob, getLeasePolicy, insertRun, lockLease, moveLease, type LeaseRow, type Tx } from '@betang/db';
import type { AuditMeta } from '../vps-requests/audit-meta';
import { lockVm } from '../vms/request-vm-action';

const STATE_WORDS: Record<LeaseState, { id: string; en: string }> = {
  grace: { id: 'dalam masa tenggang', en: 'in its grace period' },
  final_backup: { id: 'sedang dicadangkan sebelum dimatikan', en: 'being backed up before its stop' },
  stopped: { id: 'dimatikan', en: 'stopped' },
  destroying: { id: 'sedang dihapus', en: 'being destroyed' },
};

/** The VM (tenancy-checked) and its lease row, both locked; 409 unless the lease is in one of `states`. */
async function lockedLease(tx: Tx, actor: Actor, vmId: string, states: readonly LeaseState[]): Promise<LeaseRow> {
  await lockVm(tx, actor, vmId);
  const lease = await lockLease(tx, vmId, false);
  if (!lease) {
    throw new AppError(ErrorCode.InvalidState, {
      id: 'VM ini tercakup perjanjian yang berlaku; tidak ada tahap sewa yang dapat diubah.',
      en: 'This VM is covered by an agreement in force; there is no lease step to change.',
    });
  }
  if (!states.includes(lease.state)) {
    throw new AppError(ErrorCode.InvalidState, {
      id: `VM ini ${STATE_WORDS[lease.state].id}; tindakan ini tidak berlaku pada tahap tersebut.`,
      en: `This VM is ${STATE_WORDS[lease.state].en}; this action does not apply at that step.`,
    });
  }
  return lease;
}

/**
 * Extends a VM's grace period to `until` (later than the current last day): the stop, its final
 * backup and the notices move with it. Only while the VM is in its grace period (409 after).
 * Repeating it with the same day is refused (422), so nothing moves twice.
 */
export async function extendLease(tx: Tx, actor: Actor, vmId: string, until: string, meta: AuditMeta): Promise<void> {
  const lease = await lockedLease(tx, actor, vmId, ['grace']);
  if (until <= lease.graceUntil || until <= todayInJakarta()) {
    throw new AppError(
      ErrorCode.ValidationFailed,
      {
        id: `Tanggal baru harus setelah ${lease.graceUntil} dan setelah hari ini.`,
        en: `The new day must be after ${lease.graceUntil} and after today.`,
      },
      [{ path: 'body.until', message: 'not later', code: 'too_small' }],
    );
  }
  await moveLease(tx, vmId, ['grace'], 'grace', { graceUntil: until });
  await appendAudit(tx, {
    ...meta,
    institutionId: lease.institutionId,
    action: 'vm.lease_extended',
    targetType: 'vm',
    targetId: vmId,
    before: { graceUntil: lease.graceUntil },
    after: { graceUntil: until },
  });
}

/**
 * Reverses a lease stop: a `start` run (with its outbox job, exactly-once like any day-2 run)
 * and the lease back in a new grace period of the policy's length, its destruction off. 409
 * unless the lease is stopped, the VM is stopped and no other run of it is live.
 */
export async function restartLeasedVm(tx: Tx, actor: Actor, vmId: string, meta: AuditMeta): Promise<{ runId: string }> {
  const lease = await lockedLease(tx, actor, vmId, ['stopped']);
  if (lease.vmState !== 'stopped') {
    throw new AppError(ErrorCode.InvalidState, {
      id: `VM berstatus ${lease.vmState}; VM tidak dapat dinyalakan.`,
      en: `The VM is ${lease.vmState}; it cannot be started.`,
    });
  }
  const live = await tx
    .selectFrom('provisioningRuns')
    .select(['id', 'kind'])
    .where('requestId', '=', lease.requestId)
    .where('status', 'in', ['queued', 'running'])
    .executeTakeFirst();
  if (live) {
    throw new AppError(ErrorCode.InvalidState, {
      id: `Tindakan ${live.kind} masih berjalan untuk VM ini. Tunggu sampai selesai.`,
      en: `A ${live.kind} run is still going for this VM. Wait until it finishes.`,
    });
  }
  const policy = await getLeasePolicy(tx);
  const graceUntil = plusDays(todayInJakarta(), policy.graceDays);
  const run = await insertRun(tx, { requestId: lease.requestId, vmId, kind: 'start', requestedBy: actor.userId, params: {} });
  await enqueueJob(tx, 'vm.action', { runId: run.id }, { dedupKey: `run:${run.id}` });
  await moveLease(tx, vmId, ['stopped'], 'grace', { graceUntil, destroyOn: null, stoppedOn: null });
  await appendAudit(tx, {
    ...meta,
    institutionId: lease.institutionId,
    action: 'vm.lease_restarted',
    targetType: 'vm',
    targetId: vmId,
    before: { leaseState: 'stopped', stoppedOn: lease.stoppedOn, destroyOn: lease.destroyOn },
    after: { leaseState: 'grace', graceUntil, runId: run.id },
  });
  return { runId: run.id };
}

/**
 * Cancels the pending destruction of a stopped VM: it stays stopped (its final backup kept) with
 * no destruction day until it is renewed, restarted or decommissioned by hand. 409 when no
 * destruction is pending (already cancelled, or not stopped by its lease).
 */
export async function cancelLeaseDestruction(tx: Tx, actor: Actor, vmId: string, meta: AuditMeta): Promise<void> {
  const lease = await lockedLease(tx, actor, vmId, ['stopped']);
  if (!lease.destroyOn) {
    throw new AppError(ErrorCode.InvalidState, {
      id: 'Penghapusan VM ini sudah dibatalkan.',
      en: 'The destruction of this VM is already cancelled.',
    });
  }
  await moveLease(tx, vmId, ['stopped'], 'stopped', { destroyOn: null });
  await appendAudit(tx, {
    ...meta,
    institutionId: lease.institutionId,
    action: 'vm.lease_destruction_cancelled',
    targetType: 'vm',
    targetId: vmId,
    before: { destroyOn: lease.destroyOn },
    after: { destroyOn: null },
  });
}
