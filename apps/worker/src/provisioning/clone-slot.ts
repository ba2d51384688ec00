import { withFirstFreeSessionLock, type Db } from '@betang/db';
import { transient } from '../harness/run-error';

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

/**
 * Runs `fn` while holding one of `limit` clone slots of `node`, shared by every worker instance:
 * each slot is a session-level PostgreSQL advisory lock on a connection reserved for the clone
 * (no transaction held open), so a crashed worker's slot is freed with its connection. Waits up to
 * `waitMs` for a free slot, then throws a transient error (the step is retried later).
 */
export async function withCloneSlot<T>(db: Db, node: string, limit: number, waitMs: number, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  const until = Date.now() + waitMs;
  for (;;) {
    const slots = Array.from({ length: limit }, (_, slot) => `betang:clone-slot:${node}:${slot}`);
    const outcome = await withFirstFreeSessionLock(db, slots, fn);
    if (outcome.ran) return outcome.value;
    if (Date.now() >= until || signal?.aborted) {
      throw transient('CLONE_SLOTS_BUSY', {
        id: `Semua ${limit} slot clone di node ${node} sedang dipakai; dicoba lagi nanti.`,
        en: `All ${limit} clone slots on node ${node} are busy; will try again later.`,
      }, { node });
    }
    await sleep(500, signal);
  }
}
