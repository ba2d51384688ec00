import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { createApp, opsAppOf } from '../app';
import { startApiHarness, type ApiHarness } from '../testing/api-harness';

/**
 * /readyz and /metrics are served only by the operations app (its own loopback listener,
 * API_OPS_HOST:API_OPS_PORT). The public app — what nginx proxies — answers 404 for them in any
 * letter case and with any trailing slash, with and without the web UI; its routing is exact.
 */

const SPELLINGS = [
  '/metrics',
  '/METRICS',
  '/Metrics',
  '/metrics/',
  '/metrics//',
  '/METRICS/',
  '/readyz',
  '/Readyz',
  '/READYZ',
  '/readyz/',
  '/ReadyZ/',
];

describe('operations endpoints live on their own listener', () => {
  let h: ApiHarness;
  let webDist: string;

  beforeAll(async () => {
    h = await startApiHarness();
    webDist = mkdtempSync(path.join(tmpdir(), 'betang-web-'));
    writeFileSync(path.join(webDist, 'index.html'), '<!doctype html><div id="root"></div>');
  });
  afterAll(async () => {
    rmSync(webDist, { recursive: true, force: true });
    await h.close();
  });

  const withUi = () => createApp({ ...h.deps, config: { ...h.deps.config, WEB_DIST_DIR: webDist } });

  it.each([
    ['without the web UI', () => h.app],
    ['with the web UI', withUi],
  ])('the public app answers 404 to every spelling of /metrics and /readyz (%s)', async (_label, app) => {
    const answers: Record<string, number> = {};
    for (const spelling of SPELLINGS) answers[spelling] = (await request(app()).get(spelling)).status;
    expect(answers).toEqual(Object.fromEntries(SPELLINGS.map((s) => [s, 404])));
    const body = (await request(app()).get('/METRICS')).text;
    expect(body).not.toMatch(/betang_|process_/);
  });

  it('the web UI fallback takes time linear in a hostile path of slashes (no quadratic trailing-slash match)', async () => {
    const app = withUi();
    const timed = async (target: string) => {
      const started = process.hrtime.bigint();
      const status = (await request(app).get(target)).status;
      return { status, ms: Number(process.hrtime.bigint() - started) / 1e6 };
    };
    // Node accepts a request line of up to 16 KiB: the longest run of slashes one request can carry.
    const hostile = `${'/'.repeat(16_000)}a`;
    const normal = `/a${'b'.repeat(16_000)}`;
    await timed(normal);
    const baseline = Math.max(...(await Promise.all([timed(normal), timed(normal), timed(normal)])).map((t) => t.ms));
    const slow = await timed(hostile);
    expect(slow.status).toBe(200);
    // Quadratic matching took seconds here (about 40-75 times the baseline of a path as long).
    expect(slow.ms).toBeLessThan(Math.max(10 * baseline, 100));
  });

  it('the public app keeps /healthz for uptime checks, matched exactly', async () => {
    expect((await request(h.app).get('/healthz')).status).toBe(200);
    expect((await request(h.app).get('/HEALTHZ')).status).toBe(404);
    expect((await request(h.app).get('/healthz/')).status).toBe(404);
  });

  it('routes under /api/v1 match exactly: no other letter case, no trailing slash', async () => {
    expect((await request(h.app).get('/api/v1/openapi.json')).status).toBe(200);
    expect((await request(h.app).get('/api/v1/OPENAPI.json')).status).toBe(404);
    expect((await request(h.app).get('/api/v1/openapi.json/')).status).toBe(404);
    expect((await request(h.app).get('/API/v1/openapi.json')).status).toBe(404);
  });

  it('the operations app serves /healthz, /readyz and /metrics, and nothing else', async () => {
    const ops = opsAppOf(h.app);
    expect((await request(ops).get('/healthz')).status).toBe(200);
    const ready = await request(ops).get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.checks.database).toMatchObject({ ok: true });
    const metrics = await request(ops).get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toMatch(/betang_api_process_resident_memory_bytes \d+/);
    for (const other of ['/api/v1/openapi.json', '/METRICS', '/metrics/', '/'])
      expect({ other, status: (await request(ops).get(other)).status }).toEqual({ other, status: 404 });
  });
});
