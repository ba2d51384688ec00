import { randomBytes } from 'node:crypto';
import { replaceClusterSnapshot } from '@betang/db';
import { createQueueBackend, createQueueDepthReader, type QueueBackend } from '@betang/queue';
import { createTestDatabase, type TestDatabase, testLogDestination, testLogOptions } from '@betang/testkit';
import { pino } from 'pino';
import request from 'supertest';
import { createApp, opsAppOf } from '../app';
import { evaluateReadiness } from '@betang/core';
import { queueCheck } from '@betang/queue';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Nothing listens there: Redis "down". */
const DEAD_REDIS_URL = 'redis://127.0.0.1:1';

describe('API /readyz and /metrics (operations listener)', () => {
  jest.setTimeout(20_000);
  let t: TestDatabase;
  const backends: QueueBackend[] = [];
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    await Promise.all(backends.map((b) => b.close()));
    await t.drop();
  });

  const appWith = (redisUrl: string | undefined) => {
    const backend = createQueueBackend(
      redisUrl
        ? { kind: 'redis', url: redisUrl, prefix: `betang-ready-${randomBytes(4).toString('hex')}` }
        : { kind: 'postgres', connectionString: t.url, embedded: false },
    );
    backends.push(backend);
    const queueDepths = createQueueDepthReader(backend, { ttlMs: 0 });
    backends.push({ close: () => queueDepths.close() } as QueueBackend);
    return createApp({
      db: t.db,
      logger: pino(testLogOptions('readiness'), testLogDestination('readiness')),
      healthChecks: [queueCheck(backend)],
      queueDepths,
      config: {
        PUBLIC_URL: 'http://127.0.0.1:3000',
        SESSION_TTL_HOURS: 12,
        COOKIE_SECURE: false,
        TRUST_PROXY_HOPS: 0,
        WEB_DIST_DIR: undefined,
        NODE_ENV: 'test',
        SIGNING_MASTER_SECRET: 'uji-rahasia-induk-penandatanganan-betang',
        TOTP_REQUIRED_ROLES: [],
      } as never,
    });
  };
  const observe = (ageSeconds: number) =>
    t.db.transaction().execute((tx) =>
      replaceClusterSnapshot(tx, [
        {
          node: 'pve1',
          online: true,
          statsVisible: true,
          cpuUsage: 0.1,
          cpuCount: 8,
          memTotalBytes: 1,
          memUsedBytes: 0,
          storages: [],
          observedAt: new Date(Date.now() - ageSeconds * 1000),
        },
      ]),
    );

  it('should be degraded but ready (200) before the worker ever observed Proxmox, and say so', async () => {
    const res = await request(opsAppOf(appWith(REDIS_URL))).get('/readyz');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body.status).toBe('degraded');
    expect(res.body.checks.database).toMatchObject({ ok: true, critical: true });
    expect(res.body.checks.queue).toMatchObject({ ok: true, critical: true, reason: { en: 'Redis answers' } });
    expect(res.body.checks.proxmox).toMatchObject({
      ok: false,
      critical: false,
      reason: { en: expect.stringMatching(/no cluster observation yet/) },
    });
  });

  it('should be ready with a fresh cluster snapshot and degraded with a stale one', async () => {
    await observe(5);
    const fresh = await request(opsAppOf(appWith(REDIS_URL))).get('/readyz');
    expect(fresh.body.status).toBe('ready');
    expect(fresh.body.checks.proxmox.reason.en).toMatch(/observed by the worker \d+ s ago \(1 nodes\)/);
    await observe(600);
    const stale = await request(opsAppOf(appWith(REDIS_URL))).get('/readyz');
    expect(stale.status).toBe(200);
    expect(stale.body.status).toBe('degraded');
    expect(stale.body.checks.proxmox.reason.id).toMatch(/pengamatan klaster terakhir 60\d dtk lalu/);
  });

  it('should answer 503 naming Redis when Redis is down, and keep /metrics answering', async () => {
    const app = opsAppOf(appWith(DEAD_REDIS_URL));
    const res = await request(app).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body.status).toBe('not_ready');
    expect(res.body.checks.queue).toMatchObject({ ok: false, reason: { id: 'Redis tidak dapat dihubungi', en: 'Redis is unreachable' } });
    const metrics = await request(app).get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toMatch(/betang_scrape_source_up\{source="queue"\} 0/);
    expect(metrics.text).toMatch(/betang_scrape_source_up\{source="database"\} 1/);
  });

  it('should check the PostgreSQL queue backend when there is no Redis, and expose its depths', async () => {
    const app = opsAppOf(appWith(undefined));
    const res = await request(app).get('/readyz');
    expect(res.body.checks.queue).toMatchObject({ ok: true, reason: { en: 'antrean PostgreSQL / PostgreSQL queue answers' } });
    const metrics = await request(app).get('/metrics');
    expect(metrics.text).toMatch(/betang_queue_jobs\{queue="provisioning",state="waiting"\} 0/);
    expect(metrics.text).toMatch(/betang_api_process_resident_memory_bytes \d+/);
    expect(metrics.text).toMatch(/betang_cluster_snapshot_timestamp_seconds \d{10}/);
  });

  it('should label HTTP metrics by route template, never by the raw path', async () => {
    const app = appWith(REDIS_URL);
    await request(app).get('/api/v1/vps-requests/3f0b3c56-0000-4000-8000-000000000000');
    await request(app).get('/api/v1/no-such-thing/zzz-unique-path');
    const text = (await request(opsAppOf(app)).get('/metrics')).text;
    expect(text).toMatch(/betang_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/vps-requests\/:id",status="401"\} 1/);
    expect(text).toMatch(/route="unmatched",status="404"/);
    expect(text).not.toMatch(/3f0b3c56|zzz-unique-path/);
  });
});

describe('evaluateReadiness', () => {
  it('should fail a hanging or throwing check with its reason, within the timeout', async () => {
    const logged: [string, string][] = [];
    const started = Date.now();
    const report = await evaluateReadiness(
      [
        { name: 'hangs', critical: false, check: () => new Promise(() => undefined) },
        { name: 'throws', critical: true, check: () => Promise.reject(new Error('boom <script>')) },
      ],
      200,
      (check, error) => logged.push([check, (error as Error).message]),
    );
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(report.status).toBe('not_ready');
    expect(report.checks.hangs).toMatchObject({ ok: false, reason: { en: 'no answer within 200 ms' } });
    // The message (it may name hosts or users) goes to the log, not into the public answer.
    expect(report.checks.throws).toMatchObject({
      ok: false,
      reason: { id: 'gagal (Error); rincian di log', en: 'failed (Error); details in the log' },
    });
    expect(JSON.stringify(report)).not.toContain('boom');
    expect(logged).toEqual([['throws', 'boom <script>']]);
  });
});
