import { putSetting, type Db } from '@betang/db';
import { createTestDatabase, makeQueuedProvisionRun, type TestDatabase } from '@betang/testkit';
import { pruneSnapshots } from './snapshots-prune.job';

const DAY = 86_400_000;

/**
 * The age sweep against real PostgreSQL: only snapshots past maxAgeDays are queued for deletion
 * (present → deleting with one snapshot_delete run and job each), a VM busy with a run waits for
 * the next sweep, and a second sweep queues nothing.
 */
describe('snapshots.prune', () => {
  let t: TestDatabase;
  let db: Db;

  beforeAll(async () => {
    t = await createTestDatabase();
    db = t.db;
  });
  afterAll(() => t?.drop());

  async function vmWithSnapshots(
    ages: number[],
    state: 'running' | 'stopped' = 'running',
  ): Promise<{ requestId: string; vmId: string; ids: string[] }> {
    const q = await makeQueuedProvisionRun(db, { ports: [] });
    await db.updateTable('provisioningRuns').set({ status: 'succeeded', finishedAt: new Date() }).where('id', '=', q.runId).execute();
    const vm = await db
      .insertInto('vms')
      .values({
        requestId: q.requestId,
        institutionId: q.institutionId,
        vmid: 100_000 + Math.floor(Math.random() * 900),
        node: 'pve1',
        name: q.hostname,
        cores: 1,
        memoryMiB: 1024,
        diskGiB: 10,
        state,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const ids: string[] = [];
    for (const [i, days] of ages.entries()) {
      const row = await db
        .insertInto('vmSnapshots')
        .values({
          vmId: vm.id,
          name: `betang-${String(i).padStart(2, '0')}${vm.id.slice(0, 10).replace(/-/g, '0')}`,
          withRam: false,
          status: 'present',
          takenAt: new Date(Date.now() - days * DAY),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      ids.push(row.id);
    }
    return { requestId: q.requestId, vmId: vm.id, ids };
  }
  const statusOf = async (id: string) =>
    (await db.selectFrom('vmSnapshots').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;
  const deleteRuns = (vmId: string) =>
    db
      .selectFrom('provisioningRuns')
      .select(['id', 'params', 'status'])
      .where('vmId', '=', vmId)
      .where('kind', '=', 'snapshot_delete')
      .execute();

  it('should queue exactly the expired snapshots once, and skip a busy VM until it is free', async () => {
    await putSetting(db, 'snapshot_policy', { maxPerVm: 5, maxAgeDays: 3 }, null);
    const idle = await vmWithSnapshots([5, 4, 1]);
    const busy = await vmWithSnapshots([10]);
    const live = await db
      .insertInto('provisioningRuns')
      .values({ requestId: busy.requestId, vmId: busy.vmId, kind: 'reboot', status: 'running', params: '{}' })
      .returning('id')
      .executeTakeFirstOrThrow();

    await pruneSnapshots(db);
    // one live run per request: the VM's second expired snapshot waits for the next sweep
    expect(await Promise.all(idle.ids.map(statusOf))).toEqual(['deleting', 'present', 'present']);
    expect(await statusOf(busy.ids[0]!)).toBe('present');
    const runs = await deleteRuns(idle.vmId);
    expect(runs).toHaveLength(1);
    expect(runs[0]?.params).toEqual({ snapshotId: idle.ids[0] });
    const jobs = await db
      .selectFrom('outbox')
      .select('dedupKey')
      .where(
        'dedupKey',
        'in',
        runs.map((r) => `run:${r.id}`),
      )
      .execute();
    expect(jobs).toHaveLength(runs.length);
    const audit = await db.selectFrom('auditLog').select('action').where('targetId', '=', idle.vmId).execute();
    expect(audit.map((a) => a.action)).toContain('vm.snapshot_expired');

    const before = (await deleteRuns(idle.vmId)).length;
    expect(await pruneSnapshots(db)).toEqual({ queued: 0 });
    expect(await deleteRuns(idle.vmId)).toHaveLength(before);

    await db.updateTable('provisioningRuns').set({ status: 'succeeded', finishedAt: new Date() }).where('id', '=', live.id).execute();
    expect(await pruneSnapshots(db)).toEqual({ queued: 1 });
    expect(await statusOf(busy.ids[0]!)).toBe('deleting');
  });
});
