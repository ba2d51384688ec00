/*
 * `npm run bench`: the provisioning and API benchmarks in one run. Writes
 * bench/results/<timestamp>.json (+ latest.json) and the table in docs/benchmarks.md.
 *
 * BENCH_REQUESTS (200), BENCH_NODES (8), BENCH_TIME_FACTOR (0.1, the realistic run),
 * BENCH_CONCURRENCY (32, provisioning jobs in the one worker), BENCH_API_SECONDS (10),
 * BENCH_ONLY (realistic | instant: run one scenario), BENCH_LAYOUT (shared | local: one Ceph
 * template copy on pve1, or a copy on every node's local-lvm), BENCH_WRITE=0 (print only, keep the files),
 * BENCH_WORKER_PROFILE_DIR (write the worker's --cpu-prof there; read it with bench/print-profile.ts).
 *
 * `npm run bench -- find` runs only the "find anything" benchmark (bench/find-bench.ts):
 * BENCH_FIND_VMS (10000), BENCH_FIND_AUDIT (100000), BENCH_FIND_ROUNDS (200 calls per query);
 * writes bench/results/find-latest.json and the find section of docs/benchmarks.md (the rest of
 * the file is kept; a full run keeps the find section too).
 * `npm run bench -- polls`: only the poll-overshoot measurement (bench/polls-bench.ts).
 * `npm run bench -- ansible`: Betang against an Ansible proxmox_kvm playbook (bench/ansible-bench.ts):
 * BENCH_ANSIBLE_VMS (10, or a list such as 10,50); writes bench/results/ansible-latest.json and its section.
 * `npm run bench -- workers`: the realistic run with 1 worker process and with 3 (bench/workers-bench.ts):
 * BENCH_WORKERS (1,3: the worker counts compared), and BENCH_REQUESTS, BENCH_NODES, BENCH_TIME_FACTOR,
 * BENCH_CONCURRENCY (per worker) and BENCH_LAYOUT as above; writes bench/results/workers-latest.json and
 * its section. A full run (no BENCH_ONLY) runs it too, after the instant run.
 *
 * Every run rewrites only what it measured: docs/benchmarks.md keeps every other run's section
 * (bench/support/report-sections.ts), and a BENCH_ONLY run keeps the other scenarios' figures
 * from bench/results/latest.json, each shown with the time it was measured.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runAnsibleBench } from './ansible-bench';
import { runApiBench, type ApiFigures } from './api-bench';
import { runFindBench } from './find-bench';
import { renderAnsibleSection } from './support/ansible-report';
import { renderFindSection, withFindSection } from './support/find-report';
import { keepSections, mergeResults, withSection } from './support/report-sections';
import { runProvisioningBench, type ProvisioningFigures } from './provisioning-bench';
import { renderBenchmarks } from './support/report';
import type { StorageLayout } from './support/stack';
import { parseWorkerCounts, renderWorkersSection } from './support/workers-report';
import { runWorkersBench, type WorkersFigures } from './workers-bench';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? '200');
const NODES = Number(process.env.BENCH_NODES ?? '8');
const TIME_FACTOR = Number(process.env.BENCH_TIME_FACTOR ?? '0.1');
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? '32');
const API_SECONDS = Number(process.env.BENCH_API_SECONDS ?? '10');
const ONLY = process.env.BENCH_ONLY;
const LAYOUT = parseLayout(process.env.BENCH_LAYOUT ?? 'shared');

function parseLayout(v: string): StorageLayout {
  if (v !== 'shared' && v !== 'local') throw new Error(`BENCH_LAYOUT must be shared or local, not ${v}`);
  return v;
}

const log = (scenario: string) => (line: string) =>
  process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)} ${scenario}] ${line}\n`);

export type BenchResults = {
  at: string;
  machine: { cpus: number; node: string; loadAvg: number[] };
  realistic?: ProvisioningFigures;
  instant?: ProvisioningFigures;
  api?: ApiFigures;
  /** When each scenario shown was measured (a BENCH_ONLY run keeps the others from the previous results). */
  measuredAt?: Partial<Record<'realistic' | 'instant' | 'api', string>>;
};

const BENCHMARKS_MD = path.join(__dirname, '../docs/benchmarks.md');

