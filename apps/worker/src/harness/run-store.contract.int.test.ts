import { createTestDatabase, makeCatalog, makeQueuedProvisionRun, type TestDatabase } from '@betang/testkit';
import type { RunStepRow } from '@betang/db';
import { fakeRunStore } from '../testing/fake-run-store';
import { pgRunStore, type RunStore } from './run-store';

/**
 * The harness's unit tests run on the in-memory store; they prove something about production only
 * while it behaves like the PostgreSQL one. Both stores go through the same script, and every
 * answer (the begin outcome and the step rows after each call) must be the same.
 */
type Observed = {
  step: string;
  begin?: unknown;
  steps: Array<Omit<RunStepRow, 'runId' | 'startedAt' | 'finishedAt'> & { started: boolean; finished: boolean }>;
};

async function script(store: RunStore, runId: string, finish: () => Promise<void>): Promise<Observed[]> {
  const seen: Observed[] = [];
  const look = async (step: string, begin?: unknown) => {
    const steps = (await store.steps(runId)).map(({ runId: _r, startedAt, finishedAt, ...rest }) => ({
      ...rest,
      started: startedAt !== null,
      finished: finishedAt !== null,
    }));
    seen.push({ step, ...(begin === undefined ? {} : { begin }), steps });
  };
  const outcome = (o: Awaited<ReturnType<RunStore['begin']>>) =>
    o === undefined
      ? 'unknown'
      : 'run' in o
        ? { run: { status: o.run.status, attempt: o.run.attempt } }
        : { finished: { status: o.finished.status } };

  await look('begin unknown', outcome(await store.begin('00000000-0000-4000-8000-000000000000', 1, new Date(Date.now() + 60_000))));
  await look('begin', outcome(await store.begin(runId, 1, new Date(Date.now() + 60_000))));
  await store.plan(runId, ['reserve', 'clone', 'start']);
  await store.plan(runId, ['reserve', 'clone', 'start']);
  await look('plan twice');
  await store.stepRunning(runId, 'reserve', 0);
  await look('reserve running');
  await store.stepDone(runId, 'reserve', { status: 'done', result: { vmid: 4242, at: 'pve1' }, detail: 'VM 4242' });
  await look('reserve done');
  await store.stepRunning(runId, 'clone', 1);
  await store.stepFailed(runId, 'clone', { code: 'PVE_LOCK_TIMEOUT', retryable: true }, 'lock timeout on pve1');
  await look('clone failed with detail');
  await look('begin again', outcome(await store.begin(runId, 2, new Date(Date.now() + 60_000))));
  await store.stepRunning(runId, 'clone', 1);
  await look('clone running again');
  await store.stepFailed(runId, 'clone', { code: 'X' });
  await store.stepRunning(runId, 'clone', 1);
  await store.stepDone(runId, 'clone', { status: 'skipped', result: null });
  await look('clone skipped after a failure');
  await store.stepRunning(runId, 'start', 2);
  await store.stepFailed(runId, 'start', { code: 'Y' }, 'first detail');
  await store.stepFailed(runId, 'start', { code: 'Y' });
  await look('failure without detail keeps the earlier detail');
  const parkedUntil = new Date(Date.parse('2026-12-09T04:10:00Z'));
  await store.stepRunning(runId, 'start', 2);
  await look('park of a running step', await store.park(runId, 'start', { until: parkedUntil, memo: { deadlineAt: 1, upid: 'UPID:x' } }));
  await look('parked step');
  await store.unpark(runId, 'start');
  await look('unparked step keeps its memo');
  await store.stepRunning(runId, 'start', 2);
  await look('running again after a crash keeps the memo');
  await store.stepFailed(runId, 'start', { code: 'Z' });
  await look('park of a failed step refused', await store.park(runId, 'start', { until: parkedUntil, memo: 1 }));
  await store.stepRunning(runId, 'start', 2);
  await look('a step starting afresh forgets its memo');
  await store.park(runId, 'start', { until: parkedUntil, memo: { n: 1 }, detail: 'waiting' });
  await store.stepDone(runId, 'start', { status: 'done', result: 1 });
  await look('done clears the memo');
  await store.progress(runId, 40, 'start');
  await store.heartbeat(runId);
  await finish();
  await look('begin finished', outcome(await store.begin(runId, 3, new Date(Date.now() + 60_000))));
  return seen;
}

describe('RunStore: the in-memory store behaves like the PostgreSQL one', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
    await makeCatalog(t.db);
  });
  afterAll(async () => {
    await t.drop();
  });

  it('answers the same script with the same outcomes and step rows', async () => {
    const queued = await makeQueuedProvisionRun(t.db, { enqueue: false });
    const pg = await script(pgRunStore(t.db), queued.runId, async () => {
      await t.db
        .updateTable('provisioningRuns')
        .set({ status: 'succeeded', finishedAt: new Date() })
        .where('id', '=', queued.runId)
        .execute();
    });
    const fake = fakeRunStore({ id: queued.runId });
    const mem = await script(fake, queued.runId, async () => {
      fake.run.status = 'succeeded';
    });
    for (const [i, expected] of pg.entries())
      expect({ step: expected.step, observed: mem[i] }).toEqual({ step: expected.step, observed: expected });
    expect(mem).toHaveLength(pg.length);
  });
});
