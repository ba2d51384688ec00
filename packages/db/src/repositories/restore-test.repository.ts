import type { Executor } from '../database';

type Bilingual = { id: string; en: string };

/** The stages of a test restore's state machine (see the migration). */
export type RestoreTestStage = 'restore' | 'check' | 'cleanup' | 'done';

/** What the booted copy showed (stored as `checks`). */
export type RestoreTestCheckRecord = {
  agent: boolean;
  os: string | null;
  rootFilesystem: { type: string; usedBytes: number | null; totalBytes: number | null } | null;
};

/** A VM a test restore may be claimed for: in service, with its newest successful backup (if any). */
export type RestoreTestCandidate = {
  vmId: string;
  name: string;
  institutionId: string;
  vmid: number;
  createdAt: Date;
  backup: { id: string; volid: string; node: string; backupDate: string } | null;
};

/** Every VM in state running or stopped with a vmid, with the newest `ok` backup it has. */
export async function listRestoreTestCandidates(db: Executor): Promise<RestoreTestCandidate[]> {
  const rows = await db
    .selectFrom('vms')
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('vmBackups as b')
          .select(['b.id', 'b.volid', 'b.node', 'b.backupDate'])
          .whereRef('b.vmId', '=', 'vms.id')
          .where('b.outcome', '=', 'ok')
          .orderBy('b.startedAt', 'desc')
          .limit(1)
          .as('latest'),
      (join) => join.onTrue(),
    )
    .select([
      'vms.id as vmId',
      'vms.name',
      'vms.institutionId',
      'vms.vmid',
      'vms.createdAt',
      'latest.id as backupId',
      'latest.volid',
      'latest.node as backupNode',
      'latest.backupDate',
    ])
    .where('vms.state', 'in', ['running', 'stopped'])
    .where('vms.vmid', 'is not', null)
    .orderBy('vms.id')
    .execute();
  return rows.map((r) => ({
    vmId: r.vmId,
    name: r.name,
    institutionId: r.institutionId,
    vmid: r.vmid!,
    createdAt: r.createdAt,
    backup:
      r.backupId && r.volid && r.backupNode
        ? { id: r.backupId, volid: r.volid, node: r.backupNode, backupDate: String(r.backupDate) }
        : null,
  }));
}

/** VMs whose test of `period` is claimed already (any outcome). */
export async function claimedRestoreTestVms(db: Executor, period: string): Promise<Set<string>> {
  const rows = await db.selectFrom('vmRestoreTests').select('vmId').where('period', '=', period).execute();
  return new Set(rows.map((r) => r.vmId));
}

/** Test VMs alive now (stage before `done`), per node: the per-node limit counts these, whichever worker runs them. */
export async function activeRestoreTestsPerNode(db: Executor): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('vmRestoreTests')
    .select(['node', (eb) => eb.fn.countAll<string>().as('n')])
    .where('stage', '<>', 'done')
    .groupBy('node')
    .execute();
  return new Map(rows.map((r) => [r.node, Number(r.n)]));
}

/**
 * The vmids of tests not yet `done`, and of those done since `finishedSince`: a vmid is handed to a
 * new test only once the task list no longer shows the previous copy's qmrestore as recent.
 */
export async function heldRestoreTestVmids(db: Executor, finishedSince: Date): Promise<Set<number>> {
  const rows = await db
    .selectFrom('vmRestoreTests')
    .select('testVmid')
    .where('testVmid', 'is not', null)
    .where((eb) => eb.or([eb('stage', '<>', 'done'), eb('finishedAt', '>', finishedSince)]))
    .execute();
  return new Set(rows.map((r) => r.testVmid!));
}

/**
 * Claims the VM's test of `period` with the vmid its copy will get: inserts the row, or returns
 * undefined when that month is claimed already. Without a backup the row is born failed and
 * done (there is nothing to restore: that is the finding).
 */
