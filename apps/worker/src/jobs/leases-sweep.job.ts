import {
  DEFAULT_BACKUP_POLICY,
  Role,
  ZBackupPolicy,
  ZEmailMessage,
  dueLeaseNotice,
  leaseDestroyOn,
  leaseNoticeDay,
  leaseNoticeMessage,
  leaseStopOn,
  todayInJakarta,
  type LeaseNotice,
  type LeaseNoticeVm,
  type LeasePolicy,
} from '@betang/core';
import {
  appendAudit,
  enqueueEmail,
  enqueueJob,
  findAgreementInForce,
  finishBackup,
  getLeasePolicy,
  getSetting,
  insertLease,
  insertRun,
  listOpenLeases,
  listVmsPastTerm,
  lockForTransaction,
  lockLease,
  moveLease,
  notify,
  operatorEmails,
  runningBackupsPerNode,
  setBackupUpid,
  transitionRequest,
  transitionVm,
  userIdsWithRole,
  type Db,
  type LeaseRow,
  type Tx,
} from '@betang/db';
import { backupClient, type PveTransport } from '@betang/proxmox';
import type { JobHandler } from '@betang/queue';
import type { Logger } from 'pino';
import type { WorkerDeps } from '../deps';

const SYSTEM = { actorUserId: null, actorLabel: 'system: leases.sweep' } as const;
type SweepDeps = { db: Db; logger: Logger; pve?: PveTransport | undefined };
export type LeaseSweepResult = { covered: number; graced: number; backups: number; stopped: number; destroyed: number; notices: number };

/** The institution's head and staff and the operators: who hears of every lease step. */
async function recipients(db: Db, institutionId: string): Promise<string[]> {
  return [
    ...(await userIdsWithRole(db, Role.InstitutionHead, institutionId)),
    ...(await userIdsWithRole(db, Role.InstitutionStaff, institutionId)),
    ...(await userIdsWithRole(db, Role.Operator)),
  ];
}

/** A VPS that reached a milestone, as the sweep knows it. */
type Announced = Pick<LeaseRow, 'vmId' | 'vmName' | 'institutionId' | 'agreementId' | 'agreementNumber'> & { keptVolid?: string };

/**
 * The notices of one sweep, gathered per institution and milestone (step and day) so that an
 * institution with thirty VPSs at the same milestone gets one notice listing them, not thirty.
 */
class NoticeBoard {
  private readonly groups = new Map<string, { institutionId: string; notice: LeaseNotice; vms: LeaseNoticeVm[] }>();

  /** Adds `vm` to its institution's notice for `notice`'s milestone. */
  add(vm: Announced, notice: LeaseNotice): void {
    const key = `${vm.institutionId}|${notice.step}|${leaseNoticeDay(notice)}`;
    let group = this.groups.get(key);
    if (!group) {
      group = { institutionId: vm.institutionId, notice, vms: [] };
      this.groups.set(key, group);
    }
    const { vmId, vmName, agreementId, agreementNumber, keptVolid } = vm;
    group.vms.push({ vmId, vmName, agreementId, agreementNumber, ...(keptVolid ? { keptVolid } : {}) });
  }

  /** Sends each gathered notice; returns how many advance notices (`*_ahead`) reached someone new. */
  async send(db: Db): Promise<number> {
    let ahead = 0;
    for (const { institutionId, notice, vms } of this.groups.values()) {
      const message = leaseNoticeMessage({ institutionId, vms }, notice);
      const { notified } = await notify(db, { ...message, recipients: await recipients(db, institutionId) });
      if (notified > 0 && (notice.step === 'stop_ahead' || notice.step === 'destroy_ahead')) ahead++;
    }
    this.groups.clear();
    return ahead;
  }
}

/** Whether a run of the request is queued or running (it holds the VM; the step waits for the next sweep). */
async function liveRun(tx: Tx, requestId: string): Promise<boolean> {
  const row = await tx
    .selectFrom('provisioningRuns')
    .select('id')
    .where('requestId', '=', requestId)
    .where('status', 'in', ['queued', 'running'])
    .executeTakeFirst();
  return !!row;
}

/**
 * VMs whose agreement ended: one with a successor in force today moves to it; any other starts
 * its grace period (one row per VM, insert-if-absent), announced.
 */
