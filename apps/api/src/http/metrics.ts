import type { Db } from '@betang/db';
import type { QueueDepthReader } from '@betang/queue';
import type { RequestHandler } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** What the API's /metrics reads at scrape time besides its own counters. */
type ApiMetricsSources = {
  db: Db;
  /** Job counts per queue and state; absent when the API has no queue backend (tests). */
  queueDepths?: QueueDepthReader;
};

type ApiMetrics = {
  readonly registry: Registry;
  /** Express middleware observing every response by method, route template and status. */
  middleware(): RequestHandler;
  /**
   * Middleware for the first line of a mounted router: remembers its mount path, which Express
   * forgets when an error leaves the router, so route labels stay `/api/v1/…` on errors too.
   */
  mountMarker(): RequestHandler;
  /** The Prometheus text exposition (content type in `contentType`). */
  render(): Promise<string>;
  readonly contentType: string;
};

/** Seconds; from a fast cached GET to a slow PDF render or a long SSE handshake. */
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The route template of a request (`/api/v1/vps-requests/:id`), never the raw path, so label
 * cardinality stays bounded whatever URLs clients send; `unmatched` for 404s and static files.
 */
function routeLabel(req: { baseUrl: string; route?: { path?: unknown } }, mount?: unknown): string {
  const path = req.route?.path;
  return typeof path === 'string' ? `${typeof mount === 'string' ? mount : req.baseUrl}${path}` : 'unmatched';
}

const MOUNT = 'metricsMount';

/**
 * Creates the API's Prometheus registry: default process metrics (`betang_api_` prefixed),
 * the HTTP request counter and latency histogram, queue depths (read at scrape time through the
 * queue package, cached briefly) and cheap database gauges (outbox backlog, runs by status,
 * time of the last cluster snapshot). Guarantees: a failing source never fails the scrape — its gauges
 * are left empty and `betang_scrape_source_up{source}` says 0.
 */
export function createApiMetrics(sources: ApiMetricsSources): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'betang_api_' });
  const requests = new Counter({
    name: 'betang_http_requests_total',
    help: 'HTTP requests by method, route template and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'betang_http_request_duration_seconds',
    help: 'HTTP request latency by method, route template and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: HTTP_BUCKETS,
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
  const outboxPending = new Gauge({
    name: 'betang_outbox_pending',
    help: 'Outbox rows not yet relayed to the queue.',
    registers: [registry],
  });
  const runs = new Gauge({
    name: 'betang_runs',
    help: 'Provisioning runs waiting or in progress, by kind and status.',
    labelNames: ['kind', 'status'] as const,
    registers: [registry],
  });
  const snapshotAt = new Gauge({
    name: 'betang_cluster_snapshot_timestamp_seconds',
    help: "Unix time of the worker's last successful observation of the Proxmox cluster (0 = never); alert on time() - this > 180.",
    registers: [registry],
  });

  const refreshQueue = async () => {
    if (!sources.queueDepths) return;
    queueJobs.reset();
    try {
      const depths = await sources.queueDepths.read();
      for (const [queue, byState] of Object.entries(depths))
        for (const [state, n] of Object.entries(byState)) queueJobs.set({ queue, state }, n);
      sourceUp.set({ source: 'queue' }, 1);
    } catch {
      sourceUp.set({ source: 'queue' }, 0);
    }
  };
  const refreshDatabase = async () => {
    runs.reset();
    try {
      const [outbox, active, snapshot] = await Promise.all([
        sources.db
          .selectFrom('outbox')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('processedAt', 'is', null)
          .executeTakeFirstOrThrow(),
        sources.db
          .selectFrom('provisioningRuns')
          .select(['kind', 'status', (eb) => eb.fn.countAll<string>().as('n')])
          .where('status', 'in', ['queued', 'running'])
          .groupBy(['kind', 'status'])
          .execute(),
        sources.db
          .selectFrom('clusterNodes')
          .select((eb) => eb.fn.max('observedAt').as('at'))
          .executeTakeFirst(),
      ]);
      outboxPending.set(Number(outbox.n));
      for (const r of active) runs.set({ kind: r.kind, status: r.status }, Number(r.n));
      snapshotAt.set(snapshot?.at ? new Date(snapshot.at).getTime() / 1000 : 0);
      sourceUp.set({ source: 'database' }, 1);
    } catch {
      sourceUp.set({ source: 'database' }, 0);
    }
  };

  return {
    registry,
    contentType: registry.contentType,
    middleware: () => (req, res, next) => {
      const end = latency.startTimer();
      res.on('finish', () => {
        const labels = { method: req.method, route: routeLabel(req, res.locals[MOUNT]), status: String(res.statusCode) };
        requests.inc(labels);
        end(labels);
      });
      next();
    },
    mountMarker: () => (req, res, next) => {
      res.locals[MOUNT] = req.baseUrl;
      next();
    },
    async render() {
      await Promise.all([refreshQueue(), refreshDatabase()]);
      return registry.metrics();
    },
  };
}
