/**
 * When to look again at something that ends at a roughly known time (a PVE task, a guest's
 * boot). A growing backoff overshoots exactly when the thing is due: its interval is longest
 * then. Instead: few, long sleeps until the expected end comes near (doubling from `firstMs`
 * when the estimate may be far too long), then a steady short
 * interval (the "near" cadence) across the window where the end is likely, then, for an
 * operation that overruns its expectation, an interval that grows with the overrun (a quarter
 * of it), so a stuck operation is not polled hard.
 */
export type PollCadence = {
  /** When the operation is expected to end, in ms from the start of the wait. */
  expectedMs: number;
  /** The steady interval around the expected end. */
  nearMs: number;
  /** The near window opens at this fraction of expectedMs (real durations vary ±20 % and more). */
  windowOpens: number;
  /** The near window closes at this multiple of expectedMs; later polls grow with the overrun. */
  windowCloses: number;
  /**
   * When set, intervals before the window (after one look at minMs) start here and double (each at most the time waited so
   * far), so an operation far quicker than expected is still seen by twice its duration and
   * the running estimate learns the truth; unset, the first sleep goes straight to the window.
   */
  firstMs?: number;
  /** No interval is shorter. */
  minMs: number;
  /** No interval before the window is longer (so an early end is still seen within this). */
  farMaxMs: number;
  /** No interval after the window is longer. */
  lateMaxMs: number;
};

/** The delay before the next poll, `elapsedMs` after the wait started. Pure. */
export function nextPollDelay(elapsedMs: number, c: PollCadence): number {
  const clamp = (v: number, lo: number, hi: number): number => Math.round(Math.min(Math.max(v, lo), Math.max(lo, hi)));
  const opens = c.expectedMs * c.windowOpens;
  const closes = c.expectedMs * c.windowCloses;
  if (elapsedMs < opens) {
    // One quick look first (an instant task, a VM already up), then from firstMs doubling.
    const early = c.firstMs === undefined ? Infinity : elapsedMs < c.minMs ? c.minMs : Math.max(c.firstMs, elapsedMs);
    return clamp(Math.min(opens - elapsedMs, early), c.minMs, c.farMaxMs);
  }
  if (elapsedMs < closes) return clamp(c.nearMs, c.minMs, c.farMaxMs);
  return clamp((elapsedMs - c.expectedMs) / 4, Math.max(c.minMs, c.nearMs), c.lateMaxMs);
}

/**
 * Per-process running estimates of how long things take, keyed by kind (a task type, "agent"):
 * an exponential moving average of observed durations, seeded by a default. Lets the cadence
 * follow the cluster it runs against (disk sizes, storage speed, guest boot times) without a
 * setting. Bounded: at most one entry per kind the caller names.
 */
export class DurationEstimates {
  private readonly seen = new Map<string, number>();

  constructor(private readonly weight = 0.5) {}

  /** The estimate for `kind`, or `fallback` when nothing was observed yet. */
  get(kind: string, fallback: number): number;
  get(kind: string, fallback?: number): number | undefined;
  get(kind: string, fallback?: number): number | undefined {
    return this.seen.get(kind) ?? fallback;
  }

  /** Folds one observed duration (ms) into the estimate for `kind`. */
  observe(kind: string, ms: number, seed?: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    const prev = this.seen.get(kind) ?? seed;
    this.seen.set(kind, prev === undefined ? ms : prev + this.weight * (ms - prev));
  }
}

/**
 * Typical durations of the PVE tasks a provisioning run waits for (ms, measured on PVE 8/9 with
 * a small cloud template): a config change with a cloud-init drive, a disk resize, a start. A
 * full clone depends on the disk (this seed fits ~3 GiB on Ceph); the running estimate takes over
 * after the first clone. Types not listed keep a plain backoff: their duration is unknown.
 */
export const TYPICAL_TASK_MS: Readonly<Record<string, number>> = {
  qmconfig: 500,
  resize: 1_000,
  qmstart: 1_500,
  qmclone: 10_000,
};

/** Shared by every waitForTask in the process. */
export const taskDurations = new DurationEstimates();
