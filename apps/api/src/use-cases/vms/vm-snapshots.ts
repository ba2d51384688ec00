import { randomUUID } from 'node:crypto';
import {
  AppError,
  DEFAULT_SNAPSHOT_POLICY,
  ErrorCode,
  ZSnapshotPolicy,
  bilingualReason,
  canSeeInstitution,
  institutionFailureReason,
  seesAllInstitutions,
  type Actor,
  type SnapshotPolicy,
  type SnapshotStatus,
  type TakeSnapshotBody,
  type VmSnapshotDto,
} from '@betang/core';
import { appendAudit, enqueueJob, getSetting, insertRun, type Executor, type Tx } from '@betang/db';
import type { AuditMeta } from '../vps-requests/audit-meta';
import { lockVm } from './request-vm-action';
import { refuseWhileBusy } from './refuse-while-busy';

/** Statuses a snapshot counts against the limit in (it exists on Proxmox or is on its way there). */
const LIVE: readonly SnapshotStatus[] = ['creating', 'present', 'deleting'];

/** The admin's snapshot policy (default: 3 per VM, 7 days). */
export function snapshotPolicy(db: Executor): Promise<SnapshotPolicy> {
  return getSetting(db, 'snapshot_policy', ZSnapshotPolicy, DEFAULT_SNAPSHOT_POLICY);
}

type SnapshotRow = {
  id: string;
  name: string;
  label: string;
  withRam: boolean;
  status: string;
  createdAt: Date;
  takenAt: Date | null;
  failure: string | null;
};

/** A row as the API shows it, with the moment the age limit removes it. */
export function snapshotDto(row: SnapshotRow, policy: SnapshotPolicy): VmSnapshotDto {
  return {
    id: row.id,
    name: row.name,
    label: row.label,
    withRam: row.withRam,
    status: row.status as SnapshotStatus,
    createdAt: row.createdAt.toISOString(),
    takenAt: row.takenAt?.toISOString() ?? null,
    expiresAt: row.takenAt ? new Date(row.takenAt.getTime() + policy.maxAgeDays * 86_400_000).toISOString() : null,
    failure: row.failure,
  };
}

/**
 * Why snapshots fail, as `actor` may read it: the worker's text (storage and volume names) for
 * the data-center roles, a humane reason for the institution's people (docs/security.md §15).
 */
function failureFor(actor: Actor, text: string | null, code: string): string | null {
  if (text === null || seesAllInstitutions(actor)) return text;
  return bilingualReason(institutionFailureReason(code));
}

/**
 * A VM's snapshots that exist or are on their way, plus the last failed attempts of the past
 * day (so the owner reads why), oldest first; 404 for a VM outside the actor's tenancy.
 */
export async function listVmSnapshots(db: Executor, actor: Actor, vmId: string) {
  const vm = await db.selectFrom('vms').select(['id', 'institutionId', 'snapshotsUnsupported']).where('id', '=', vmId).executeTakeFirst();
  if (!vm || !canSeeInstitution(actor, vm.institutionId)) throw new AppError(ErrorCode.NotFound);
  const policy = await snapshotPolicy(db);
  const rows = await db
    .selectFrom('vmSnapshots')
    .select(['id', 'name', 'label', 'withRam', 'status', 'createdAt', 'takenAt', 'failure'])
    .where('vmId', '=', vmId)
    .where((eb) =>
      eb.or([eb('status', 'in', LIVE), eb.and([eb('status', '=', 'failed'), eb('createdAt', '>', new Date(Date.now() - 86_400_000))])]),
    )
    .orderBy('createdAt', 'asc')
    .execute();
  return {
    items: rows.map((r) =>
      snapshotDto(
        { ...r, failure: failureFor(actor, r.failure, r.failure === vm.snapshotsUnsupported ? 'SNAPSHOT_UNSUPPORTED' : 'SNAPSHOT_GONE') },
        policy,
      ),
    ),
    policy,
    unsupported: failureFor(actor, vm.snapshotsUnsupported, 'SNAPSHOT_UNSUPPORTED'),
  };
}

