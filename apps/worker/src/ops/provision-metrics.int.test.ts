import { createTestDatabase, makeQueuedProvisionRun, type TestDatabase } from '@betang/testkit';
import { startProvisioningEnv, type ProvisioningEnv } from '../testing/provisioning-env';
import { runToEnd } from '../testing/run-to-end';
import { createWorkerMetrics } from './worker-metrics';

describe('worker metrics of a real provisioning run (simulator)', () => {
  jest.setTimeout(60_000);
  let t: TestDatabase;
  let env: ProvisioningEnv;
  beforeAll(async () => {
    t = await createTestDatabase();
    env = await startProvisioningEnv(t.db);
  });
  afterAll(async () => {
    await env.close();
    await t.drop();
  });

  it('should observe every provisioning step through the harness, by kind and step key', async () => {
    const metrics = createWorkerMetrics();
    const q = await makeQueuedProvisionRun(t.db, { ports: [80] });
    const run = await runToEnd({ ...env.deps, metrics }, q.runId);
    expect(run.status).toBe('succeeded');
    const text = await metrics.render();
    const steps = [
      ...text.matchAll(/^betang_run_step_duration_seconds_count\{kind="provision",step="([a-z-]+)",status="(done|skipped)"\} 1$/gm),
    ].map((m) => m[1]);
    expect(steps).toEqual(
      expect.arrayContaining(['reserve', 'place', 'clone', 'configure', 'start', 'await-agent', 'configure-guest', 'verify', 'hand-over']),
    );
    expect(text).not.toMatch(/kind="unknown"/);
    expect(text).toMatch(/^betang_runs_finished_total\{kind="provision",outcome="succeeded"\} 1$/m);
    expect(text).toMatch(/^betang_run_duration_seconds_count\{kind="provision",outcome="succeeded"\} 1$/m);
  });
});
