import { randomUUID } from 'node:crypto';
import { createDatabase, liveCloneLeases, releaseCloneLease, renewCloneLease, takeCloneLease, type Db } from '@betang/db';
import { createTestDatabase, type TestDatabase } from '@betang/testkit';
import { sql } from 'kysely';
import { cloneSlotWaiters, withCloneSlot } from './clone-slot';

const HOUR = 60 * 60_000;
/** Ends every wait still pending when the file is done, so a failed hand-off cannot keep jest alive. */
const stop = new AbortController();
/** So long that a waiter woken by the poll would outlive the test: only an in-process hand-off can wake it. */
const NEVER_POLL = { pollMs: HOUR, signal: stop.signal };

/** Resolves once `condition()` holds, checking every 5 ms (the test's time limit bounds it). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 5));
}

/** A promise with its resolve function, to hold a clone open until the test lets it finish. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open = () => {};
  const opened = new Promise<void>((r) => (open = r));
  return { opened, open };
}

describe('withCloneSlot', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    stop.abort();
    await t.drop();
  });

  it('should hand a slot freed in this process to the waiter at once, also when the holder failed', async () => {
    for (const outcome of ['returns', 'throws'] as const) {
      const node = `pve-handoff-${outcome}-${Date.now()}`;
      const release = gate();
      let firstHolds = false;
      const first = withCloneSlot(
        t.db,
        node,
        1,
        HOUR,
        async () => {
          firstHolds = true;
          await release.opened;
          if (outcome === 'throws') throw new Error('clone failed');
          return 'first';
        },
        NEVER_POLL,
      ).catch((e: Error) => e.message);
      await until(() => firstHolds);
      const second = withCloneSlot(t.db, node, 1, HOUR, async () => 'second', NEVER_POLL);
      // The second caller found the only slot taken and sleeps; its poll would not come for an hour.
      await until(() => cloneSlotWaiters(node) === 1);
      release.open();
      expect(await Promise.all([first, second])).toEqual([outcome === 'throws' ? 'clone failed' : 'first', 'second']);
      expect(cloneSlotWaiters(node)).toBe(0);
    }
  });

  it('should give up with a transient error when no slot frees in time', async () => {
    const node = `pve-busy-${Date.now()}`;
    const release = gate();
    let holding = false;
    const holder = withCloneSlot(t.db, node, 1, HOUR, async () => {
      holding = true;
      await release.opened;
    });
    await until(() => holding);
    await expect(withCloneSlot(t.db, node, 1, 600, async () => 'never')).rejects.toMatchObject({
      code: 'CLONE_SLOTS_BUSY',
      retryable: true,
    });
    release.open();
    await holder;
  });

  it('should count leases per node against the limit, keep one lease per run, and free a released one', async () => {
    const node = `pve-lease-${Date.now()}`;
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    expect(await takeCloneLease(t.db, node, a, 2, HOUR)).toBe(true);
    // Taking again (a resumed run) is the same lease, not a second one.
    expect(await takeCloneLease(t.db, node, a, 2, HOUR)).toBe(true);
    expect(await takeCloneLease(t.db, node, b, 2, HOUR)).toBe(true);
    expect(await takeCloneLease(t.db, node, c, 2, HOUR)).toBe(false);
    // Another node's leases do not count here.
    expect(await takeCloneLease(t.db, `${node}-other`, c, 2, HOUR)).toBe(true);
    await releaseCloneLease(t.db, c);
    await releaseCloneLease(t.db, a);
    await releaseCloneLease(t.db, a);
    expect(await takeCloneLease(t.db, node, c, 2, HOUR)).toBe(true);
    expect((await liveCloneLeases(t.db, node)).map((l) => l.runId).sort()).toEqual([b, c].sort());
  });

  it('should let a lease whose holder died expire, and keep a parked one alive past its parking time', async () => {
    const node = `pve-expiry-${Date.now()}`;
    const [dead, parked, next] = [randomUUID(), randomUUID(), randomUUID()];
    expect(await takeCloneLease(t.db, node, dead, 2, 300)).toBe(true);
    expect(await takeCloneLease(t.db, node, parked, 2, 300)).toBe(true);
    // Parked for 5 s: the lease lasts at least that long plus the margin, and records the copy.
    expect(await renewCloneLease(t.db, parked, { untilMs: Date.now() + 5_000, marginMs: 1_000, upid: 'UPID:x' })).toBe(true);
    await new Promise((r) => setTimeout(r, 600));
    // The dead holder's lease expired (database clock): its slot is free again, the parked one is not.
    expect(await takeCloneLease(t.db, node, next, 2, HOUR)).toBe(true);
    expect(await takeCloneLease(t.db, node, randomUUID(), 2, HOUR)).toBe(false);
    expect((await liveCloneLeases(t.db, node)).map((l) => [l.runId, l.upid]).sort()).toEqual(
      [
        [parked, 'UPID:x'],
        [next, null],
      ].sort(),
    );
    // An expired lease is not renewed behind the limit's back: the holder must take it again.
    expect(await renewCloneLease(t.db, dead, { marginMs: HOUR })).toBe(false);
    const { rows } = await sql<{ left: number }>`
      SELECT extract(epoch FROM expires_at - clock_timestamp())::float8 AS left FROM clone_leases WHERE run_id = ${parked}`.execute(t.db);
    expect(rows[0]?.left).toBeGreaterThan(4);
  });

  it('should never let two processes together hold more than the limit of one node', async () => {
    const node = `pve-two-${Date.now()}`;
    const other: Db = createDatabase({ connectionString: t.url, poolMax: 10, applicationName: 'betang-test-2' });
    let live = 0;
    let peak = 0;
    try {
      const holder = (db: Db) => async () => {
        for (let i = 0; i < 6; i++) {
          const id = randomUUID();
          if (!(await takeCloneLease(db, node, id, 3, HOUR))) {
            await new Promise((r) => setTimeout(r, 5));
            continue;
          }
          peak = Math.max(peak, ++live);
          const held = (await liveCloneLeases(db, node)).length;
          expect(held).toBeLessThanOrEqual(3);
          await new Promise((r) => setTimeout(r, 10));
          live -= 1;
          await releaseCloneLease(db, id);
        }
      };
      await Promise.all(Array.from({ length: 8 }, (_, i) => holder(i % 2 === 0 ? t.db : other)()));
    } finally {
      await other.destroy();
    }
    expect(peak).toBeGreaterThanOrEqual(2);
    expect(peak).toBeLessThanOrEqual(3);
    expect(await liveCloneLeases(t.db, node)).toEqual([]);
  });
});
