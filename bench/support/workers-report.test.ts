import type { WorkersFigures, WorkersRun } from '../workers-bench';
import { sectionMarkers, sectionsOf, withSection } from './report-sections';
import { emptyPeaks, withSample } from './rss-peaks';
import { baseRun, parseWorkerCounts, renderWorkersSection, workerRatios } from './workers-report';

const MB = 1024 * 1024;

function run(workers: number, over: Partial<WorkersRun> = {}): WorkersRun {
  return {
    workers,
    wallSeconds: 100,
    active: 200,
    failed: 0,
    vmsPerSecond: 2,
    approvalToRunStartedSeconds: 4,
    pveCallsPerVm: 30,
    criticalPathSeconds: 90,
    workerPeakRssMBEach: Array.from({ length: workers }, () => 200),
    workersPeakRssSumMB: 200 * workers,
    meanSeconds: { 'approval → run started': 4, clone: 1.5, 'approval → run finished': 60 },
    ...over,
  };
}

const machine = { cpus: 2, node: 'v20.20.2', loadAvg: [1, 2, 3] };
const figures = (runs: WorkersRun[]): WorkersFigures => ({
  requests: 200,
  nodes: 8,
  timeFactor: 0.1,
  workerConcurrency: 32,
  layout: 'shared',
  runs,
});

describe('parseWorkerCounts', () => {
  it('should read the worker counts to compare', () => {
    expect(parseWorkerCounts('1,3')).toEqual([1, 3]);
    expect(parseWorkerCounts(' 1 , 2 ,3 ')).toEqual([1, 2, 3]);
  });

  it.each(['', '1,', '0,3', '1,9', '1,2.5', '1,x', '1,1', '-1', '1e0x', '0x3'])('should refuse %j', (v) => {
    expect(() => parseWorkerCounts(v)).toThrow(/BENCH_WORKERS/);
  });
});

describe('workerRatios', () => {
  it('should divide each figure of the other run by the base run', () => {
    const one = run(1);
    const three = run(3, {
      wallSeconds: 80,
      vmsPerSecond: 2.5,
      approvalToRunStartedSeconds: 1,
      pveCallsPerVm: 33,
      workersPeakRssSumMB: 540,
    });
    expect(workerRatios(one, three)).toEqual({
      wallSeconds: 0.8,
      vmsPerSecond: 1.25,
      approvalToRunStartedSeconds: 0.25,
      pveCallsPerVm: 1.1,
      workersPeakRssSumMB: 2.7,
    });
  });

  it('should leave out a ratio whose base is zero or not a number instead of showing Infinity or NaN', () => {
    const one = run(1, { approvalToRunStartedSeconds: 0, vmsPerSecond: Number.NaN, active: 0 });
    const ratios = workerRatios(one, run(3));
    expect(ratios).not.toHaveProperty('approvalToRunStartedSeconds');
    expect(ratios).not.toHaveProperty('vmsPerSecond');
    expect(ratios.wallSeconds).toBe(1);
  });
});

describe('baseRun', () => {
  it('should compare against the run with the fewest workers, whatever the order', () => {
    expect(baseRun([run(3), run(1), run(2)])?.workers).toBe(1);
    expect(baseRun([])).toBeUndefined();
  });
});

describe('renderWorkersSection', () => {
  const one = run(1, { wallSeconds: 120 });
  const three = run(3, { wallSeconds: 90, approvalToRunStartedSeconds: 2 });
  const section = renderWorkersSection({ at: '2026-12-08T01:00:00.000Z', machine, workers: figures([one, three]) });

  it('should be one marked section, Indonesian summary before the English text', () => {
    const { start, end } = sectionMarkers('workers');
    expect(section.startsWith(start)).toBe(true);
    expect(section.endsWith(end)).toBe(true);
    expect(sectionsOf(`# page\n\n${section}\n`).get('workers')).toBe(section);
    expect(section.indexOf('*Ringkas (ID):*')).toBeGreaterThan(0);
    expect(section.indexOf('*Ringkas (ID):*')).toBeLessThan(section.indexOf('Measured 2026-12-08'));
    expect(section).toContain('Semua worker berbagi 2 CPU');
  });

  it('should show both runs and the 3 ÷ 1 ratios in the table', () => {
    expect(section).toContain('| angka / figure | 1 worker | 3 workers | 3 ÷ 1 |');
    expect(section).toContain('| waktu total / wall time (s) | 120.0 | 90.0 | **0.75×** |');
    expect(section).toContain('| persetujuan → run mulai, rata-rata / approval → run started, mean (s) | 4.000 | 2.000 | **0.50×** |');
    expect(section).toContain('| RSS puncak per worker / peak RSS each (MB) | 200 | 200, 200, 200 | – |');
    expect(section).toContain('| clone | 1.500 | 1.500 |');
  });

  it('should replace only its own section of the page when run again', () => {
    const page = withSection('# Benchmarks\n\nanalysis', 'workers', section);
    const again = renderWorkersSection({ at: '2026-12-08T02:00:00.000Z', machine, workers: figures([one, run(3, { wallSeconds: 60 })]) });
    const next = withSection(page, 'workers', again);
    expect(next).toContain('**0.50×**');
    expect(next).not.toContain('2026-12-08T01:00');
    expect(next.startsWith('# Benchmarks\n\nanalysis\n\n')).toBe(true);
  });

  it('should render a run with one worker count only without ratio columns or a crash', () => {
    const alone = renderWorkersSection({ at: 'now', machine, workers: figures([one]) });
    expect(alone).toContain('| angka / figure | 1 worker |');
    expect(alone).not.toContain('÷ 1 |');
  });
});

describe('RSS peaks of several workers', () => {
  it('should keep each process peak and the peak of the sum at one instant', () => {
    let peaks = emptyPeaks(3);
    peaks = withSample(peaks, [100 * MB, 50 * MB, 10 * MB]);
    peaks = withSample(peaks, [20 * MB, 150 * MB, 10 * MB]);
    peaks = withSample(peaks, [0, 0, 0]);
    expect(peaks.each).toEqual([100 * MB, 150 * MB, 10 * MB]);
    // 180 MB at once, not the 260 MB the separate peaks add up to.
    expect(peaks.sum).toBe(180 * MB);
  });

  it('should not change the peaks it was given, and should count a gone or garbled sample as 0', () => {
    const before = emptyPeaks(2);
    const after = withSample(before, [Number.NaN, -5]);
    expect(before).toEqual({ each: [0, 0], sum: 0 });
    expect(after).toEqual({ each: [0, 0], sum: 0 });
  });

  it('should refuse a sample that does not match the number of workers', () => {
    expect(() => withSample(emptyPeaks(3), [1, 2])).toThrow(/2 processes for peaks of 3/);
  });
});
