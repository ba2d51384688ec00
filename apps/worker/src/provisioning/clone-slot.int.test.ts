import { createTestDatabase, type TestDatabase } from '@betang/testkit';
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
});