/** `npm run bench -- find`: the find benchmark alone. */
async function mainFind(): Promise<void> {
  const os = await import('node:os');
  const figures = await runFindBench({
    vms: Number(process.env.BENCH_FIND_VMS ?? '10000'),
    auditEntries: Number(process.env.BENCH_FIND_AUDIT ?? '100000'),
    rounds: Number(process.env.BENCH_FIND_ROUNDS ?? '200'),
    log: log('find'),
  });
  const result = {
    at: new Date().toISOString(),
    machine: { cpus: os.cpus().length, node: process.version, loadAvg: os.loadavg() },
    find: figures,
  };
  if (process.env.BENCH_WRITE === '0') {
    log('done')(`not written (BENCH_WRITE=0): ${JSON.stringify(result)}`);
    return;
  }
  const dir = path.join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'find-latest.json'), `${JSON.stringify(result, null, 2)}\n`);
  const current = existsSync(BENCHMARKS_MD) ? readFileSync(BENCHMARKS_MD, 'utf8') : '';
  writeFileSync(BENCHMARKS_MD, withFindSection(current, renderFindSection(result)));
  log('done')('results in bench/results/find-latest.json and docs/benchmarks.md');
}

type Machine = BenchResults['machine'];

/** The 1-worker against 3-workers comparison at the realistic run's settings. */
function measureWorkers(): Promise<WorkersFigures> {
  return runWorkersBench({
    counts: parseWorkerCounts(process.env.BENCH_WORKERS ?? '1,3'),
    layout: LAYOUT,
    requests: REQUESTS,
    nodes: NODES,
    timeFactor: TIME_FACTOR,
    workerConcurrency: CONCURRENCY,
    deadlineSeconds: 900,
    log: log('workers'),
  });
}

/** Writes the workers comparison to bench/results/workers-latest.json and `page`'s workers section; returns the page. */
function writeWorkers(result: { at: string; machine: Machine; workers: WorkersFigures }, page: string): string {
  const dir = path.join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'workers-latest.json'), `${JSON.stringify(result, null, 2)}\n`);
  return withSection(page, 'workers', renderWorkersSection(result));
}

const logWorkers = (w: WorkersFigures) => {
  for (const r of w.runs)
    log('workers')(
      `${r.workers} worker(s): ${r.wallSeconds.toFixed(1)} s, ${r.vmsPerSecond.toFixed(2)} VM/s, approval → run started ${r.approvalToRunStartedSeconds.toFixed(3)} s, ${r.pveCallsPerVm.toFixed(1)} PVE calls/VM, peak RSS ${r.workerPeakRssMBEach.map((m) => m.toFixed(0)).join('+')} MB`,
    );
};

/** `npm run bench -- workers`: the worker-count comparison alone. */
async function mainWorkers(): Promise<void> {
  const os = await import('node:os');
  const machine = { cpus: os.cpus().length, node: process.version, loadAvg: os.loadavg() };
  const workers = await measureWorkers();
  logWorkers(workers);
  const result = { at: new Date().toISOString(), machine, workers };
  if (process.env.BENCH_WRITE === '0') {
    log('done')(`not written (BENCH_WRITE=0): ${JSON.stringify(result)}`);
    return;
  }
  const current = existsSync(BENCHMARKS_MD) ? readFileSync(BENCHMARKS_MD, 'utf8') : '';
  writeFileSync(BENCHMARKS_MD, writeWorkers(result, current));
  log('done')('results in bench/results/workers-latest.json and docs/benchmarks.md');
}

/** `npm run bench -- ansible`: the side-by-side with an Ansible playbook alone. */
async function mainAnsible(): Promise<void> {
  const os = await import('node:os');
  const counts = (process.env.BENCH_ANSIBLE_VMS ?? '10').split(',').map((n) => Number(n.trim()));
  if (counts.some((n) => !Number.isInteger(n) || n < 1 || n > 200))
    throw new Error('BENCH_ANSIBLE_VMS: whole numbers 1–200, comma-separated');
  const machine = { cpus: os.cpus().length, node: process.version, loadAvg: os.loadavg() };
  const ansible = await runAnsibleBench({
    counts,
    timeFactor: TIME_FACTOR,
    ...(process.env.BENCH_ANSIBLE_FORKS ? { forks: Number(process.env.BENCH_ANSIBLE_FORKS) } : {}),
    log: log('ansible'),
  });
  const result = { at: new Date().toISOString(), machine, ansible };
  for (const f of ansible)
    log('ansible')(
      `${f.vms} VMs: Ansible ${f.ansible.wallSeconds.toFixed(1)} s, Betang ${f.betang.wallSeconds.toFixed(1)} s, ratio ${f.ratio.toFixed(2)}×`,
    );
  if (process.env.BENCH_WRITE === '0') {
    log('done')(`not written (BENCH_WRITE=0): ${JSON.stringify(result)}`);
    return;
  }
  const dir = path.join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'ansible-latest.json'), `${JSON.stringify(result, null, 2)}\n`);
  const current = existsSync(BENCHMARKS_MD) ? readFileSync(BENCHMARKS_MD, 'utf8') : '';
  writeFileSync(BENCHMARKS_MD, withSection(current, 'ansible', renderAnsibleSection(result)));
  log('done')('results in bench/results/ansible-latest.json and docs/benchmarks.md');
}

