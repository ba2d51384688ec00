import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { evaluateReadiness, type HealthCheck } from '@betang/core';
import { WORKER_CHECK_TIMEOUT_MS } from './readiness';
import type { WorkerMetrics } from './worker-metrics';

export type OpsServer = {
  /** Where it listens (the port is the real one when 0 was asked for). */
  readonly address: { host: string; port: number };
  close(): Promise<void>;
};

/**
 * The worker's operations listener: `GET /healthz` (the process runs its event loop),
 * `GET /readyz` (every check, JSON with a reason each, 503 when one fails) and `GET /metrics`
 * (Prometheus text). Anything else is 404, non-GET/HEAD is 405. Guarantees: unauthenticated
 * and read-only, so it must listen on loopback or a private network (WORKER_METRICS_HOST);
 * rejects with the listen error (e.g. EADDRINUSE) instead of crashing the process.
 */
export function startOpsServer(options: {
  host: string;
  port: number;
  metrics: WorkerMetrics;
  checks: readonly HealthCheck[];
  logger?: Pick<Logger, 'warn'>;
}): Promise<OpsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return send(405, 'application/json', JSON.stringify({ error: 'method not allowed' }));
    }
    const answer = async () => {
      if (path === '/healthz') return send(200, 'application/json', JSON.stringify({ status: 'ok' }));
      if (path === '/readyz') {
        const report = await evaluateReadiness(options.checks, WORKER_CHECK_TIMEOUT_MS, (check, err) =>
          options.logger?.warn({ err, check }, 'pemeriksaan kesiapan gagal / readiness check failed'),
        );
        return send(report.status === 'not_ready' ? 503 : 200, 'application/json', JSON.stringify(report));
      }
      if (path === '/metrics') return send(200, options.metrics.contentType, await options.metrics.render());
      return send(404, 'application/json', JSON.stringify({ error: 'not found' }));
    };
    answer().catch((error: unknown) => {
      if (!res.headersSent)
        send(500, 'application/json', JSON.stringify({ error: error instanceof Error ? error.message : 'internal error' }));
      else res.destroy();
    });
  });
  server.requestTimeout = 15_000;
  server.headersTimeout = 10_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      resolve({
        address: { host: options.host, port: address.port },
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