async function enterGrace(db: Db, today: string, policy: LeasePolicy, board: NoticeBoard): Promise<{ covered: number; graced: number }> {
  let covered = 0;
  let graced = 0;
  for (const vm of await listVmsPastTerm(db, today)) {
    const started = await db.transaction().execute(async (tx) => {
      const successor = await findAgreementInForce(tx, vm.institutionId, today);
      if (successor && successor.id !== vm.agreementId) {
        await tx.updateTable('vms').set({ agreementId: successor.id }).where('id', '=', vm.vmId).execute();
        await appendAudit(tx, {
          ...SYSTEM,
          institutionId: vm.institutionId,
          action: 'vm.lease_renewed',
          targetType: 'vm',
          targetId: vm.vmId,
          before: { agreementId: vm.agreementId },
          after: { agreementId: successor.id },
        });
        covered++;
        return undefined;
      }
      const graceUntil = leaseStopOn(vm.endedOn, policy);
      if (!(await insertLease(tx, { vmId: vm.vmId, agreementId: vm.agreementId, endedOn: vm.endedOn, graceUntil }))) return undefined;
      await appendAudit(tx, {
        ...SYSTEM,
        institutionId: vm.institutionId,
        action: 'vm.lease_grace_started',
        targetType: 'vm',
        targetId: vm.vmId,
        after: { agreementId: vm.agreementId, endedOn: vm.endedOn, graceUntil },
      });
      return graceUntil;
    });
    if (!started) continue;
    graced++;
    board.add(vm, { step: 'grace_started', endedOn: vm.endedOn, stopOn: started });
  }
  return { covered, graced };
}

/** The e-mail operators get when the kept backup before a lease stop cannot be taken. */
async function alertFinalBackup(db: Db, lease: LeaseRow, reason: string, backupId: string): Promise<void> {
  const to = await operatorEmails(db);
  if (to.length === 0) return;
  const message = ZEmailMessage.parse({
    to,
    locale: 'id',
    subject: { id: `Cadangan terakhir VPS ${lease.vmName} gagal`, en: `Final backup of VPS ${lease.vmName} failed` },
    text: {
      id: `${reason}\n\nKode: LEASE_FINAL_BACKUP_FAILED. VPS ${lease.vmName} tidak dimatikan sampai cadangan terakhirnya tersimpan; penyapuan sewa mencoba lagi besok. Runbook: docs/runbook.md#lease_final_backup_failed`,
      en: `${reason}\n\nCode: LEASE_FINAL_BACKUP_FAILED. VPS ${lease.vmName} is not stopped until its final backup is kept; the lease sweep tries again tomorrow. Runbook: docs/runbook.md#lease_final_backup_failed`,
    },
    reason: `lease:${lease.vmId}:final_backup_failed:${backupId}`,
  });
  await enqueueEmail(db, message, `lease-final-backup-failed:${backupId}`);
}

/**
 * Takes the kept backup before a lease stop: claims a `kept` vm_backups row for today (at most
 * one per VM and day, counted in the per-node limit under the backups' claim lock), starts a
 * protected vzdump and records its UPID; the backups sweep records how it ends. A day already
 * claimed, or a node at its limit, waits for the next sweep.
 */
