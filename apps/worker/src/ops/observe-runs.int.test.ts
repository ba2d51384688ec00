import { JOB_NAMES, type RunStatus } from '@betang/core';
import type { JobHandlers } from '@betang/queue';
import { createTestDatabase, makeQueuedProvisionRun, type TestDatabase } from '@betang/testkit';
import { observeRunHandlers } from './observe-runs';
import { createWorkerMetrics } from './worker-metrics';

describe('observeRunHandlers', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    await t.drop();
  });

  const handlersWith = (provision: JobHandlers['vm.provision']): JobHandlers => {
    const noop = Object.fromEntries(JOB_NAMES.map((name) => [name, async () => undefined])) as unknown as JobHandlers;
    return { ...noop, 'vm.provision': provision };
  };
  const finish = (runId: string, status: RunStatus, seconds: number) =>
    t.db
      .updateTable('provisioningRuns')
      .set({ status, startedAt: new Date(Date.now() - seconds * 1000), finishedAt: new Date(), ...(status === 'failed' ? { errorCode: 'PVE_PERMISSION', errorMessage: 'denied' } : {}) })
      .where('id', '=', runId)
      .execute();

  it('should count a run this attempt finished, by kind and outcome, with its stored duration', async () => {
    const metrics = createWorkerMetrics();
    const ok = await makeQueuedProvisionRun(t.db);
    const failed = await makeQueuedProvisionRun(t.db);
    const handlers = observeRunHandlers(
      handlersWith(async ({ runId }) => {
        if (runId === ok.runId) {
          await finish(runId, 'succeeded', 42);
          return { status: 'succeeded' };
        }
        await finish(runId, 'failed', 7);
        throw Object.assign(new Error('PVE_PERMISSION: denied'), { name: 'UnrecoverableError' });
      }),
      t.db,
      metrics,
    );
    await expect(handlers['vm.provision']({ runId: ok.runId }, undefined as never)).resolves.toEqual({ status: 'succeeded' });
    await expect(handlers['vm.provision']({ runId: failed.runId }, undefined as never)).rejects.toThrow('PVE_PERMISSION');
    const text = await metrics.render();
    expect(text).toMatch(/betang_runs_finished_total\{kind="provision",outcome="succeeded"\} 1\n/);
    expect(text).toMatch(/betang_runs_finished_total\{kind="provision",outcome="failed"\} 1\n/);
    expect(text).toMatch(/betang_run_duration_seconds_bucket\{le="60",kind="provision",outcome="succeeded"\} 1\n/);
    expect(text).toMatch(/betang_run_duration_seconds_bucket\{le="30",kind="provision",outcome="succeeded"\} 0\n/);
  });

  it('should not count a transient failure (the queue retries) nor a run already finished before', async () => {
    const metrics = createWorkerMetrics();
    const run = await makeQueuedProvisionRun(t.db);
    const transient = observeRunHandlers(handlersWith(async () => Promise.reject(new Error('ECONNRESET'))), t.db, metrics);
    await expect(transient['vm.provision']({ runId: run.runId }, undefined as never)).rejects.toThrow('ECONNRESET');
    await finish(run.runId, 'succeeded', 3);
    const skipped = observeRunHandlers(handlersWith(async () => ({ status: 'already-finished' })), t.db, metrics);
    await skipped['vm.provision']({ runId: run.runId }, undefined as never);
    expect(await metrics.render()).not.toMatch(/betang_runs_finished_total\{/);
  });
});
