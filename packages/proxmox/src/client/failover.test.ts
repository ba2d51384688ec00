import { fingerprintOfPem } from './tls-dispatcher';
import { createPveClient } from './pve-client';
import type { PveClient, PveClientOptions } from './pve-client';
import { PveTransportError } from '../errors/pve-transport-error';
import { createCallCounter } from '../metrics/call-counter';
import type { FixtureServer, TestPki } from '../testing/https-fixture';
import { makeTestPki, pveReply, startFixture } from '../testing/https-fixture';

const TOKEN = { tokenId: 'provisioner@pve!worker', tokenSecret: '2f6c0b1e-8d7a-4c61-9a51-0b7c3d9e4f10' };
const VERSION = (_req: unknown, res: Parameters<typeof pveReply>[0]): void => pveReply(res, 200, { data: { version: '9.1.1' } });

/** An https origin on loopback where nothing listens (connection refused). */
async function deadOrigin(pki: TestPki): Promise<string> {
  const srv = await startFixture(pki, () => undefined);
  await srv.close();
  return srv.url;
}

describe('createPveClient with several API endpoints', () => {
  let pki: TestPki;
  let otherPki: TestPki;
  let a: FixtureServer;
  let b: FixtureServer;
  const clients: PveClient[] = [];
  const make = (baseUrl: string[], extra: Partial<PveClientOptions> = {}): PveClient => {
    const c = createPveClient({ baseUrl, ...TOKEN, ca: pki.caPem, timeoutMs: 2_000, ...extra });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    pki = makeTestPki();
    otherPki = makeTestPki();
    a = await startFixture(pki, VERSION);
    b = await startFixture(pki, VERSION);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    for (const s of [a, b]) {
      s.requests.length = 0;
      s.setHandler(VERSION);
    }
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  it('should fail over a GET when the first endpoint is down, and start at the one that answered next time', async () => {
    const down = await deadOrigin(pki);
    const counter = createCallCounter();
    const endpoints: string[] = [];
    const c = make([down, a.url], {
      onCall: (e) => {
        counter.onCall(e);
        endpoints.push(e.endpoint ?? '');
      },
    });
    await expect(c.request('GET', '/version')).resolves.toEqual({ version: '9.1.1' });
    await expect(c.request('GET', '/cluster/resources')).resolves.toEqual({ version: '9.1.1' });
    expect(a.requests.map((r) => r.url)).toEqual(['/api2/json/version', '/api2/json/cluster/resources']);
    expect(endpoints).toEqual([a.url, a.url]);
    expect(counter.snapshot().byOutcome.ok).toBe(2);
    expect(c.endpoints).toEqual([down, a.url]);
  });

  it('should send a POST to the next endpoint when the first refused the connection (nothing was sent)', async () => {
    const down = await deadOrigin(pki);
    a.setHandler((_req, res) => pveReply(res, 200, { data: 'UPID:pve1:003A5F21:0B2C8E11:6702A1B3:qmclone:9000:provisioner@pve!worker:' }));
    await expect(make([down, a.url]).vm('pve1', 9000).clone({ newid: 101, full: true })).resolves.toMatch(/^UPID:pve1:/);
    expect(a.requests).toHaveLength(1);
  });

  it('should never re-send a POST whose request may have reached the first endpoint', async () => {
    a.setHandler((_req, res) => res.socket?.destroy());
    const err = await make([a.url, b.url])
      .request('POST', '/nodes/pve1/qemu/9000/clone', { newid: 101 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PveTransportError);
    expect(err).toMatchObject({ kind: 'network', maybeApplied: true, attempts: 1 });
    expect(a.requests).toHaveLength(1);
    expect(b.requests).toHaveLength(0);
  });

  it('should re-send a GET to the next endpoint after a reset', async () => {
    a.setHandler((_req, res) => res.socket?.destroy());
    await expect(make([a.url, b.url]).request('GET', '/version')).resolves.toEqual({ version: '9.1.1' });
    expect(a.requests).toHaveLength(1);
    expect(b.requests).toHaveLength(1);
  });

  it('should not fail over when an endpoint answers with an error: PVE answered', async () => {
    a.setHandler((_req, res) => pveReply(res, 500, { data: null, message: 'VM is locked (clone)\n' }, 'VM is locked (clone)'));
    await expect(make([a.url, b.url]).request('GET', '/version')).rejects.toMatchObject({ status: 500 });
    expect(b.requests).toHaveLength(0);
  });

  it('should name every endpoint, in both languages, when none answers', async () => {
    const [d1, d2] = [await deadOrigin(pki), await deadOrigin(pki)];
    const err = await make([d1, d2], { getRetries: 1 })
      .request('POST', '/nodes/pve1/qemu/9000/clone', { newid: 101 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PveTransportError);
    const t = err as PveTransportError;
    expect(t).toMatchObject({ kind: 'network', maybeApplied: false, attempts: 2, retryable: true });
    expect(t.endpoints.map((e) => e.endpoint)).toEqual([d1, d2]);
    expect(t.message).toContain(`${d1} (network: ECONNREFUSED)`);
    const text = t.describe();
    expect(text.id).toMatch(/^Tidak ada satu pun endpoint API Proxmox yang menjawab/);
    expect(text.en).toMatch(/^None of the Proxmox API endpoints answered/);
    for (const d of [d1, d2]) {
      expect(text.id).toContain(d);
      expect(text.en).toContain(d);
    }
  });

  it('should retry GET rounds over all endpoints at most getRetries times', async () => {
    const [d1, d2] = [await deadOrigin(pki), await deadOrigin(pki)];
    await expect(make([d1, d2], { getRetries: 1 }).request('GET', '/version')).rejects.toMatchObject({ attempts: 4, maybeApplied: false });
  });

  it('should pin each endpoint to its own fingerprint, in PVE_URL order', async () => {
    const other = await startFixture(otherPki, VERSION);
    try {
      const fps = [fingerprintOfPem(pki.certPem), fingerprintOfPem(otherPki.certPem)];
      const c = make([a.url, other.url], { ca: undefined, fingerprint: fps });
      a.setHandler((_req, res) => res.socket?.destroy());
      // a resets, so the GET goes on to `other`, which presents its own (second) certificate.
      await expect(c.request('GET', '/version')).resolves.toEqual({ version: '9.1.1' });
      expect(other.requests).toHaveLength(1);

      other.requests.length = 0;
      a.setHandler(VERSION);
      const swapped = make([a.url, other.url], { ca: undefined, fingerprint: [fps[1] as string, fps[0] as string] });
      const err = (await swapped.request('POST', '/version').catch((e: unknown) => e)) as PveTransportError;
      expect(err).toMatchObject({ kind: 'tls', maybeApplied: false });
      expect(err.endpoints.map((e) => e.detail)).toEqual(['TLS: ERR_PVE_TLS_PIN_MISMATCH', 'TLS: ERR_PVE_TLS_PIN_MISMATCH']);
      expect(a.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
      expect(other.requests).toHaveLength(0);
    } finally {
      await other.close();
    }
  });

  it('should refuse option lists that cannot be paired up', () => {
    const fp = fingerprintOfPem(pki.certPem);
    expect(() => createPveClient({ baseUrl: [a.url, b.url], ...TOKEN, fingerprint: [fp, fp, fp] })).toThrow(/one per baseUrl/);
    expect(() => createPveClient({ baseUrl: [a.url, `${a.url}/`], ...TOKEN, ca: pki.caPem })).toThrow(/twice/);
    expect(() => createPveClient({ baseUrl: [], ...TOKEN, ca: pki.caPem })).toThrow();
    expect(() => createPveClient({ baseUrl: [a.url, 'http://127.0.0.1:1'], ...TOKEN, ca: pki.caPem })).toThrow(/https/);
  });
});
