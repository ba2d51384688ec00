import { fingerprintOfPem } from './tls-dispatcher';
import { createPveClient } from './pve-client';
import type { PveClient } from './pve-client';
import { PveApiError } from '../errors/pve-api-error';
import { PveTransportError } from '../errors/pve-transport-error';
import { createCallCounter } from '../metrics/call-counter';
import type { FixtureServer, TestPki } from '../testing/https-fixture';
import { makeTestPki, pveReply, startFixture } from '../testing/https-fixture';

const TOKEN = { tokenId: 'provisioner@pve!worker', tokenSecret: '2f6c0b1e-8d7a-4c61-9a51-0b7c3d9e4f10' };

describe('createPveClient against a loopback HTTPS fixture', () => {
  let pki: TestPki;
  let srv: FixtureServer;
  const clients: PveClient[] = [];
  const make = (extra: Partial<Parameters<typeof createPveClient>[0]> = {}): PveClient => {
    const c = createPveClient({ baseUrl: srv.url, ...TOKEN, ca: pki.caPem, timeoutMs: 2_000, ...extra });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    pki = makeTestPki();
    srv = await startFixture(pki, (_req, res) => pveReply(res, 200, { data: { version: '9.1.1' } }));
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    srv.requests.length = 0;
    srv.setHandler((_req, res) => pveReply(res, 200, { data: { version: '9.1.1' } }));
  });
  afterAll(() => srv.close());

  describe('TLS pinning', () => {
    it('should connect with the pinned CA and send the API token header', async () => {
      await expect(make().request('GET', '/version')).resolves.toEqual({ version: '9.1.1' });
      expect(srv.requests[0]?.headers.authorization).toBe(`PVEAPIToken=${TOKEN.tokenId}=${TOKEN.tokenSecret}`);
      expect(srv.requests[0]?.url).toBe('/api2/json/version');
    });

    it('should connect with only the leaf fingerprint (colon hex, any case)', async () => {
      const fp = fingerprintOfPem(pki.certPem);
      await expect(make({ ca: undefined, fingerprint: fp.toLowerCase() }).request('GET', '/version')).resolves.toEqual({
        version: '9.1.1',
      });
    });

    it('should refuse a server signed by another CA before sending anything', async () => {
      const err = await make({ ca: pki.otherCaPem })
        .request('GET', '/version')
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PveTransportError);
      expect(err).toMatchObject({ kind: 'tls', maybeApplied: false, retryable: false });
      expect(srv.requests).toHaveLength(0);
    });

    it('should refuse a wrong fingerprint before sending anything, also for POST', async () => {
      const wrong = fingerprintOfPem(pki.otherCaPem);
      const err = await make({ ca: undefined, fingerprint: wrong })
        .request('POST', '/nodes/pve1/qemu/9000/clone', { newid: 101 })
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ name: 'PveTransportError', kind: 'tls', maybeApplied: false });
      expect(srv.requests).toHaveLength(0);
    });

    it('should require a CA or fingerprint and reject bad options before connecting', () => {
      expect(() => createPveClient({ baseUrl: srv.url, ...TOKEN })).toThrow(/ca or fingerprint/);
      expect(() => createPveClient({ baseUrl: srv.url.replace('https', 'http'), ...TOKEN, ca: pki.caPem })).toThrow(/https/);
      expect(() => createPveClient({ baseUrl: srv.url, ...TOKEN, fingerprint: 'AB:CD' })).toThrow(/fingerprint/);
      expect(() => createPveClient({ baseUrl: srv.url, tokenId: 'root', tokenSecret: 'x', ca: pki.caPem })).toThrow(/tokenId/);
      expect(() => createPveClient({ baseUrl: srv.url, ...TOKEN, tokenSecret: 'a\r\nX-Evil: 1', ca: pki.caPem })).toThrow(/tokenSecret/);
    });
  });

  describe('requests and errors', () => {
    it('should send the VM client POSTs as PVE form bodies and report the path template', async () => {
      const counter = createCallCounter();
      srv.setHandler((_req, res) =>
        pveReply(res, 200, { data: 'UPID:pve1:003A5F21:0B2C8E11:6702A1B3:qmclone:9000:provisioner@pve!worker:' }),
      );
      const upid = await make({ onCall: counter.onCall }).vm('pve1', 9000).clone({ newid: 101, full: true, name: 'vps-101' });
      expect(upid).toMatch(/^UPID:pve1:/);
      expect(srv.requests[0]).toMatchObject({
        method: 'POST',
        url: '/api2/json/nodes/pve1/qemu/9000/clone',
        body: 'newid=101&full=1&name=vps-101',
      });
      expect(srv.requests[0]?.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(counter.snapshot().byRoute['POST /nodes/{node}/qemu/{vmid}/clone']?.byOutcome.ok).toBe(1);
    });

    it('should put GET parameters in the query string', async () => {
      srv.setHandler((_req, res) => pveReply(res, 200, { data: [] }));
      await make().request('GET', '/cluster/resources', { type: 'vm' });
      expect(srv.requests[0]?.url).toBe('/api2/json/cluster/resources?type=vm');
    });

    it.each([
      ['PVE 9 body', { data: null, message: 'VM is locked (clone)\n' }],
      ['PVE 8 body', { data: null }],
    ])('should raise PveApiError from the reason phrase and %s', async (_l, body) => {
      srv.setHandler((_req, res) => pveReply(res, 500, body, 'VM is locked (clone)'));
      const err = await make()
        .request('POST', '/nodes/pve1/qemu/101/config', { cores: 2 })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PveApiError);
      expect(err).toMatchObject({
        status: 500,
        reason: 'VM is locked (clone)',
        message: 'VM is locked (clone)',
        method: 'POST',
        pathTemplate: '/nodes/{node}/qemu/{vmid}/config',
        retryable: true,
      });
    });

    it('should carry the per-field map of a 400', async () => {
      srv.setHandler((_req, res) =>
        pveReply(
          res,
          400,
          {
            data: null,
            errors: { name: 'invalid format - value does not look like a valid DNS name\n' },
            message: 'Parameter verification failed.\n',
          },
          'Parameter verification failed.',
        ),
      );
      const counter = createCallCounter();
      const err = await make({ onCall: counter.onCall })
        .request('POST', '/nodes/pve1/qemu/101/config', { name: 'vps_1' })
        .catch((e: unknown) => e);
      expect(err).toMatchObject({
        status: 400,
        retryable: false,
        errors: { name: 'invalid format - value does not look like a valid DNS name' },
      });
      expect(counter.snapshot().byOutcome.error).toBe(1);
    });

    it('should treat a non-envelope 200 as a protocol error', async () => {
      srv.setHandler((_req, res) => {
        res.setHeader('Content-Type', 'text/html');
        res.end('<html>login</html>');
      });
      await expect(make().request('GET', '/version')).rejects.toMatchObject({ kind: 'protocol' });
    });

    it('should refuse paths that try to leave the API root or smuggle a query', async () => {
      const c = make();
      for (const bad of [
        'version',
        '/../version',
        '/nodes/%2e%2e/%2e%2e/x',
        '/cluster/resources?type=vm',
        '/a#b',
        '/a b',
        '//evil.example/x/../..',
        '/%zz',
      ]) {
        await expect(c.request('GET', bad)).rejects.toThrow(TypeError);
      }
      await expect(c.vm('..', 101).config()).rejects.toThrow(TypeError);
      await expect(c.request('PATCH', '/version')).rejects.toThrow(TypeError);
      expect(srv.requests).toHaveLength(0);
      await expect(c.vm('../x', 101).config()).rejects.toThrow(TypeError);
      expect(() => c.vm('pve1', 12.5)).toThrow(RangeError);
      expect(srv.requests).toHaveLength(0);
      // A node name is one escaped segment: `?` cannot add a query.
      await c
        .vm('pve1?x=1', 101)
        .config()
        .catch(() => undefined);
      expect(srv.requests[0]?.url).toBe('/api2/json/nodes/pve1%3Fx%3D1/qemu/101/config');
      // A volume id legitimately carries an escaped slash.
      await expect(c.request('GET', '/nodes/pve1/storage/local/content/local:iso%2Fdebian.iso')).resolves.toEqual({ version: '9.1.1' });
      expect(srv.requests[1]?.url).toBe('/api2/json/nodes/pve1/storage/local/content/local:iso%2Fdebian.iso');
    });
  });

  describe('deadlines, aborts and re-sends', () => {
    const hang = (): void => srv.setHandler(() => undefined);

    it('should time out a hanging GET within its deadline and count it', async () => {
      hang();
      const counter = createCallCounter();
      const t0 = Date.now();
      const err = await make({ onCall: counter.onCall })
        .request('GET', '/version', undefined, { timeoutMs: 300 })
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ name: 'PveTransportError', kind: 'timeout', retryable: true });
      expect(Date.now() - t0).toBeLessThan(3_000);
      expect(counter.snapshot().byOutcome.timeout).toBe(1);
    });

    it('should send a timed-out POST exactly once and say it may have been applied', async () => {
      hang();
      const err = await make()
        .request('POST', '/nodes/pve1/qemu/9000/clone', { newid: 101 }, { timeoutMs: 300 })
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ kind: 'timeout', maybeApplied: true, attempts: 1 });
      await new Promise((r) => setTimeout(r, 300));
      expect(srv.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    });

    it('should retry a GET after connection resets, within a small budget', async () => {
      let n = 0;
      srv.setHandler((_req, res) => (++n <= 2 ? res.socket?.destroy() : pveReply(res, 200, { data: 'ok' })));
      await expect(make().request('GET', '/version')).resolves.toBe('ok');
      expect(srv.requests).toHaveLength(3);
    });

    it('should give up on GET after getRetries and never retry a reset POST/PUT/DELETE', async () => {
      srv.setHandler((_req, res) => res.socket?.destroy());
      const c = make({ getRetries: 1 });
      await expect(c.request('GET', '/version')).rejects.toMatchObject({ kind: 'network', attempts: 2 });
      expect(srv.requests).toHaveLength(2);
      for (const m of ['POST', 'PUT', 'DELETE']) {
        srv.requests.length = 0;
        await expect(c.request(m, '/nodes/pve1/qemu/101/status/start')).rejects.toMatchObject({
          kind: 'network',
          maybeApplied: true,
          attempts: 1,
        });
        expect(srv.requests).toHaveLength(1);
      }
    });

    it('should stop at once when the caller aborts a call', async () => {
      hang();
      const ac = new AbortController();
      const c = make();
      const p = c.request('GET', '/version', undefined, { signal: ac.signal }).catch((e: unknown) => e);
      setTimeout(() => ac.abort(), 50);
      expect(await p).toMatchObject({ kind: 'aborted', retryable: true });
    });

    it('should report connection refused as not applied', async () => {
      const closed = await startFixture(pki, () => undefined);
      await closed.close();
      const c = createPveClient({ baseUrl: closed.url, ...TOKEN, ca: pki.caPem, timeoutMs: 2_000, getRetries: 0 });
      clients.push(c);
      await expect(c.request('POST', '/x')).rejects.toMatchObject({ kind: 'network', maybeApplied: false });
    });

    it('should never let a throwing onCall hook change the result', async () => {
      const c = make({
        onCall: () => {
          throw new Error('metrics down');
        },
      });
      await expect(c.request('GET', '/version')).resolves.toEqual({ version: '9.1.1' });
    });
  });
});
