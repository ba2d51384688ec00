import { randomBytes } from 'node:crypto';
import { createPveClient, type PveClient } from '@betang/proxmox';
import { startSimulator, type RunningSimulator } from '@betang/pve-simulator';
import { createQueueBackend, createQueueDepthReader, queueCheck, type QueueBackend } from '@betang/queue';
import { createTestDatabase, type TestDatabase } from '@betang/testkit';
import { startOpsServer, type OpsServer } from './ops-server';
import { databaseCheck } from '@betang/db';
import { workerProxmoxCheck } from './readiness';
import { createWorkerMetrics } from './worker-metrics';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Nothing listens there: Redis "down". */
const DEAD_REDIS_URL = 'redis://127.0.0.1:1';

type Readiness = { status: string; checks: Record<string, { ok: boolean; reason?: { id: string; en: string } }> };

describe('worker operations listener', () => {
  jest.setTimeout(30_000);
  let t: TestDatabase;
  let sim: RunningSimulator;
  let pve: PveClient;
  const closers: { close(): Promise<void> }[] = [];
  const metrics = createWorkerMetrics();

  beforeAll(async () => {
    t = await createTestDatabase();
    sim = await startSimulator({ timeFactor: 0.01, seed: 3 });
    pve = createPveClient({
      baseUrl: sim.url,
      tokenId: sim.tokenId,
      tokenSecret: sim.tokenSecret,
      ca: sim.caPem,
      timeoutMs: 2_000,
      getRetries: 0,
      onCall: metrics.onPveCall,
    });
  });
  afterAll(async () => {
    for (const c of closers.reverse()) await c.close();
    await pve.close();
    await sim.close().catch(() => undefined);
    await t.drop();
  });

  const backendOn = (url: string): QueueBackend => {
    const backend = createQueueBackend({ kind: 'redis', url, prefix: `betang-ops-${randomBytes(4).toString('hex')}` });
    closers.push(backend);
    return backend;
  };
  const serve = async (backend: QueueBackend, client: PveClient | undefined, cacheMs = 0) => {
    const depths = createQueueDepthReader(backend, { ttlMs: 0 });
    closers.push(depths);
    const server = await startOpsServer({
      host: '127.0.0.1',
      port: 0,
      metrics: createWorkerMetrics({ queueDepths: depths }),
      checks: [databaseCheck(t.db), queueCheck(backend), workerProxmoxCheck(client, { cacheMs, timeoutMs: 1_500 })],
    });
    closers.push(server);
    return server;
  };
  const get = (server: OpsServer, path: string, init?: RequestInit) => fetch(`http://127.0.0.1:${server.address.port}${path}`, init);

  it('should be ready with PostgreSQL, Redis and Proxmox up, and say why for each', async () => {
    const server = await serve(backendOn(REDIS_URL), pve);
    expect((await get(server, '/healthz')).status).toBe(200);
    const res = await get(server, '/readyz');
    const body = (await res.json()) as Readiness;
    expect(res.status).toBe(200);
    expect(body.status).toBe('ready');
    expect(body.checks.database!.ok).toBe(true);
    expect(body.checks.queue).toMatchObject({ ok: true, reason: { en: 'Redis answers' } });
    expect(body.checks.proxmox!.ok).toBe(true);
    expect(body.checks.proxmox!.reason!.en).toMatch(/^Proxmox VE \S+ answers$/);
  });

  it('should answer 503 naming Redis when Redis is down', async () => {
    const server = await serve(backendOn(DEAD_REDIS_URL), pve);
    const res = await get(server, '/readyz');
    const body = (await res.json()) as Readiness;
    expect(res.status).toBe(503);
    expect(body.checks.queue).toMatchObject({ ok: false, reason: { id: 'Redis tidak dapat dihubungi', en: 'Redis is unreachable' } });
    expect(body.checks.database!.ok).toBe(true);
    // The scrape still answers; the depth gauges say the source is down instead of failing it.
    const text = await (await get(server, '/metrics')).text();
    expect(text).toMatch(/betang_scrape_source_up\{source="queue"\} 0/);
  });

  it('should answer 503 with the 401 reason when the token is wrong, and no PVE at all is a reason too', async () => {
    const badToken = createPveClient({
      baseUrl: sim.url,
      tokenId: sim.tokenId,
      tokenSecret: '00000000-0000-0000-0000-000000000000',
      ca: sim.caPem,
      timeoutMs: 2_000,
      onCall: metrics.onPveCall,
    });
    closers.push(badToken);
    const server = await serve(backendOn(REDIS_URL), badToken);
    const body = (await (await get(server, '/readyz')).json()) as Readiness;
    expect(body.status).toBe('not_ready');
    expect(body.checks.proxmox!.reason!.en).toMatch(/refused the token \(401\)/);
    const none = await serve(backendOn(REDIS_URL), undefined);
    const noneBody = (await (await get(none, '/readyz')).json()) as Readiness;
    expect(noneBody.checks.proxmox).toMatchObject({ ok: false, reason: { en: expect.stringMatching(/PVE_URL/) } });
  });

  it('should count PVE calls by route template and outcome, never by raw path', async () => {
    await pve.request('GET', '/nodes/pve1/qemu/424242/status/current').catch(() => undefined);
    const text = await metrics.render();
    expect(text).toMatch(/betang_pve_calls_total\{method="GET",route="\/version",outcome="ok"\} [1-9]/);
    expect(text).toMatch(/betang_pve_calls_total\{method="GET",route="\/version",outcome="4xx"\} [1-9]/);
    expect(text).not.toMatch(/424242/);
  });

  it('should turn not ready when the simulator stops, and the failed call is counted', async () => {
    const server = await serve(backendOn(REDIS_URL), pve);
    expect((await get(server, '/readyz')).status).toBe(200);
    await sim.close();
    const res = await get(server, '/readyz');
    const body = (await res.json()) as Readiness;
    expect(res.status).toBe(503);
    expect(body.checks.proxmox!.ok).toBe(false);
    expect(body.checks.proxmox!.reason!.en).toMatch(/^Proxmox unreachable/);
    expect(await metrics.render()).toMatch(/betang_pve_calls_total\{method="GET",route="\/version",outcome="(network|timeout)"\} [1-9]/);
  });

  it('should refuse other methods and paths, and expose queue depths', async () => {
    const backend = backendOn(REDIS_URL);
    const queue = backend.createQueue('notifications');
    await queue.add('x', {}, { delay: 60_000 });
    await queue.close();
    const server = await serve(backend, undefined);
    expect((await get(server, '/metrics', { method: 'POST' })).status).toBe(405);
    expect((await get(server, '/../etc/passwd')).status).toBe(404);
    const text = await (await get(server, '/metrics')).text();
    expect(text).toMatch(/betang_queue_jobs\{queue="notifications",state="delayed"\} 1/);
    expect(text).toMatch(/betang_queue_jobs\{queue="provisioning",state="waiting"\} 0/);
    expect(text).toMatch(/betang_worker_process_cpu_seconds_total/);
  });

  it('should reject when the port is taken instead of crashing', async () => {
    const first = await serve(backendOn(REDIS_URL), undefined);
    await expect(startOpsServer({ host: '127.0.0.1', port: first.address.port, metrics, checks: [] })).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });
  });
});