async function startFinalBackup(deps: SweepDeps, lease: LeaseRow, today: string): Promise<boolean> {
  const { db, pve, logger } = deps;
  if (!pve || !lease.node || !lease.vmid) return false;
  const policy = await getSetting(db, 'backup_policy', ZBackupPolicy, DEFAULT_BACKUP_POLICY);
  const cls = await db
    .selectFrom('vms')
    .innerJoin('vpsRequests', 'vpsRequests.id', 'vms.requestId')
    .innerJoin('applications', 'applications.id', 'vpsRequests.applicationId')
    .select('applications.dataClassification')
    .where('vms.id', '=', lease.vmId)
    .executeTakeFirstOrThrow();
  const storage = policy.classes[cls.dataClassification as keyof typeof policy.classes].storage;
  const node = lease.node;
  const vmid = lease.vmid;
  const claimed = await db.transaction().execute(async (tx) => {
    await lockForTransaction(tx, 'backups.claim');
    const locked = await lockLease(tx, lease.vmId);
    if (!locked || (locked.state !== 'grace' && locked.state !== 'final_backup')) return undefined;
    if (locked.state === 'final_backup' && locked.backupId) return undefined;
    if (((await runningBackupsPerNode(tx)).get(node) ?? 0) >= policy.perNodeLimit) return undefined;
    const row = await tx
      .insertInto('vmBackups')
      .values({ vmId: lease.vmId, backupDate: today, node, vmid, storage, kept: true })
      .onConflict((oc) => oc.columns(['vmId', 'backupDate', 'kept']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!row) return undefined;
    await moveLease(tx, lease.vmId, ['grace', 'final_backup'], 'final_backup', { backupId: row.id });
    await appendAudit(tx, {
      ...SYSTEM,
      institutionId: lease.institutionId,
      action: 'vm.lease_final_backup',
      targetType: 'vm',
      targetId: lease.vmId,
      before: { leaseState: locked.state },
      after: { leaseState: 'final_backup', backupId: row.id, storage },
    });
    return row.id;
  });
  if (!claimed) return false;
  try {
    const upid = await backupClient(pve).start(node, {
      vmid,
      storage,
      mode: 'snapshot',
      notesTemplate: '{{guestname}} final',
      protected: true,
    });
    await setBackupUpid(db, claimed, upid);
    return true;
  } catch (error) {
    const text = (error instanceof Error ? error.message : String(error)).slice(0, 500);
    logger.warn({ vm: lease.vmId, err: text }, 'cadangan terakhir tidak dapat dimulai / final backup could not start');
    const reason = { id: `Cadangan terakhir gagal dimulai: ${text}`, en: `The final backup could not start: ${text}` };
    if (await finishBackup(db, claimed, { outcome: 'failed', error: reason }))
      await alertFinalBackup(db, lease, `${reason.id}\n${reason.en}`, claimed);
    return false;
  }
}

/**
 * After the kept backup: the VM is stopped through a `stop` run (none when it is already off) and
 * the lease becomes `stopped` with its destruction day — one transaction, the lease row locked.
 * A failed backup clears the lease's backup (operators told) so the next day takes another.
 */
async function stopAfterBackup(
  deps: SweepDeps,
  lease: LeaseRow,
  today: string,
  policy: LeasePolicy,
  board: NoticeBoard,
): Promise<'stopped' | 'retry' | 'wait'> {
  const { db } = deps;
  const backup = lease.backupId
    ? await db.selectFrom('vmBackups').select(['id', 'outcome', 'volid', 'error']).where('id', '=', lease.backupId).executeTakeFirst()
    : undefined;
  if (!backup) return 'retry';
  if (backup.outcome === 'running') return 'wait';
  if (backup.outcome === 'failed') {
    const err = backup.error as { id?: string; en?: string } | null;
    await db.transaction().execute((tx) => moveLease(tx, lease.vmId, ['final_backup'], 'final_backup', { backupId: null }));
    await alertFinalBackup(db, lease, `${err?.id ?? ''}\n${err?.en ?? ''}`.trim(), backup.id);
    return 'wait';
  }
  const destroyOn = leaseDestroyOn(today, policy);
  const done = await db.transaction().execute(async (tx) => {
    const locked = await lockLease(tx, lease.vmId);
    if (!locked || locked.state !== 'final_backup' || locked.backupId !== backup.id) return false;
    if (await liveRun(tx, locked.requestId)) return false;
    let stopRunId: string | null = null;
    if (locked.vmState === 'running') {
      const run = await insertRun(tx, { requestId: locked.requestId, vmId: locked.vmId, kind: 'stop', requestedBy: null, params: {} });
      await enqueueJob(tx, 'vm.action', { runId: run.id }, { dedupKey: `run:${run.id}` });
      stopRunId = run.id;
    }
    await moveLease(tx, lease.vmId, ['final_backup'], 'stopped', { stoppedOn: today, destroyOn, stopRunId });
    await appendAudit(tx, {
      ...SYSTEM,
      institutionId: lease.institutionId,
      action: 'vm.lease_stopped',
      targetType: 'vm',
      targetId: lease.vmId,
      before: { leaseState: 'final_backup', vmState: locked.vmState },
      after: { leaseState: 'stopped', stopRunId, destroyOn, keptBackup: backup.volid },
    });
    return true;
  });
  if (!done) return 'wait';
  board.add({ ...lease, keptVolid: backup.volid ?? '?' }, { step: 'stopped', stoppedOn: today, destroyOn });
  return 'stopped';
}

/**
 * The last step: the VM and its request become `decommissioning` and a `decommission` run (the
 * existing destroy path) removes it and releases its address — in one transaction with the lease
 * row moved to `destroying`, so a second sweep finds nothing to do.
 */
async function destroy(db: Db, lease: LeaseRow, today: string, board: NoticeBoard): Promise<boolean> {
  const done = await db.transaction().execute(async (tx) => {
    const locked = await lockLease(tx, lease.vmId);
    if (!locked || locked.state !== 'stopped' || !locked.destroyOn || locked.destroyOn > today) return false;
    if (await liveRun(tx, locked.requestId)) return false;
    if (!(await transitionVm(tx, locked.vmId, ['running', 'stopped', 'missing'], 'decommissioning', { onMismatch: 'skip' }))) return false;
    await transitionRequest(tx, locked.requestId, ['active', 'stopped', 'expiring', 'failed'], 'decommissioning', { onMismatch: 'skip' });
    const run = await insertRun(tx, {
      requestId: locked.requestId,
      vmId: locked.vmId,
      kind: 'decommission',
      requestedBy: null,
      params: { reason: `lease: agreement ${locked.agreementNumber} ended on ${locked.endedOn}` },
    });
    await enqueueJob(tx, 'vm.action', { runId: run.id }, { dedupKey: `run:${run.id}` });
    await moveLease(tx, lease.vmId, ['stopped'], 'destroying', { destroyRunId: run.id });
    await appendAudit(tx, {
      ...SYSTEM,
      institutionId: locked.institutionId,
      action: 'vm.lease_destroying',
      targetType: 'vm',
      targetId: locked.vmId,
      before: { leaseState: 'stopped', vmState: locked.vmState },
      after: { leaseState: 'destroying', runId: run.id },
    });
    return true;
  });
  if (done) board.add(lease, { step: 'destroying', on: today });
  return done;
}

/**
 * One lease sweep on the WIB day of `now`:
 * 1. a VM whose agreement ended (or was revoked) moves to a successor in force, or starts its
 *    grace period;
 * 2. at the end of the grace period the kept (protected) final backup is taken, and once it is
 *    recorded the VM is stopped through a `stop` run;
 * 3. on the destruction day the VM is destroyed through a `decommission` run;
 * and the notice 7 and 1 days before each step is written to the institution's head and staff
 * and to operators — one notice per institution and milestone, listing its VPSs that reached it.
 *
 * Safe to run twice, and by two workers at once: the state machine is stored (`vm_leases`), each
 * step moves one row out of the state it starts from in the same transaction as the run it
 * queues (row locked, SKIP LOCKED), the kept backup is one row per VM and day, and every notice's
 * reason `lease:<institution>:<step>:<day>:<set of VPSs>` makes a repeat a no-op.
 */
export async function sweepLeases(deps: SweepDeps, now: Date = new Date()): Promise<LeaseSweepResult> {
  const { db } = deps;
  const today = todayInJakarta(now);
  const policy = await getLeasePolicy(db);
  const result: LeaseSweepResult = { covered: 0, graced: 0, backups: 0, stopped: 0, destroyed: 0, notices: 0 };
  const board = new NoticeBoard();
  Object.assign(result, await enterGrace(db, today, policy, board));
  for (const lease of await listOpenLeases(db)) {
    if (lease.state === 'grace') {
      if (today >= lease.graceUntil) {
        if (await startFinalBackup(deps, lease, today)) result.backups++;
      } else {
        const days = dueLeaseNotice(today, lease.graceUntil);
        if (days !== null) board.add(lease, { step: 'stop_ahead', stopOn: lease.graceUntil, days });
      }
    } else if (lease.state === 'final_backup') {
      const outcome = await stopAfterBackup(deps, lease, today, policy, board);
      if (outcome === 'stopped') result.stopped++;
      if (outcome === 'retry' && (await startFinalBackup(deps, lease, today))) result.backups++;
    } else if (lease.state === 'stopped' && lease.destroyOn) {
      if (today >= lease.destroyOn) {
        if (await destroy(db, lease, today, board)) result.destroyed++;
      } else {
        const days = dueLeaseNotice(today, lease.destroyOn);
        if (days !== null) board.add(lease, { step: 'destroy_ahead', destroyOn: lease.destroyOn, days });
      }
    }
  }
  result.notices = await board.send(db);
  return result;
}

/** `leases.sweep`: the lease state machine, daily (see sweepLeases for why running it twice is safe). */
export function leasesSweepJob(deps: WorkerDeps): JobHandler<'leases.sweep'> {
  return async () => {
    const result = await sweepLeases(deps);
    if (Object.values(result).some((n) => n > 0)) deps.logger.info(result, 'sewa VM disapu / leases swept');
    return result;
  };
}