export async function claimRestoreTest(
  db: Executor,
  c: { vmId: string; period: string; node: string; testVmid?: number; backupId?: string; volid?: string; noBackup?: Bilingual },
  at: Date = new Date(),
): Promise<string | undefined> {
  const failed = c.noBackup !== undefined;
  const row = await db
    .insertInto('vmRestoreTests')
    .values({
      vmId: c.vmId,
      period: c.period,
      node: c.node,
      testVmid: c.testVmid ?? null,
      backupId: c.backupId ?? null,
      volid: c.volid ?? null,
      startedAt: at,
      stageStartedAt: at,
      ...(failed ? { stage: 'done', outcome: 'failed', verdictAt: at, finishedAt: at, error: JSON.stringify(c.noBackup) } : {}),
    })
    .onConflict((oc) => oc.columns(['vmId', 'period']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

/** A test restore row as the sweep and the API read it. */
export type RestoreTestRow = {
  id: string;
  vmId: string;
  period: string;
  backupId: string | null;
  volid: string | null;
  node: string;
  testVmid: number | null;
  stage: RestoreTestStage;
  upid: string | null;
  startedAt: Date;
  stageStartedAt: Date;
  verdictAt: Date | null;
  finishedAt: Date | null;
  outcome: 'running' | 'ok' | 'failed';
  checks: RestoreTestCheckRecord | null;
  error: Bilingual | null;
};

const COLUMNS = [
  'id',
  'vmId',
  'period',
  'backupId',
  'volid',
  'node',
  'testVmid',
  'stage',
  'upid',
  'startedAt',
  'stageStartedAt',
  'verdictAt',
  'finishedAt',
  'outcome',
  'checks',
  'error',
] as const;

/** Every test not yet `done`, oldest first. */
export async function listActiveRestoreTests(db: Executor): Promise<RestoreTestRow[]> {
  const rows = await db.selectFrom('vmRestoreTests').select(COLUMNS).where('stage', '<>', 'done').orderBy('startedAt').execute();
  return rows as RestoreTestRow[];
}

/** Records the qmrestore's UPID as soon as Proxmox answers, so a successor looks at that task. */
export async function setRestoreTestUpid(db: Executor, id: string, upid: string): Promise<void> {
  await db.updateTable('vmRestoreTests').set({ upid }).where('id', '=', id).where('stage', '=', 'restore').execute();
}

/** What moving a test on writes: the next stage and, once known, the verdict. */
export type RestoreTestAdvance = {
  stage: RestoreTestStage;
  verdict?: { outcome: 'ok' | 'failed'; checks?: RestoreTestCheckRecord; error?: Bilingual };
};

/**
 * Moves the test from stage `from` to the next: false when it is no longer in `from` (another
 * worker moved it), so each transition — and the alert that follows a failed verdict — happens once.
 */
export async function advanceRestoreTest(
  db: Executor,
  id: string,
  from: RestoreTestStage,
  next: RestoreTestAdvance,
  at: Date = new Date(),
): Promise<boolean> {
  const r = await db
    .updateTable('vmRestoreTests')
    .set({
      stage: next.stage,
      stageStartedAt: at,
      ...(next.stage === 'done' ? { finishedAt: at } : {}),
      ...(next.verdict
        ? {
            outcome: next.verdict.outcome,
            verdictAt: at,
            checks: next.verdict.checks ? JSON.stringify(next.verdict.checks) : null,
            error: next.verdict.error ? JSON.stringify(next.verdict.error) : null,
          }
        : {}),
    })
    .where('id', '=', id)
    .where('stage', '=', from)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** The VM's test restores, newest first (at most `limit`), with the backup day each one used. */
export async function listVmRestoreTests(
  db: Executor,
  vmId: string,
  limit = 24,
): Promise<Array<RestoreTestRow & { backupDate: string | null }>> {
  const rows = await db
    .selectFrom('vmRestoreTests as t')
    .leftJoin('vmBackups as b', 'b.id', 't.backupId')
    .select(COLUMNS.map((c) => `t.${c}` as const))
    .select('b.backupDate')
    .where('t.vmId', '=', vmId)
    .orderBy('t.startedAt', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ...(r as unknown as RestoreTestRow), backupDate: r.backupDate === null ? null : String(r.backupDate) }));
}

/** One line of a month's report: a VM in service now or tested that month, and its test if any. */
export type RestoreTestReportLine = {
  vmId: string;
  vmName: string;
  vmid: number | null;
  institution: string;
  test: (RestoreTestRow & { backupDate: string | null }) | null;
};

/**
 * The month's report: every VM in service now plus every VM tested that month (a VM destroyed
 * since still counts), each with its test of `period`. Read-only.
 */
export async function restoreTestReportLines(db: Executor, period: string): Promise<RestoreTestReportLine[]> {
  const tests = await db
    .selectFrom('vmRestoreTests as t')
    .leftJoin('vmBackups as b', 'b.id', 't.backupId')
    .select(COLUMNS.map((c) => `t.${c}` as const))
    .select('b.backupDate')
    .where('t.period', '=', period)
    .execute();
  const byVm = new Map(
    tests.map((r) => [r.vmId, { ...(r as unknown as RestoreTestRow), backupDate: r.backupDate === null ? null : String(r.backupDate) }]),
  );
  const vms = await db
    .selectFrom('vms')
    .innerJoin('institutions as i', 'i.id', 'vms.institutionId')
    .select(['vms.id as vmId', 'vms.name as vmName', 'vms.vmid', 'vms.state', 'i.name as institution'])
    .where((eb) => {
      const inService = eb('vms.state', 'in', ['running', 'stopped']);
      return byVm.size > 0 ? eb.or([inService, eb('vms.id', 'in', [...byVm.keys()])]) : inService;
    })
    .orderBy('i.name')
    .orderBy('vms.name')
    .execute();
  return vms.map((v) => ({ vmId: v.vmId, vmName: v.vmName, vmid: v.vmid, institution: v.institution, test: byVm.get(v.vmId) ?? null }));
}

/** Records that the month's report was sent; false when it had been (so it is sent once). */
export async function recordRestoreTestReport(db: Executor, period: string, summary: unknown): Promise<boolean> {
  const r = await db
    .insertInto('restoreTestReports')
    .values({ period, summary: JSON.stringify(summary) })
    .onConflict((oc) => oc.column('period').doNothing())
    .returning('period')
    .executeTakeFirst();
  return r !== undefined;
}
