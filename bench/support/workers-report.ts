import type { WorkersFigures, WorkersRun } from '../workers-bench';
import { sectionMarkers } from './report-sections';

/**
 * BENCH_WORKERS (`1,3`) as worker counts: whole numbers 1–8, each once (the machine has 2 cores,
 * so more would only measure contention). Throws on anything else rather than running a guess.
 */
export function parseWorkerCounts(v: string): number[] {
  const counts = v.split(',').map((n) => (/^\d+$/.test(n.trim()) ? Number(n.trim()) : Number.NaN));
  if (counts.some((n) => !Number.isInteger(n) || n < 1 || n > 8) || new Set(counts).size !== counts.length)
    throw new Error(`BENCH_WORKERS: different whole numbers 1–8, comma-separated, not ${JSON.stringify(v)}`);
  return counts;
}

/** How a run with more workers compares with the base run: each figure's other ÷ base. */
export type WorkersRatios = {
  wallSeconds?: number;
  vmsPerSecond?: number;
  approvalToRunStartedSeconds?: number;
  pveCallsPerVm?: number;
  workersPeakRssSumMB?: number;
};

/** `a ÷ b`, or undefined when either is not a finite number or `b` is 0 (no ratio to show). */
function ratio(a: number, b: number): number | undefined {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0) return undefined;
  return a / b;
}

/**
 * Every figure of `other` divided by the same figure of `base` (undefined where `base` is 0):
 * below 1 for wall time and waits means `other` was quicker, above 1 for VMs/s means it did more.
 */
export function workerRatios(base: WorkersRun, other: WorkersRun): WorkersRatios {
  const r: WorkersRatios = {};
  const set = (k: keyof WorkersRatios, v: number | undefined) => {
    if (v !== undefined) r[k] = v;
  };
  set('wallSeconds', ratio(other.wallSeconds, base.wallSeconds));
  set('vmsPerSecond', ratio(other.vmsPerSecond, base.vmsPerSecond));
  set('approvalToRunStartedSeconds', ratio(other.approvalToRunStartedSeconds, base.approvalToRunStartedSeconds));
  set('pveCallsPerVm', ratio(other.pveCallsPerVm, base.pveCallsPerVm));
  set('workersPeakRssSumMB', ratio(other.workersPeakRssSumMB, base.workersPeakRssSumMB));
  return r;
}

const f = (n: number | undefined, digits = 2) => (n === undefined || !Number.isFinite(n) ? '–' : n.toFixed(digits));
const x = (n: number | undefined) => (n === undefined ? '–' : `**${n.toFixed(2)}×**`);
const workersLabel = (n: number) => (n === 1 ? '1 worker' : `${n} workers`);

/** The run with the fewest workers: the one every other run is compared with. */
export function baseRun(runs: WorkersRun[]): WorkersRun | undefined {
  return runs.reduce<WorkersRun | undefined>((best, r) => (best === undefined || r.workers < best.workers ? r : best), undefined);
}

/** The workers comparison's section of docs/benchmarks.md, markers included. */
export function renderWorkersSection(result: {
  at: string;
  machine: { cpus: number; node: string; loadAvg: number[] };
  workers: WorkersFigures;
}): string {
  const { start, end } = sectionMarkers('workers');
  const w = result.workers;
  const base = baseRun(w.runs);
  const others = w.runs.filter((r) => r !== base);
  const header = [
    '| angka / figure',
    ...w.runs.map((r) => workersLabel(r.workers)),
    ...others.map((r) => `${r.workers} ÷ ${base?.workers ?? 1}`),
  ];
  const row = (label: string, value: (r: WorkersRun) => string, ratioOf?: (q: WorkersRatios) => number | undefined) =>
    `| ${[label, ...w.runs.map(value), ...others.map((r) => (base && ratioOf ? x(ratioOf(workerRatios(base, r))) : '–'))].join(' | ')} |`;
  const table = [
    `${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    row(
      'waktu total / wall time (s)',
      (r) => f(r.wallSeconds, 1),
      (q) => q.wallSeconds,
    ),
    row(
      'VM/s',
      (r) => f(r.vmsPerSecond, 2),
      (q) => q.vmsPerSecond,
    ),
    row(
      'persetujuan → run mulai, rata-rata / approval → run started, mean (s)',
      (r) => f(r.approvalToRunStartedSeconds, 3),
      (q) => q.approvalToRunStartedSeconds,
    ),
    row(
      'panggilan PVE per VM / PVE calls per VM',
      (r) => f(r.pveCallsPerVm, 1),
      (q) => q.pveCallsPerVm,
    ),
    row('jalur kritis / critical path (s)', (r) => f(r.criticalPathSeconds, 1)),
    row('aktif / gagal — active / failed', (r) => `${r.active} / ${r.failed}`),
    row('RSS puncak per worker / peak RSS each (MB)', (r) => r.workerPeakRssMBEach.map((m) => f(m, 0)).join(', ')),
    row(
      'RSS puncak semua worker / peak RSS summed (MB)',
      (r) => f(r.workersPeakRssSumMB, 0),
      (q) => q.workersPeakRssSumMB,
    ),
  ];
  const keys = [...new Set(w.runs.flatMap((r) => Object.keys(r.meanSeconds)))];
  const steps = [
    `| langkah / from → to, or step | ${w.runs.map((r) => workersLabel(r.workers)).join(' | ')} |`,
    `|---|${w.runs.map(() => '---').join('|')}|`,
    ...keys.map((k) => `| ${k} | ${w.runs.map((r) => f(r.meanSeconds[k], 3)).join(' | ')} |`),
  ];
  const load = result.machine.loadAvg.map((l) => l.toFixed(2)).join(' / ');
  return [
    start,
    '## Satu worker dan tiga worker / One worker against three',
    '',
    `*Ringkas (ID):* penyiapan realistis yang sama (${w.requests} VM, ${w.nodes} node, timeFactor ${w.timeFactor}, tata letak \`${w.layout}\`) dijalankan sekali dengan satu proses worker dan sekali dengan ${others.map((r) => r.workers).join(', ') || '–'} proses worker pada basis data, Redis dan simulator yang sama; tiap worker memakai WORKER_CONCURRENCY ${w.workerConcurrency}. Kolom terakhir adalah rasio (banyak worker ÷ satu worker): di bawah 1 untuk waktu berarti lebih cepat, di atas 1 untuk VM/s berarti lebih banyak. Batas klon per node (PVE_CLONE_LIMIT_PER_NODE 2) tetap sama, jadi jalur kritis tidak berubah. Semua worker berbagi ${result.machine.cpus} CPU yang sama dengan API, PostgreSQL, Redis dan simulator.`,
    '',
    `Measured ${result.at} on ${result.machine.cpus} CPUs, Node ${result.machine.node} (load ${load}; the machine is shared, and every worker runs on the same cores as the API, PostgreSQL, Redis and the simulator). The realistic run of \`npm run bench\` (${w.requests} requests approved at once, ${w.nodes} simulated nodes, timeFactor ${w.timeFactor}, \`${w.layout}\` storage), once per worker count, each on a fresh stack, each worker process at WORKER_CONCURRENCY ${w.workerConcurrency}. The last column is many workers ÷ one: below 1 for times is quicker, above 1 for VMs/s is more. The clone limit per node (2) is the same in both, so the critical path is too. Run it again with \`npm run bench -- workers\` (bench/workers-bench.ts; \`BENCH_REQUESTS\` sets the size).`,
    '',
    ...table,
    '',
    'Rata-rata detik per VM / Mean seconds per VM:',
    '',
    ...steps,
    '',
    end,
  ].join('\n');
}