async function main(): Promise<void> {
  if (process.argv[2] === 'find') return mainFind();
  if (process.argv[2] === 'ansible') return mainAnsible();
  if (process.argv[2] === 'workers') return mainWorkers();
  const os = await import('node:os');
  const results: BenchResults = {
    at: new Date().toISOString(),
    machine: { cpus: os.cpus().length, node: process.version, loadAvg: os.loadavg() },
  };
  if (ONLY !== 'instant') {
    results.realistic = await runProvisioningBench({
      layout: LAYOUT,
      requests: REQUESTS,
      nodes: NODES,
      timeFactor: TIME_FACTOR,
      workerConcurrency: CONCURRENCY,
      deadlineSeconds: 900,
      log: log('realistic'),
    });
    log('realistic')(
      JSON.stringify({
        wall: results.realistic.wallSeconds,
        critical: results.realistic.criticalPathSeconds,
        ratio: results.realistic.ratioToCriticalPath,
      }),
    );
  }
  if (ONLY !== 'realistic') {
    results.instant = await runProvisioningBench({
      layout: LAYOUT,
      requests: REQUESTS,
      nodes: NODES,
      timeFactor: 0,
      workerConcurrency: CONCURRENCY,
      deadlineSeconds: 600,
      log: log('instant'),
      after: async ({ apiBase, operatorEmail, ids }) => {
        results.api = await runApiBench({ apiBase, email: operatorEmail, requestId: ids[0]!, seconds: API_SECONDS, log: log('api') });
      },
    });
    log('instant')(
      JSON.stringify({
        layout: results.instant.layout,
        vmsPerNode: results.instant.vmsPerNode,
        cloneNodes: results.instant.cloneNodes,
        vmsPerSecond: results.instant.vmsPerSecond,
        pveCallsPerVm: results.instant.pveCallsPerVm,
        workerPeakRssMB: results.instant.workerPeakRssMB,
      }),
    );
    log('api')(JSON.stringify(results.api));
  }
  const workers = ONLY === undefined ? await measureWorkers() : undefined;
  if (workers) logWorkers(workers);
  if (process.env.BENCH_WRITE === '0') {
    log('done')(`not written (BENCH_WRITE=0): ${JSON.stringify({ ...results, workers })}`);
    return;
  }
  const dir = path.join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const json = `${JSON.stringify(results, null, 2)}\n`;
  const latest = path.join(dir, 'latest.json');
  const previousResults = existsSync(latest) ? (JSON.parse(readFileSync(latest, 'utf8')) as BenchResults) : undefined;
  const shown = mergeResults(previousResults, results);
  writeFileSync(path.join(dir, `${results.at.replace(/[:.]/g, '-')}.json`), json);
  writeFileSync(latest, `${JSON.stringify(shown, null, 2)}\n`);
  const previous = existsSync(BENCHMARKS_MD) ? readFileSync(BENCHMARKS_MD, 'utf8') : '';
  const page = keepSections(previous, renderBenchmarks(shown));
  writeFileSync(BENCHMARKS_MD, workers ? writeWorkers({ at: results.at, machine: results.machine, workers }, page) : page);
  log('done')(`results in bench/results/latest.json${workers ? ', workers-latest.json' : ''} and docs/benchmarks.md`);
}

const entry: () => Promise<unknown> =
  process.argv[2] === 'polls' ? () => import('./polls-bench').then((m) => m.runPollsBench(log('polls'))) : main;

entry().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
