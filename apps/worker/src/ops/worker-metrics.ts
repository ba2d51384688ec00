import type { PveCallEvent } from '@betang/proxmox';
import type { QueueDepthReader } from '@betang/queue';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Outcome label of a PVE call: bounded to these seven values. */
type PveOutcomeLabel = 'ok' | '4xx' | '5xx' | '595' | 'other' | 'timeout' | 'network';

/**
 * Maps a client call event to its outcome label. 595 is PVE's own "no connection to the node"
 * status (the proxy could not reach the target node), kept apart from other 5xx because its
 * remedy differs (docs/runbook.md).
 */
export function pveOutcome(event: Pick<PveCallEvent, 'outcome' | 'status'>): PveOutcomeLabel {
  if (event.outcome !== 'error') return event.outcome;
  const status = event.status ?? 0;
  if (status === 595) return '595';
  if (status >= 500) return '5xx';
  if (status >= 400) return '4xx';
  return 'other';
}

/** Seconds; a step lasts from milliseconds (memoised checks) to half an hour (a full clone). */
const STEP_BUCKETS = [0.05, 0.25, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600];
/** Seconds; a whole run lasts from seconds (a stop) to an hour (the run deadline). */
const RUN_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200];
const PVE_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export type WorkerMetrics = {
  readonly registry: Registry;
  readonly contentType: string;
  /** Pass as the PVE client's `onCall` hook. Never throws. */
  onPveCall(event: PveCallEvent): void;
  /** A step of a run finished (done, skipped or failed) after `seconds`. */
  observeStep(kind: string, step: string, status: 'done' | 'skipped' | 'failed', seconds: number): void;
  /** A run reached a final status after `seconds` from its first start. */
  observeRun(kind: string, outcome: string, seconds: number): void;
  /** The Prometheus text exposition; queue depths are read now (cached by the reader). */
  render(): Promise<string>;
};

/**
 * Creates the worker's Prometheus registry: default process metrics (`betang_worker_`
 * prefixed), step and run duration histograms, runs finished by outcome, PVE calls by method,
 * route template and outcome, and queue depths read at scrape time. Guarantees: labels are
 * route templates and fixed outcome sets, never raw paths or ids (bounded cardinality); a
 * failing queue read leaves the depth gauges empty with `betang_scrape_source_up{source="queue"} 0`
 * instead of failing the scrape.
 */
export function createWorkerMetrics(options: { queueDepths?: QueueDepthReader } = {}): WorkerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'betang_worker_' });
  const stepSeconds = new Histogram({
    name: 'betang_run_step_duration_seconds',
    help: 'Duration of run steps by run kind, step key and step result.',
    labelNames: ['kind', 'step', 'status'] as const,
    buckets: STEP_BUCKETS,
    registers: [registry],
  });
  const runSeconds = new Histogram({
    name: 'betang_run_duration_seconds',
    help: 'Duration of finished runs (first start to final status) by kind and outcome.',
    labelNames: ['kind', 'outcome'] as const,
    buckets: RUN_BUCKETS,
    registers: [registry],
  });
  const runsFinished = new Counter({
    name: 'betang_runs_finished_total',
    help: 'Runs this worker brought to a final status, by kind and outcome.',
    labelNames: ['kind', 'outcome'] as const,
    registers: [registry],
  });
  const pveCalls = new Counter({
    name: 'betang_pve_calls_total',
    help: 'Proxmox VE API calls by method, route template and outcome (ok, 4xx, 5xx, 595, other, timeout, network).',
    labelNames: ['method', 'route', 'outcome'] as const,
    registers: [registry],
  });
  const pveSeconds = new Histogram({
    name: 'betang_pve_call_duration_seconds',
    help: 'Proxmox VE API call latency by method and route template (after GET retries).',
    labelNames: ['method', 'route'] as const,
    buckets: PVE_BUCKETS,
    registers: [registry],
  });
  const sourceUp = new Gauge({
    name: 'betang_scrape_source_up',
    help: '1 when the source answered during this scrape.',
    labelNames: ['source'] as const,
    registers: [registry],
  });
  const queueJobs = new Gauge({
    name: 'betang_queue_jobs',
    help: 'Jobs per queue and state (read at scrape time, cached a few seconds).',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
  });

  return {
    registry,
    contentType: registry.contentType,
    onPveCall(event) {
      try {
        pveCalls.inc({ method: event.method, route: event.pathTemplate, outcome: pveOutcome(event) });
        pveSeconds.observe({ method: event.method, route: event.pathTemplate }, event.durationMs / 1000);
      } catch {
        // A metrics problem must never fail a Proxmox call.
      }
    },
    observeStep(kind, step, status, seconds) {
      stepSeconds.observe({ kind, step, status }, Math.max(0, seconds));
    },
    observeRun(kind, outcome, seconds) {
      runsFinished.inc({ kind, outcome });
      runSeconds.observe({ kind, outcome }, Math.max(0, seconds));
    },
    async render() {
      if (options.queueDepths) {
        queueJobs.reset();
        try {
          const depths = await options.queueDepths.read();
          for (const [queue, byState] of Object.entries(depths))
            for (const [state, n] of Object.entries(byState)) queueJobs.set({ queue, state }, n);
          sourceUp.set({ source: 'queue' }, 1);
        } catch {
          sourceUp.set({ source: 'queue' }, 0);
        }
      }
      return registry.metrics();
    },
  };
}
