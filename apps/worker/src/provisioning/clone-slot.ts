import { withFirstFreeSessionLock, type Db } from '@betang/db';
import { transient } from '../harness/run-error';

/** Waiters of this process per node, woken one at a time when a clone here frees a slot. */
const waiters = new Map<string, Array<() => void>>();

function waitForSlot(node: string, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const queue = waiters.get(node) ?? [];
    waiters.set(node, queue);
    const done = () => {
      clearTimeout(timer);
      const i = queue.indexOf(done);
      if (i >= 0) queue.splice(i, 1);
      resolve();
    };
    const timer = setTimeout(done, ms);
    queue.push(done);
    signal?.addEventListener('abort', done, { once: true });
  });
}

function wakeOne(node: string): void {
  waiters.get(node)?.[0]?.();
}

/** How many callers in this process are waiting for a clone slot of `node` right now. */
export function cloneSlotWaiters(node: string): number {
  return waiters.get(node)?.length ?? 0;
}

/** How often a waiter looks again for a slot freed by another process. */
const DEFAULT_POLL_MS = 500;

type CloneSlotOptions = {
  signal?: AbortSignal;
  /** Interval for noticing slots freed by other processes (in-process releases wake a waiter at once). */
  pollMs?: number;
};

/**
 * Runs `fn` while holding one of `limit` clone slots of `node`, shared by every worker instance:
 * each slot is a session-level PostgreSQL advisory lock on a connection reserved for the clone
 * (no transaction held open), so a crashed worker's slot is freed with its connection. Waits up to
 * `waitMs` for a free slot, then throws a transient error (the step is retried later). A slot freed
 * in this process goes at once to the longest waiter here; slots freed by other processes are
 * noticed by polling (every `pollMs`, 500 ms unless given). A waiter never sleeps past `waitMs`.
 */
export async function withCloneSlot<T>(
  db: Db,
  node: string,
  limit: number,
  waitMs: number,
  fn: () => Promise<T>,
  { signal, pollMs = DEFAULT_POLL_MS }: CloneSlotOptions = {},
): Promise<T> {
  const until = Date.now() + waitMs;
  const slots = Array.from({ length: limit }, (_, slot) => `betang:clone-slot:${node}:${slot}`);
  for (;;) {
    let held = false;
    try {
      const outcome = await withFirstFreeSessionLock(db, slots, () => ((held = true), fn()));
      if (outcome.ran) return outcome.value;
    } finally {
      if (held) wakeOne(node);
    }
    if (Date.now() >= until || signal?.aborted) {
      throw transient(
        'CLONE_SLOTS_BUSY',
        {
          id: `Semua ${limit} slot clone di node ${node} sedang dipakai; dicoba lagi nanti.`,
          en: `All ${limit} clone slots on node ${node} are busy; will try again later.`,
        },
        { node },
      );
    }
    await waitForSlot(node, Math.min(pollMs, until - Date.now()), signal);
  }
}
