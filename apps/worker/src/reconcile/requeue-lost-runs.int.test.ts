import { createTestDatabase, makeQueuedProvisionRun, type TestDatabase, testLogDestination, testLogOptions } from '@betang/testkit';
import { pino } from 'pino';
import type { WorkerDeps } from '../deps';
import { MAX_REQUEUES, requeueLostRuns } from './requeue-lost-runs';

describe('requeueLostRuns', () => {
  let t: TestDatabase;
  let deps: WorkerDeps;
  beforeAll(async () => {
    t = await createTestDatabase();
    deps = {
      config: { WORKER_CONCURRENCY: 1, RUN_STALE_SECONDS: 30 },
      db: t.db,
      logger: pino(testLogOptions('requeue-lost-runs'), testLogDestination('requeue-lost-runs')),
    };
  });
  afterAll(async () => {
    await t.drop();
  });

  /** A run left `running` an hour ago whose outbox message was delivered (the job then vanished). */
  async function lostRun(): Promise<string> {
    const q = await makeQueuedProvisionRun(t.db, { poolOctet: 30 + Math.floor(Math.random() * 200) });
    await t.db
      .updateTable('provisioningRuns')
      .set({ status: 'running', heartbeatAt: new Date(Date.now() - 3_600_000) })
      .where('id', '=', q.runId)
      .execute();
    await t.db.updateTable('outbox').set({ processedAt: new Date() }).where('dedupKey', '=', `run:${q.runId}`).execute();
    return q.runId;
  }

  const requeues = (runId: string) =>
    t.db.selectFrom('outbox').select(['dedupKey', 'payload', 'processedAt']).where('dedupKey', 'like', `run:${runId}:requeue:%`).execute();

  it('should re-enqueue a run whose job vanished from the queue, once per stale period', async () => {
    const runId = await lostRun();
    expect(await requeueLostRuns({ ...deps, jobState: async () => undefined })).toContain(runId);
    const rows = await requeues(runId);
    expect(rows).toEqual([{ dedupKey: `run:${runId}:requeue:1`, payload: { name: 'vm.provision', data: { runId } }, processedAt: null }]);
    // Its message is still on the way and its heartbeat was refreshed: the next round leaves it alone.
    expect(await requeueLostRuns({ ...deps, jobState: async () => undefined })).not.toContain(runId);
  });

  it('should leave a run alone while its job is alive or merely failed, and without a queue to ask', async () => {
    const runId = await lostRun();
    expect(await requeueLostRuns({ ...deps, jobState: async () => 'active' })).not.toContain(runId);
    expect(await requeueLostRuns({ ...deps, jobState: async () => 'failed' })).not.toContain(runId);
    expect(await requeueLostRuns(deps)).toEqual([]);
    expect(await requeues(runId)).toEqual([]);
  });

  it('should leave a parked run alone until its parking time is stale, then re-enqueue it (Redis lost its delayed job)', async () => {
    const runId = await lostRun();
    const parkedUntil = (ms: number) =>
      t.db
        .updateTable('provisioningRuns')
        .set({ parkedUntil: new Date(Date.now() + ms) })
        .where('id', '=', runId)
        .execute();
    await parkedUntil(5_000);
    expect(await requeueLostRuns({ ...deps, jobState: async () => undefined })).not.toContain(runId);
    // Due 20 s ago: still within RUN_STALE_SECONDS (30 s), it may be waiting for a free slot.
    await parkedUntil(-20_000);
    expect(await requeueLostRuns({ ...deps, jobState: async () => undefined })).not.toContain(runId);
    await parkedUntil(-60_000);
    expect(await requeueLostRuns({ ...deps, jobState: async () => undefined })).toContain(runId);
  });

  it(`should give up after ${MAX_REQUEUES} re-enqueues (the reaper then fails the run)`, async () => {
    const runId = await lostRun();
    for (let i = 0; i < MAX_REQUEUES + 1; i += 1) {
      await requeueLostRuns({ ...deps, jobState: async () => undefined });
      await t.db.updateTable('outbox').set({ processedAt: new Date() }).where('dedupKey', 'like', `run:${runId}:%`).execute();
      await t.db
        .updateTable('provisioningRuns')
        .set({ heartbeatAt: new Date(Date.now() - 3_600_000) })
        .where('id', '=', runId)
        .execute();
    }
    expect(await requeues(runId)).toHaveLength(MAX_REQUEUES);
  });
});
