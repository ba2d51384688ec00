import { randomUUID } from 'node:crypto';
import { createDatabase, type Db } from '@betang/db';
import type { NodeCapacity } from '@betang/proxmox';
import { createTestDatabase, type TestDatabase } from '@betang/testkit';
import { chooseNode } from './choose-node';
import { MAX_HOLD_MS, PlacementLedger, STARTED_GRACE_MS } from './placement-ledger';

const GiB = 1024 ** 3;
const node = (name: string, memFreeGiB: number): NodeCapacity => ({
  node: name,
  online: true,
  statsVisible: true,
  memFreeBytes: memFreeGiB * GiB,
  storages: [{ storage: 'ceph', content: ['images'], shared: true, available: true, freeBytes: 10_000 * GiB }],
});
const need = { sources: [{ vmid: 9000, node: 'pve1', storage: 'ceph' }], memoryBytes: 4 * GiB, diskBytes: 10 * GiB };

/** One placement as the place step makes it: choose from the shared ledger and hold the choice. */
function placeOne(ledger: PlacementLedger, nodes: readonly NodeCapacity[], runId = randomUUID()) {
  return ledger.place<ReturnType<typeof chooseNode>>(runId, (inFlight) => {
    const chosen = chooseNode(nodes, need, inFlight);
    return chosen.ok
      ? { hold: { node: chosen.node, storage: 'ceph', memoryBytes: need.memoryBytes, diskBytes: need.diskBytes }, value: chosen }
      : { hold: null, value: chosen };
  });
}

describe('PlacementLedger (PostgreSQL)', () => {
  let t: TestDatabase;
  /** A second pool on the same database: another worker process as far as PostgreSQL can tell. */
  let other: Db;
  beforeAll(async () => {
    t = await createTestDatabase();
    other = createDatabase({ connectionString: t.url, poolMax: 10, applicationName: 'betang-test-worker-2' });
  });
  afterAll(async () => {
    await other?.destroy();
    await t?.drop();
  });
  beforeEach(() => new PlacementLedger(t.db).clear());

  it('should count a placement until shortly after its VM started, never its own run, and forget released runs', async () => {
    let now = Date.parse('2026-12-08T00:00:00Z');
    const start = now;
    const ledger = new PlacementLedger(t.db, () => now);
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    const f = { storage: 'ceph', memoryBytes: GiB, diskBytes: GiB };
    for (const [run, n] of [
      [a, 'pve1'],
      [b, 'pve2'],
      [c, 'pve3'],
    ] as const) {
      await ledger.place(run, () => ({ hold: { ...f, node: n }, value: null }));
    }
    expect((await ledger.inFlight(a)).map((x) => x.node).sort()).toEqual(['pve2', 'pve3']);
    await ledger.started(a);
    await ledger.started(a); // twice changes nothing: the hold only ever shortens
    await ledger.release(b);
    await ledger.release(b);
    now = start + STARTED_GRACE_MS - 1;
    expect((await ledger.inFlight()).map((x) => x.node).sort()).toEqual(['pve1', 'pve3']);
    now = start + STARTED_GRACE_MS;
    expect((await ledger.inFlight()).map((x) => x.node).sort()).toEqual(['pve3']);
    now = start + MAX_HOLD_MS;
    expect(await ledger.inFlight()).toEqual([]);
  });

  it('should replace a run placed again, never count it twice nor against itself', async () => {
    const ledger = new PlacementLedger(t.db);
    const nodes = [node('pve1', 64), node('pve2', 64)];
    const run = randomUUID();
    const first = await placeOne(ledger, nodes, run);
    const again = await placeOne(ledger, nodes, run);
    expect(first.ok && again.ok && again.node).toBe(first.ok && first.node);
    expect(await ledger.inFlight()).toHaveLength(1);
    // A failed decision holds nothing and drops nothing else.
    const refused = await ledger.place(randomUUID(), () => ({ hold: null, value: 'none' }));
    expect(refused).toBe('none');
    expect(await ledger.inFlight()).toHaveLength(1);
  });

  it('should never overfill a node when two workers place concurrently from the same stale snapshot', async () => {
    // Room for exactly 4 VMs of 4 GiB per node, 12 in all; both workers see PVE's numbers before
    // any of the burst shows, so only the shared ledger stands between them and overfilling.
    const nodes = [node('pve1', 16), node('pve2', 17), node('pve3', 18)];
    const workers = [new PlacementLedger(t.db), new PlacementLedger(other)];
    const outcomes = await Promise.all(Array.from({ length: 40 }, (_, i) => placeOne(workers[i % 2]!, nodes)));
    const placed = outcomes.filter((o) => o.ok);
    expect(placed).toHaveLength(12);
    expect(outcomes.filter((o) => !o.ok && o.reason === 'memory')).toHaveLength(28);
    const perNode = new Map<string, number>();
    for (const p of placed) if (p.ok) perNode.set(p.node, (perNode.get(p.node) ?? 0) + 1);
    expect(Object.fromEntries(perNode)).toEqual({ pve1: 4, pve2: 4, pve3: 4 });
    // Both workers read the same ledger.
    expect(await workers[0]!.inFlight()).toHaveLength(12);
    expect(await workers[1]!.inFlight()).toHaveLength(12);
  });

  it('should refuse a hold the table cannot mean (negative memory, empty node) and keep the ledger unchanged', async () => {
    const ledger = new PlacementLedger(t.db);
    const bad = (hold: { node: string; storage: string | null; memoryBytes: number; diskBytes: number }) =>
      ledger.place(randomUUID(), () => ({ hold, value: null }));
    await expect(bad({ node: 'pve1', storage: null, memoryBytes: -1, diskBytes: 0 })).rejects.toThrow(/check constraint/);
    await expect(bad({ node: '', storage: null, memoryBytes: 1, diskBytes: 0 })).rejects.toThrow(/check constraint/);
    await expect(ledger.place('not-a-uuid', () => ({ hold: null, value: null }))).rejects.toThrow(/uuid/);
    expect(await ledger.inFlight()).toEqual([]);
  });
});
