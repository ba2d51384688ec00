import { createTestDatabase, type TestDatabase } from '@betang/testkit';
import { withCloneSlot } from './clone-slot';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('withCloneSlot', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    await t.drop();
  });

  it('should hand a slot freed in this process to the waiter at once, also when the holder failed', async () => {
    const node = `pve-${Date.now()}`;
    for (const outcome of ['returns', 'throws'] as const) {
      let firstEnded = 0;
      const first = withCloneSlot(t.db, node, 1, 10_000, async () => {
        await sleep(700);
        firstEnded = Date.now();
        if (outcome === 'throws') throw new Error('clone failed');
        return 'first';
      }).catch((e: Error) => e.message);
      await sleep(50);
      let secondStarted = 0;
      const second = withCloneSlot(t.db, node, 1, 10_000, async () => {
        secondStarted = Date.now();
        return 'second';
      });
      expect(await Promise.all([first, second])).toEqual([outcome === 'throws' ? 'clone failed' : 'first', 'second']);
      // Polling alone (every 500 ms from ~50 ms) would start it ~300 ms after the first ended.
      expect({ outcome, handoffMs: secondStarted - firstEnded < 150 }).toEqual({ outcome, handoffMs: true });
    }
  });

  it('should give up with a transient error when no slot frees in time', async () => {
    const node = `pve-busy-${Date.now()}`;
    const holder = withCloneSlot(t.db, node, 1, 10_000, () => sleep(1500));
    await sleep(50);
    await expect(withCloneSlot(t.db, node, 1, 600, async () => 'never')).rejects.toMatchObject({ code: 'CLONE_SLOTS_BUSY', retryable: true });
    await holder;
  });
});
