import { DurationEstimates, nextPollDelay } from './poll-cadence';
import type { PollCadence } from './poll-cadence';

const clone: PollCadence = {
  expectedMs: 10_000,
  nearMs: 500,
  windowOpens: 0.75,
  windowCloses: 1.5,
  minMs: 100,
  farMaxMs: 5_000,
  lateMaxMs: 2_000,
};

/** The poll times a wait following `c` makes from 0 until `untilMs`. */
function schedule(c: PollCadence, untilMs: number): number[] {
  const at = [0];
  while ((at[at.length - 1] ?? 0) < untilMs) {
    const last = at[at.length - 1] ?? 0;
    at.push(last + nextPollDelay(last, c));
  }
  return at;
}

describe('nextPollDelay', () => {
  it('sleeps long before the expected end, never past the window opening', () => {
    expect(nextPollDelay(0, clone)).toBe(5_000);
    expect(nextPollDelay(5_000, clone)).toBe(2_500);
  });

  it('polls at the near cadence across the window, so an end there is seen within nearMs', () => {
    const at = schedule(clone, 15_000);
    for (const end of [7_600, 9_000, 10_000, 11_900, 14_000]) {
      const seen = at.find((t) => t >= end) ?? Infinity;
      expect(seen - end).toBeLessThanOrEqual(clone.nearMs);
    }
  });

  it('grows with the overrun after the window, bounded by lateMaxMs', () => {
    expect(nextPollDelay(16_000, clone)).toBe(1_500);
    expect(nextPollDelay(60_000, clone)).toBe(2_000);
    expect(nextPollDelay(15_100, clone)).toBeGreaterThanOrEqual(clone.nearMs);
  });

  it('keeps every interval within minMs and farMaxMs even for a tiny expectation', () => {
    const quick = { ...clone, expectedMs: 200, nearMs: 10 };
    for (const t of [0, 100, 160, 250, 400, 10_000]) {
      expect(nextPollDelay(t, quick)).toBeGreaterThanOrEqual(100);
      expect(nextPollDelay(t, quick)).toBeLessThanOrEqual(5_000);
    }
  });

  it('makes few calls for a task that ends when expected (clone: sparse before, near around)', () => {
    const calls = schedule(clone, 10_000).length;
    expect(calls).toBeLessThanOrEqual(9);
    expect(calls).toBeGreaterThanOrEqual(4);
  });
});

describe('DurationEstimates', () => {
  it('answers the fallback until something is observed, then moves towards observations', () => {
    const e = new DurationEstimates(0.5);
    expect(e.get('qmclone', 10_000)).toBe(10_000);
    e.observe('qmclone', 2_000, 10_000);
    expect(e.get('qmclone', 10_000)).toBe(6_000);
    e.observe('qmclone', 2_000);
    expect(e.get('qmclone')).toBe(4_000);
    expect(e.get('qmstart')).toBeUndefined();
  });

  it('ignores nonsense durations', () => {
    const e = new DurationEstimates();
    e.observe('x', -5);
    e.observe('x', Number.NaN);
    expect(e.get('x')).toBeUndefined();
  });
});

describe('nextPollDelay with firstMs', () => {
  const guarded: PollCadence = { ...clone, firstMs: 1_250 };

  it('sees an operation far quicker than expected by twice its duration (or firstMs)', () => {
    const at = schedule(guarded, 15_000);
    for (const end of [300, 1_000, 1_300, 2_000, 2_600, 3_000, 5_100])
      expect(at.find((t) => t >= end) ?? Infinity).toBeLessThanOrEqual(Math.max(2 * end, (guarded.firstMs ?? 0) + guarded.minMs));
  });

  it('still reaches the window and its near cadence', () => {
    const at = schedule(guarded, 15_000);
    expect(at).toContain(7_500);
    expect(at.filter((t) => t < 7_500)).toEqual([0, 100, 1_350, 2_700, 5_400]);
  });
});
