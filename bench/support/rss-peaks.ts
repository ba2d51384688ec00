/*
 * Peak memory of several worker processes sampled together: each process's own peak, and the
 * peak of their sum at one sampling instant (what the machine had to hold at once, which can be
 * less than the sum of the separate peaks when they peak at different times).
 */

/** Peaks in bytes over every sample taken so far. */
export type RssPeaks = { each: number[]; sum: number };

/** Starts empty peaks for `processes` processes. */
export function emptyPeaks(processes: number): RssPeaks {
  return { each: Array.from({ length: processes }, () => 0), sum: 0 };
}

/**
 * The peaks after one sample of every process's RSS (bytes; 0 for a process that is gone). Pure:
 * `peaks` is not changed, and a sample never lowers a peak.
 */
export function withSample(peaks: RssPeaks, sample: number[]): RssPeaks {
  if (sample.length !== peaks.each.length) throw new Error(`a sample of ${sample.length} processes for peaks of ${peaks.each.length}`);
  const clean = sample.map((b) => (Number.isFinite(b) && b > 0 ? b : 0));
  return {
    each: peaks.each.map((peak, i) => Math.max(peak, clean[i]!)),
    sum: Math.max(
      peaks.sum,
      clean.reduce((a, b) => a + b, 0),
    ),
  };
}
