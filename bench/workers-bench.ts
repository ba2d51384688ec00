/*
 * `npm run bench -- workers`: the realistic provisioning run (the same requests, cluster and
 * durations) once with one worker process and once with three on the same database, Redis and
 * simulator, each worker at the same WORKER_CONCURRENCY. Each side gets a fresh stack. The figures
 * say what a second and third worker buy: wall time, VMs/s, how long an approved request waits
 * for a worker to start its run, PVE calls per VM, and the memory the workers hold.
 */
import { runProvisioningBench } from './provisioning-bench';
import type { StorageLayout } from './support/stack';

/** One side of the comparison: the realistic run with `workers` worker processes. */
export type WorkersRun = {
  workers: number;
  wallSeconds: number;
  active: number;
  failed: number;
  vmsPerSecond: number;
  /** Mean seconds from a request's approval until a worker started its run. */
  approvalToRunStartedSeconds: number;
  pveCallsPerVm: number;
  criticalPathSeconds?: number;
  /** Each worker's own peak RSS, in MB. */
  workerPeakRssMBEach: number[];
  /** The peak of the workers' RSS added up at one instant, in MB. */
  workersPeakRssSumMB: number;
  /** Mean seconds per VM: approval → run started, each step, approval → run finished. */
  meanSeconds: Record<string, number>;
};

export type WorkersFigures = {
  requests: number;
  nodes: number;
  timeFactor: number;
  workerConcurrency: number;
  layout: StorageLayout;
  runs: WorkersRun[];
};

/** Runs the realistic provisioning run once per worker count in `counts`, each on a fresh stack. */
export async function runWorkersBench(o: {
  counts: number[];
  requests: number;
  nodes: number;
  timeFactor: number;
  workerConcurrency: number;
  layout: StorageLayout;
  deadlineSeconds: number;
  log: (l: string) => void;
}): Promise<WorkersFigures> {
  const runs: WorkersRun[] = [];
  for (const workers of o.counts) {
    o.log(`${workers} worker(s), WORKER_CONCURRENCY ${o.workerConcurrency} each`);
    const p = await runProvisioningBench({ ...o, workers, log: (l) => o.log(`${workers}w: ${l}`) });
    runs.push({
      workers,
      wallSeconds: p.wallSeconds,
      active: p.active,
      failed: p.failed,
      vmsPerSecond: p.vmsPerSecond,
      approvalToRunStartedSeconds: p.meanSeconds['approval → run started'] ?? 0,
      pveCallsPerVm: p.pveCallsPerVm,
      ...(p.criticalPathSeconds === undefined ? {} : { criticalPathSeconds: p.criticalPathSeconds }),
      workerPeakRssMBEach: p.workerPeakRssMBEach ?? [p.workerPeakRssMB],
      workersPeakRssSumMB: p.workersPeakRssSumMB ?? p.workerPeakRssMB,
      meanSeconds: p.meanSeconds,
    });
    o.log(`${workers} worker(s): ${p.active} active, ${p.failed} failed in ${p.wallSeconds.toFixed(1)} s`);
  }
  return { requests: o.requests, nodes: o.nodes, timeFactor: o.timeFactor, workerConcurrency: o.workerConcurrency, layout: o.layout, runs };
}
