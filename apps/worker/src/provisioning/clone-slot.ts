import { randomUUID } from 'node:crypto';
import { releaseCloneLease, renewCloneLease, takeCloneLease, type Db } from '@betang/db';
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

/**
 * How long a lease lives without renewal: a worker that died while copying stops counting after
 * at most this (a parked run renews its lease up to its parking time plus this margin).
 */
export const CLONE_LEASE_TTL_MS = 60_000;

/** The error a caller gets when no clone slot of `node` freed within its budget (retried later). */
export function cloneSlotsBusy(node: string, limit: number): Error {
  return transient(
    'CLONE_SLOTS_BUSY',
    {
      id: `Semua ${limit} slot clone di node ${node} sedang dipakai; dicoba lagi nanti.`,
      en: `All ${limit} clone slots on node ${node} are busy; will try again later.`,
    },
    { node },
  );
}

/** Releases `holder`'s lease and hands the freed slot to this process's longest waiter for `node`. Idempotent. */
export async function releaseCloneSlot(db: Db, node: string | undefined, holder: string): Promise<void> {
  await releaseCloneLease(db, holder);
  if (node) wakeOne(node);
}

type CloneSlotOptions = {
  signal?: AbortSignal;
  /** Interval for noticing slots freed by other processes (in-process releases wake a waiter at once). */
  pollMs?: number;
  /** Who holds the lease (a run id); a fresh id unless given. */
  holder?: string;
};

/**
 * Runs `fn` while holding one of `limit` clone leases of `node`, shared by every worker instance
 * and by parked clones (clone_leases, counted under the node's advisory lock): renewed while `fn`
 * runs, released after it, and expired within CLONE_LEASE_TTL_MS if this process dies. Waits up
 * to `waitMs` for a free slot, then throws a transient error (the step is retried later). A slot
 * freed in this process goes at once to the longest waiter here; slots freed by other processes
 * are noticed by polling (every `pollMs`, 500 ms unless given). A waiter never sleeps past `waitMs`.
 */
export async function withCloneSlot<T>(
  db: Db,
  node: string,
  limit: number,
  waitMs: number,
  fn: () => Promise<T>,
  { signal, pollMs = DEFAULT_POLL_MS, holder = randomUUID() }: CloneSlotOptions = {},
): Promise<T> {
  const until = Date.now() + waitMs;
  for (;;) {
    if (await takeCloneLease(db, node, holder, limit, CLONE_LEASE_TTL_MS)) {
      const renew = setInterval(
        () => void renewCloneLease(db, holder, { marginMs: CLONE_LEASE_TTL_MS }).catch(() => undefined),
        CLONE_LEASE_TTL_MS / 3,
      );
      renew.unref();
      try {
        return await fn();
      } finally {
        clearInterval(renew);
        await releaseCloneSlot(db, node, holder);
      }
    }
    if (Date.now() >= until || signal?.aborted) throw cloneSlotsBusy(node, limit);
    await waitForSlot(node, Math.min(pollMs, until - Date.now()), signal);
  }
}
