import { sql } from 'kysely';
import type { Executor } from '../database';

/** A VM the backup scheduler may back up: live on the cluster, with its service class. */
export type BackupCandidate = {
  vmId: string;
  institutionId: string;
  name: string;
  vmid: number;
  node: string;
  classification: 'strategis' | 'tinggi' | 'rendah';
  /** A provisioning or day-2 run of the VM's request is queued or running (it holds the VM). */
  busy: boolean;
};

/** Every VM in state running or stopped with a vmid and node, with its application's data classification. */
export async function listBackupCandidates(db: Executor): Promise<BackupCandidate[]> {
  const rows = await db
    .selectFrom('vms')
    .innerJoin('vpsRequests', 'vpsRequests.id', 'vms.requestId')
    .innerJoin('applications', 'applications.id', 'vpsRequests.applicationId')
    .select([
      'vms.id as vmId',
      'vms.institutionId',
      'vms.name',
      'vms.vmid',
      'vms.node',
      'applications.dataClassification as classification',
      sql<boolean>`EXISTS (SELECT 1 FROM provisioning_runs r WHERE r.request_id = vms.request_id AND r.status IN ('queued', 'running'))`.as(
        'busy',
      ),
    ])
    .where('vms.state', 'in', ['running', 'stopped'])
    .where('vms.vmid', 'is not', null)
    .where('vms.node', 'is not', null)
    .orderBy('vms.id')
    .execute();
  return rows.map((r) => ({ ...r, vmid: r.vmid!, node: r.node!, classification: r.classification as BackupCandidate['classification'] }));
}

/** vm_id + backup_date pairs already claimed (any outcome) for the given dates. */
export async function claimedBackupDays(db: Executor, dates: string[]): Promise<Set<string>> {
  if (dates.length === 0) return new Set();
  const rows = await db.selectFrom('vmBackups').select(['vmId', 'backupDate']).where('backupDate', 'in', dates).execute();
  return new Set(rows.map((r) => `${r.vmId}:${String(r.backupDate)}`));
}

/** Backups running now, per node (the per-node limit counts these, whichever worker runs them). */
export async function runningBackupsPerNode(db: Executor): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('vmBackups')
    .select(['node', (eb) => eb.fn.countAll<string>().as('n')])
    .where('outcome', '=', 'running')
    .groupBy('node')
    .execute();
  return new Map(rows.map((r) => [r.node, Number(r.n)]));
}

/**
 * Claims the VM's backup of `backupDate`: inserts the `running` row, or returns undefined when
 * that day is already claimed (by this sweep earlier, another worker, or a finished backup).
 */
export async function claimBackup(
  db: Executor,
  c: { vmId: string; backupDate: string; node: string; vmid: number; storage: string },
): Promise<string | undefined> {
  const row = await db
    .insertInto('vmBackups')
    .values({ vmId: c.vmId, backupDate: c.backupDate, node: c.node, vmid: c.vmid, storage: c.storage })
    .onConflict((oc) => oc.columns(['vmId', 'backupDate', 'kept']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

/** How a claimed backup ended. */
export type BackupEnd =
  | {
      outcome: 'ok';
      volid: string;
      sizeBytes: number;
      durationSeconds: number;
      upid: string;
      error?: { id: string; en: string };
      /** Seconds the guest was off or paused (vzdump stop/suspend mode); absent or null when it kept running. */
      downtimeSeconds?: number | null;
    }
  | { outcome: 'failed'; error: { id: string; en: string }; upid?: string; volid?: string };

/** Ends a `running` backup; false when it had already ended (another worker recovered it). */
export async function finishBackup(db: Executor, id: string, end: BackupEnd, at: Date = new Date()): Promise<boolean> {
  const r = await db
    .updateTable('vmBackups')
    .set({
      outcome: end.outcome,
      finishedAt: at,
      volid: end.volid ?? null,
      sizeBytes: end.outcome === 'ok' ? end.sizeBytes : null,
      durationSeconds: end.outcome === 'ok' ? end.durationSeconds : null,
      downtimeSeconds: end.outcome === 'ok' ? (end.downtimeSeconds ?? null) : null,
      upid: end.upid ?? null,
      error: end.error ? JSON.stringify(end.error) : null,
    })
    .where('id', '=', id)
    .where('outcome', '=', 'running')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Records the task's UPID as soon as vzdump answers, so a recovery can look at that task. */
export async function setBackupUpid(db: Executor, id: string, upid: string): Promise<void> {
  await db.updateTable('vmBackups').set({ upid }).where('id', '=', id).execute();
}

/** A backup row as the API and the recovery read it. */
export type VmBackupRow = {
  id: string;
  vmId: string;
  backupDate: string;
  node: string;
  vmid: number;
  storage: string;
  startedAt: Date;
  finishedAt: Date | null;
  durationSeconds: number | null;
  sizeBytes: number | null;
  volid: string | null;
  upid: string | null;
  outcome: 'running' | 'ok' | 'failed';
  error: { id: string; en: string } | null;
  /** The final backup of an ended lease (protected on the storage; retention never prunes it). */
  kept: boolean;
  /** Seconds the guest was off or paused for this backup (stop/suspend mode), or null. */
  downtimeSeconds: number | null;
};

const COLUMNS = [
  'id',
  'vmId',
  'backupDate',
  'node',
  'vmid',
  'storage',
  'startedAt',
  'finishedAt',
  'durationSeconds',
  'sizeBytes',
  'volid',
  'upid',
  'outcome',
  'error',
  'kept',
  'downtimeSeconds',
] as const;

function toRow(r: Record<(typeof COLUMNS)[number], unknown>): VmBackupRow {
  return {
    ...(r as unknown as VmBackupRow),
    backupDate: String(r.backupDate),
    sizeBytes: r.sizeBytes === null ? null : Number(r.sizeBytes),
  };
}

/** Every backup still `running`, oldest first. */
export async function listRunningBackups(db: Executor): Promise<VmBackupRow[]> {
  const rows = await db.selectFrom('vmBackups').select(COLUMNS).where('outcome', '=', 'running').orderBy('startedAt').execute();
  return rows.map(toRow);
}

/** The VM's backups, newest first (at most `limit`). */
export async function listVmBackups(db: Executor, vmId: string, limit = 100): Promise<VmBackupRow[]> {
  const rows = await db
    .selectFrom('vmBackups')
    .select(COLUMNS)
    .where('vmId', '=', vmId)
    .orderBy('startedAt', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toRow);
}
