import { fakeRunStore } from '../testing/fake-run-store';
import { observedRunStore } from './observe-runs';
import { createWorkerMetrics, pveOutcome } from './worker-metrics';

describe('pveOutcome', () => {
  it('should map call events to the bounded outcome set, keeping 595 apart from other 5xx', () => {
    expect(pveOutcome({ outcome: 'ok', status: 200 })).toBe('ok');
    expect(pveOutcome({ outcome: 'error', status: 403 })).toBe('4xx');
    expect(pveOutcome({ outcome: 'error', status: 500 })).toBe('5xx');
    expect(pveOutcome({ outcome: 'error', status: 595 })).toBe('595');
    expect(pveOutcome({ outcome: 'error', status: 302 })).toBe('other');
    expect(pveOutcome({ outcome: 'error' })).toBe('other');
    expect(pveOutcome({ outcome: 'timeout' })).toBe('timeout');
    expect(pveOutcome({ outcome: 'network' })).toBe('network');
  });
});

describe('observedRunStore', () => {
  it('should observe each finished step with its run kind, key, status and duration', async () => {
    const metrics = createWorkerMetrics();
    let clock = 1_000;
    const store = observedRunStore(fakeRunStore({ id: 'r1', kind: 'resize' }), metrics, () => clock);
    await store.begin('r1', 1, new Date());
    await store.plan('r1', ['stop', 'resize']);
    await store.stepRunning('r1', 'stop', 0);
    clock += 2_500;
    await store.stepDone('r1', 'stop', { status: 'done', result: null });
    await store.stepRunning('r1', 'resize', 1);
    clock += 40;
    await store.stepFailed('r1', 'resize', { code: 'PVE_LOCKED' });
    const text = await metrics.render();
    expect(text).toMatch(/betang_run_step_duration_seconds_sum\{kind="resize",step="stop",status="done"\} 2\.5\n/);
    expect(text).toMatch(/betang_run_step_duration_seconds_count\{kind="resize",step="resize",status="failed"\} 1\n/);
    expect(text).toMatch(/betang_run_step_duration_seconds_bucket\{le="0.05",kind="resize",step="resize",status="failed"\} 1\n/);
  });

  it('should pass the store errors through and observe nothing for a step whose write failed', async () => {
    const metrics = createWorkerMetrics();
    const inner = fakeRunStore({ id: 'r2' });
    const store = observedRunStore({ ...inner, stepDone: () => Promise.reject(new Error('db down')) }, metrics);
    await store.begin('r2', 1, new Date());
    await store.plan('r2', ['clone']);
    await store.stepRunning('r2', 'clone', 0);
    await expect(store.stepDone('r2', 'clone', { status: 'done', result: null })).rejects.toThrow('db down');
    expect(await metrics.render()).not.toMatch(/betang_run_step_duration_seconds_count\{/);
  });
});
