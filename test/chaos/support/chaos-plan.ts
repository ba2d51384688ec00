/*
 * The seeded schedule of the chaos run: which disruption happens, in which order, after which
 * pause. The same seed gives the same plan (the timing of the system under test still varies).
 */

/** A small, fast, seedable PRNG (mulberry32): the same seed gives the same sequence. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type ChaosAction =
  | { kind: 'kill-worker'; worker: number; downMs: number }
  | { kind: 'restart-redis'; downMs: number }
  | { kind: 'restart-postgres'; downMs: number }
  | { kind: 'hold-vm-lock'; heldMs: number }
  | { kind: 'agent-delay'; heldMs: number }
  | { kind: 'slow-clones'; multiplier: number; heldMs: number }
  | { kind: 'storage-lock-timeout'; times: number };

type PlannedAction = { afterMs: number; action: ChaosAction };

/**
 * `kills` worker kills, one Redis and one PostgreSQL restart (neither among the first two
 * disruptions, so work is in flight), and a sprinkling of simulator faults, each after a random
 * pause of `minGapMs`..`maxGapMs`.
 */
export function chaosPlan(seed: number, o: { kills: number; workers: number; minGapMs: number; maxGapMs: number }): PlannedAction[] {
  const rnd = seededRandom(seed);
  const between = (lo: number, hi: number) => Math.round(lo + rnd() * (hi - lo));
  const actions: ChaosAction[] = [];
  for (let i = 0; i < o.kills; i += 1)
    actions.push({ kind: 'kill-worker', worker: Math.floor(rnd() * o.workers), downMs: between(200, 3000) });
  const faults = Math.max(3, Math.ceil(o.kills / 2));
  const faultKinds: ChaosAction[] = [
    { kind: 'hold-vm-lock', heldMs: between(2000, 12_000) },
    { kind: 'agent-delay', heldMs: between(1000, 4000) },
    { kind: 'slow-clones', multiplier: between(3, 8), heldMs: between(3000, 8000) },
    { kind: 'storage-lock-timeout', times: between(1, 3) },
  ];
  for (let i = 0; i < faults; i += 1) actions.push(faultKinds[i % faultKinds.length]!);
  for (let i = actions.length - 1; i > 0; i -= 1) {
    const j = Math.floor(rnd() * (i + 1));
    [actions[i], actions[j]] = [actions[j]!, actions[i]!];
  }
  const restarts: ChaosAction[] = [
    { kind: 'restart-redis', downMs: between(500, 3000) },
    { kind: 'restart-postgres', downMs: between(500, 3000) },
  ];
  for (const r of restarts) actions.splice(2 + Math.floor(rnd() * Math.max(1, actions.length - 2)), 0, r);
  return actions.map((action) => ({ afterMs: between(o.minGapMs, o.maxGapMs), action }));
}
