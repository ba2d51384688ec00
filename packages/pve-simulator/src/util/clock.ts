/**
 * Simulated time: PVE durations (in real milliseconds) scaled by `timeFactor`.
 * timeFactor 0 makes every task finish on the next timer tick; 1 is realistic.
 */
export interface SimClock {
  readonly timeFactor: number;
  /** Scales a realistic duration in ms; never negative. */
  scale(ms: number): number;
  /** Resolves after the scaled duration (timers are unref'd so they never keep a process alive). */
  sleep(ms: number): Promise<void>;
  /** Wall clock in ms (Date.now()). */
  now(): number;
}

/** Creates a clock; guarantees scale(ms) === max(0, ms * timeFactor). */
export function createClock(timeFactor: number): SimClock {
  const scale = (ms: number): number => Math.max(0, ms * timeFactor);
  return {
    timeFactor,
    scale,
    sleep: (ms) =>
      new Promise((resolve) => {
        const t = setTimeout(resolve, scale(ms));
        t.unref();
      }),
    now: () => Date.now(),
  };
}
