import type { PveClient } from '@betang/proxmox';
import { pino } from 'pino';
import { MAX_WORKER_CONCURRENCY, startConcurrencySizing, workerConcurrency } from './worker-concurrency';

/** Answers `/cluster/resources?type=node` with the given node statuses; `down` makes every call fail. */
function cluster(statuses: () => string[] | 'down'): PveClient {
  const request = async (_method: string, _path: string, query?: { type?: string }) => {
    const now = statuses();
    if (now === 'down') throw new Error('connect ECONNREFUSED 127.0.0.1:8006');
    if (query?.type !== 'node') return [];
    return now.map((status, i) => ({ id: `node/pve${i + 1}`, type: 'node', node: `pve${i + 1}`, status }));
  };
  // Only `request` is used by nodeCapacity.
  return { request } as unknown as PveClient;
}

describe('workerConcurrency', () => {
  it('should be online nodes × clone limit under auto, at least 1 and at most the cap', () => {
    expect(workerConcurrency('auto', 2, 3)).toBe(6);
    expect(workerConcurrency('auto', 2, 0)).toBe(1);
    expect(workerConcurrency('auto', 32, 10)).toBe(MAX_WORKER_CONCURRENCY);
    expect(workerConcurrency(4, 2, 3)).toBe(4);
    expect(workerConcurrency(16, 2, 3)).toBe(6);
    expect(workerConcurrency(1, 2, 3)).toBe(1);
  });

  it('should start with one node worth under auto, or the number set, while the cluster does not answer', () => {
    expect(workerConcurrency('auto', 2, undefined)).toBe(2);
    expect(workerConcurrency(8, 2, undefined)).toBe(8);
    expect(workerConcurrency(500, 2, undefined)).toBe(MAX_WORKER_CONCURRENCY);
  });
});

describe('startConcurrencySizing', () => {
  afterEach(() => jest.useRealTimers());

  it('should size from the online nodes, follow the cluster, and keep the size through a round PVE does not answer', async () => {
    let statuses: string[] | 'down' = ['online', 'online', 'offline'];
    const applied: number[] = [];
    jest.useFakeTimers();
    const sizing = await startConcurrencySizing({
      setting: 'auto',
      cloneLimit: 2,
      pve: cluster(() => statuses),
      everyMs: 1_000,
      log: pino({ level: 'silent' }),
      apply: (n) => applied.push(n),
    });
    try {
      expect(sizing.initial).toBe(4);
      statuses = ['online', 'online', 'online'];
      await jest.advanceTimersByTimeAsync(1_000);
      expect(applied).toEqual([6]);
      statuses = 'down';
      await jest.advanceTimersByTimeAsync(3_000);
      expect(applied).toEqual([6]);
      statuses = ['online'];
      await jest.advanceTimersByTimeAsync(1_000);
      expect(applied).toEqual([6, 2]);
    } finally {
      sizing.stop();
    }
  });

  it('should fall back to the setting without PVE configured', async () => {
    const sizing = await startConcurrencySizing({
      setting: 3,
      cloneLimit: 2,
      pve: undefined,
      everyMs: 60_000,
      log: pino({ level: 'silent' }),
      apply: () => undefined,
    });
    sizing.stop();
    expect(sizing.initial).toBe(3);
  });
});
