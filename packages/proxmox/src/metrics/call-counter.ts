import type { PveCallEvent, PveCallListener, PveCallOutcome } from '../client/call-event';

export type CallCounterSnapshot = {
  total: number;
  byOutcome: Record<PveCallOutcome, number>;
  /** Keyed `METHOD pathTemplate`. */
  byRoute: Record<string, { calls: number; byOutcome: Record<PveCallOutcome, number>; totalMs: number }>;
};

export type CallCounter = {
  /** Pass as `onCall` to createPveClient. */
  readonly onCall: PveCallListener;
  snapshot(): CallCounterSnapshot;
  reset(): void;
};

const zero = (): Record<PveCallOutcome, number> => ({ ok: 0, error: 0, timeout: 0, network: 0 });

/**
 * A tiny in-memory counter of PVE calls by method + path template and by outcome. Labels
 * are path templates, so cardinality stays bounded. Snapshots are copies.
 */
export function createCallCounter(): CallCounter {
  let total = 0;
  let byOutcome = zero();
  let byRoute = new Map<string, { calls: number; byOutcome: Record<PveCallOutcome, number>; totalMs: number }>();
  return {
    onCall: (e: PveCallEvent) => {
      total++;
      byOutcome[e.outcome]++;
      const key = `${e.method} ${e.pathTemplate}`;
      const r = byRoute.get(key) ?? { calls: 0, byOutcome: zero(), totalMs: 0 };
      r.calls++;
      r.byOutcome[e.outcome]++;
      r.totalMs += e.durationMs;
      byRoute.set(key, r);
    },
    snapshot: () => ({
      total,
      byOutcome: { ...byOutcome },
      byRoute: Object.fromEntries([...byRoute].map(([k, v]) => [k, { ...v, byOutcome: { ...v.byOutcome } }])),
    }),
    reset: () => {
      total = 0;
      byOutcome = zero();
      byRoute = new Map();
    },
  };
}