/** The VM locked, in a state snapshots apply to (running or stopped) and not busy with another run. */
async function lockSnapshotVm(tx: Tx, actor: Actor, vmId: string) {
  const vm = await lockVm(tx, actor, vmId);
  if (vm.state !== 'running' && vm.state !== 'stopped')
    throw new AppError(ErrorCode.InvalidState, {
      id: `VM berstatus ${vm.state}; snapshot hanya untuk VM yang menyala atau mati.`,
      en: `The VM is ${vm.state}; snapshots apply only to a running or stopped VM.`,
    });
  await refuseWhileBusy(tx, vm.requestId);
  return vm;
}

async function queueRun(
  tx: Tx,
  actor: Actor,
  vm: { id: string; requestId: string; institutionId: string },
  kind: 'snapshot' | 'snapshot_rollback' | 'snapshot_delete',
  params: Record<string, unknown>,
  meta: AuditMeta,
  audit: { action: string; after: Record<string, unknown> },
): Promise<string> {
  const run = await insertRun(tx, { requestId: vm.requestId, vmId: vm.id, kind, requestedBy: actor.userId, params });
  await enqueueJob(tx, 'vm.action', { runId: run.id }, { dedupKey: `run:${run.id}` });
  await appendAudit(tx, {
    ...meta,
    institutionId: vm.institutionId,
    action: audit.action,
    targetType: 'vm',
    targetId: vm.id,
    after: { runId: run.id, ...audit.after },
  });
  return run.id;
}

/**
 * Asks for a snapshot of a VM (with its RAM when `withRam` and the VM runs): the row, the run and
 * its job in one transaction (exactly-once). Refused, with nothing written: a VM outside the
 * actor's tenancy (404), a VM being changed (409 naming the run), a storage known not to
 * snapshot (409 with the reason), snapshots turned off or the VM at the policy's limit (409
 * naming the limit).
 */
export async function takeVmSnapshot(tx: Tx, actor: Actor, vmId: string, body: TakeSnapshotBody, meta: AuditMeta) {
  const vm = await lockSnapshotVm(tx, actor, vmId);
  if (vm.snapshotsUnsupported) {
    const why = seesAllInstitutions(actor)
      ? { id: vm.snapshotsUnsupported, en: vm.snapshotsUnsupported }
      : institutionFailureReason('SNAPSHOT_UNSUPPORTED');
    throw new AppError(ErrorCode.PreconditionFailed, {
      id: `Snapshot tidak dapat diambil untuk VM ini. ${why.id}`,
      en: `Snapshots cannot be taken of this VM. ${why.en}`,
    });
  }
  const policy = await snapshotPolicy(tx);
  if (policy.maxPerVm === 0)
    throw new AppError(ErrorCode.QuotaExceeded, {
      id: 'Snapshot dinonaktifkan oleh admin (batas 0 snapshot per VM).',
      en: 'Snapshots are turned off by the admins (limit 0 snapshots per VM).',
    });
  const { count } = await tx
    .selectFrom('vmSnapshots')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('vmId', '=', vm.id)
    .where('status', 'in', LIVE)
    .executeTakeFirstOrThrow();
  if (Number(count) >= policy.maxPerVm)
    throw new AppError(ErrorCode.QuotaExceeded, {
      id: `Batas snapshot tercapai: paling banyak ${policy.maxPerVm} snapshot per VM. Hapus snapshot lama terlebih dahulu.`,
      en: `Snapshot limit reached: at most ${policy.maxPerVm} snapshots per VM. Delete an older snapshot first.`,
    });
  const id = randomUUID();
  const row = await tx
    .insertInto('vmSnapshots')
    .values({
      id,
      vmId: vm.id,
      name: `betang-${id.replace(/-/g, '').slice(0, 12)}`,
      label: body.label ?? '',
      withRam: body.withRam === true,
      status: 'creating',
      requestedBy: actor.userId,
    })
    .returning(['id', 'name', 'label', 'withRam', 'status', 'createdAt', 'takenAt', 'failure'])
    .executeTakeFirstOrThrow();
  const runId = await queueRun(tx, actor, vm, 'snapshot', { snapshotId: id }, meta, {
    action: 'vm.snapshot_requested',
    after: { snapshot: row.name, label: row.label, withRam: row.withRam },
  });
  return { runId, snapshot: snapshotDto(row, policy) };
}

