import { startSimulator } from './simulator';
import type { RunningSimulator } from './simulator';
import { rawRequest } from './testing/raw-client';

describe('authentication', () => {
  let sim: RunningSimulator;
  let legacy: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({
      timeFactor: 0,
      authFailureDelayMs: 150,
      tokens: [{ tokenId: 'provisioner@pve!worker', secret: '2f6c0b1e-8d7a-4c61-9a51-0b7c3d9e4f10', privsep: false }],
      access: { acls: [{ path: '/', roleid: 'Administrator', users: ['provisioner@pve'] }] },
    });
    legacy = await startSimulator({ timeFactor: 0, flavour: 'pve8' });
  });
  afterAll(async () => {
    await sim.close();
    await legacy.close();
  });

  test('API token: header forms PVE accepts; task user split into user + tokenid', async () => {
    expect(sim.tokenId).toBe('provisioner@pve!worker');
    const spaced = await rawRequest(sim, 'GET', '/version', {
      headers: { authorization: `PVEAPIToken ${sim.tokenId}=${sim.tokenSecret}` },
    });
    expect(spaced.status).toBe(200);
    const r = await rawRequest(sim, 'POST', '/nodes/pve1/qemu/9000/clone', { form: { newid: 150 } });
    expect(String(r.body?.data)).toMatch(/:qmclone:9000:provisioner@pve!worker:$/);
  });

  test('401s: no credentials → "No ticket"; bad secret → "Authentication failed!" after the delay; empty body', async () => {
    const none = await rawRequest(sim, 'GET', '/version', { noAuth: true });
    expect(none.status).toBe(401);
    expect(none.reason).toBe('No ticket');
    expect(none.text).toBe('');
    const t0 = Date.now();
    const bad = await rawRequest(sim, 'GET', '/version', {
      headers: { authorization: `PVEAPIToken=${sim.tokenId}=00000000-0000-4000-8000-000000000000` },
    });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    expect(bad.status).toBe(401);
    expect(bad.reason).toBe('Authentication failed!');
    const old = await rawRequest(legacy, 'GET', '/version', {
      headers: { authorization: `PVEAPIToken=${legacy.tokenId}=00000000-0000-4000-8000-000000000000` },
    });
    expect(old.reason).toBe('invalid token value!');
  });

  test('ticket + CSRF: GET with cookie only; writes need the CSRF header; renewal with the ticket as password', async () => {
    const login = await rawRequest(legacy, 'POST', '/access/ticket', {
      form: { username: 'root@pam', password: 'betang-sim' },
      noAuth: true,
    });
    expect(login.status).toBe(200);
    const d = login.body?.data as { ticket: string; CSRFPreventionToken: string; username: string };
    expect(d.username).toBe('root@pam');
    expect(d.ticket).toMatch(/^PVE:root@pam:[0-9A-F]{8}::/);
    const cookie = `PVEAuthCookie=${encodeURIComponent(d.ticket)}`;
    expect((await rawRequest(legacy, 'GET', '/cluster/nextid', { headers: { cookie } })).body?.data).toBe('100');
    const noCsrf = await rawRequest(legacy, 'POST', '/pools', { form: { poolid: 'x1' }, headers: { cookie } });
    expect(noCsrf.status).toBe(401);
    expect(noCsrf.reason).toBe('Permission denied - invalid csrf token');
    const ok = await rawRequest(legacy, 'POST', '/pools', {
      form: { poolid: 'x1' },
      headers: { cookie, csrfpreventiontoken: d.CSRFPreventionToken },
    });
    expect(ok.status).toBe(200);
    const renewed = await rawRequest(legacy, 'POST', '/access/ticket', {
      form: { username: 'root@pam', password: d.ticket },
      noAuth: true,
    });
    expect(renewed.status).toBe(200);
    const forged = await rawRequest(legacy, 'GET', '/version', {
      headers: { cookie: `PVEAuthCookie=${d.ticket.replace(/::.*/, '::AAAA')}` },
    });
    expect(forged.reason).toBe('permission denied - invalid PVE ticket');
    const wrong = await rawRequest(legacy, 'POST', '/access/ticket', { form: { username: 'root@pam', password: 'nope' }, noAuth: true });
    expect(wrong.status).toBe(401);
    // ticket-only endpoint refuses tokens
    expect((await rawRequest(legacy, 'GET', '/access/users')).status).toBe(403);
    expect((await rawRequest(legacy, 'GET', '/access/users', { headers: { cookie } })).status).toBe(200);
  });

  test('hostile input: huge body, broken JSON, odd paths', async () => {
    const big = await rawRequest(legacy, 'POST', '/nodes/pve1/qemu/9000/config', { rawBody: `description=${'a'.repeat(70 * 1024)}` });
    expect(big.status).toBe(413);
    const json = await rawRequest(sim, 'POST', '/pools', { rawBody: '{"poolid":', headers: { 'content-type': 'application/json' } });
    expect(json.status).toBe(400);
    const dots = await rawRequest(sim, 'GET', '/nodes/pve1/qemu/..%2F..%2Fetc/config');
    expect(dots.status).toBe(400);
    expect(dots.body?.errors?.vmid).toMatch(/type check/);
    const outside = await rawRequest(sim, 'GET', '/_sim/../api2/json/version', { noAuth: true });
    expect([401, 404]).toContain(outside.status);
  });
});