/** The snapshot row of this VM, locked; 404 for another VM's or a deleted one. */
async function lockSnapshot(tx: Tx, vmId: string, snapshotId: string) {
  const row = await tx
    .selectFrom('vmSnapshots')
    .select(['id', 'name', 'label', 'withRam', 'status', 'createdAt', 'takenAt', 'failure'])
    .where('id', '=', snapshotId)
    .where('vmId', '=', vmId)
    .where('status', '<>', 'deleted')
    .forUpdate()
    .executeTakeFirst();
  if (!row) throw new AppError(ErrorCode.NotFound, { id: 'Snapshot tidak ditemukan.', en: 'Snapshot not found.' });
  return row;
}

function notPresent(status: string): AppError {
  return new AppError(ErrorCode.InvalidState, {
    id: `Snapshot berstatus ${status}; hanya snapshot yang sudah ada yang dapat dipakai.`,
    en: `The snapshot is ${status}; only a snapshot that exists can be used.`,
  });
}

/**
 * Asks to roll the VM back to one of its snapshots (the disks and configuration go back; RAM too
 * when the snapshot has it). `start` defaults to whether the VM runs now. Same refusals as a new
 * snapshot (404 / 409 while another run is live), plus 409 for a snapshot not (or no longer) there.
 */
export async function rollbackVmSnapshot(
  tx: Tx,
  actor: Actor,
  vmId: string,
  snapshotId: string,
  start: boolean | undefined,
  meta: AuditMeta,
) {
  const vm = await lockSnapshotVm(tx, actor, vmId);
  const row = await lockSnapshot(tx, vm.id, snapshotId);
  if (row.status !== 'present') throw notPresent(row.status);
  const policy = await snapshotPolicy(tx);
  const startAfter = start ?? vm.state === 'running';
  const runId = await queueRun(tx, actor, vm, 'snapshot_rollback', { snapshotId: row.id, start: startAfter }, meta, {
    action: 'vm.snapshot_rollback_requested',
    after: { snapshot: row.name, label: row.label, start: startAfter, stateBefore: vm.state },
  });
  return { runId, snapshot: snapshotDto(row, policy) };
}

/**
 * Asks to delete a snapshot: `deleting` and its run in one transaction; a failed attempt (never
 * on Proxmox) is simply marked deleted, without a run (`runId` null). 404 / 409 as above.
 */
export async function deleteVmSnapshot(tx: Tx, actor: Actor, vmId: string, snapshotId: string, meta: AuditMeta) {
  const vm = await lockSnapshotVm(tx, actor, vmId);
  const row = await lockSnapshot(tx, vm.id, snapshotId);
  const policy = await snapshotPolicy(tx);
  if (row.status === 'failed') {
    await tx.updateTable('vmSnapshots').set({ status: 'deleted', deletedAt: new Date() }).where('id', '=', row.id).execute();
    return { runId: null, snapshot: snapshotDto({ ...row, status: 'deleted' }, policy) };
  }
  if (row.status !== 'present') throw notPresent(row.status);
  await tx.updateTable('vmSnapshots').set({ status: 'deleting' }).where('id', '=', row.id).execute();
  const runId = await queueRun(tx, actor, vm, 'snapshot_delete', { snapshotId: row.id }, meta, {
    action: 'vm.snapshot_delete_requested',
    after: { snapshot: row.name, label: row.label },
  });
  return { runId, snapshot: snapshotDto({ ...row, status: 'deleting' }, policy) };
}
