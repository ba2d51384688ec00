import WebSocket from 'ws';
import { startSimulator } from '../simulator';
import type { RunningSimulator } from '../simulator';
import { rawRequest } from '../testing/raw-client';
import { eventually, simApi, type SimApi } from '../testing/sim-test-kit';
import { encodeTermData } from './term-framing';

type Termproxy = { user: string; ticket: string; port: number; upid: string };

/** Opens the VM's serial console as pve-xtermjs does and returns a reader of everything it shows. */
async function console(sim: RunningSimulator, api: SimApi, vmid: number): Promise<{ ws: WebSocket; text: () => string }> {
  const r = await api.post(`/nodes/pve1/qemu/${vmid}/termproxy`, {});
  const tp = r.body?.data as Termproxy;
  const q = new URLSearchParams({ port: String(tp.port), vncticket: tp.ticket });
  const ws = new WebSocket(`wss://${sim.host}:${sim.port}/api2/json/nodes/pve1/qemu/${vmid}/vncwebsocket?${q.toString()}`, ['binary'], {
    ca: sim.caPem,
    headers: { Authorization: `PVEAPIToken=${sim.tokenId}=${sim.tokenSecret}` },
  });
  let buf = '';
  ws.on('message', (d: Buffer) => (buf += d.toString('utf8')));
  await new Promise<void>((res, rej) => {
    ws.once('open', () => res());
    ws.once('error', rej);
  });
  ws.send(`${tp.user}:${tp.ticket}\n`);
  await eventually(async () => buf.includes('starting serial terminal'));
  return { ws, text: () => buf };
}

async function closeWs(ws: WebSocket): Promise<void> {
  const closed = new Promise<void>((r) => ws.once('close', () => r()));
  ws.close();
  await closed;
}

describe('POST /nodes/{node}/qemu/{vmid}/agent/set-user-password (qemu-server Agent.pm, qemu-ga chpasswd)', () => {
  let sim: RunningSimulator;
  let api: SimApi;
  const path = '/nodes/pve1/qemu/430/agent/set-user-password';
  beforeAll(async () => {
    sim = await startSimulator({ timeFactor: 0.01, guestSsh: false });
    api = simApi(sim);
    expect((await api.task('POST', '/nodes/pve1/qemu/9000/clone', { newid: 430, full: 1, name: 'rescue-430' })).exitstatus).toBe('OK');
    expect((await api.task('POST', '/nodes/pve1/qemu/430/config', { ciuser: 'admin' })).exitstatus).toBe('OK');
  });
  afterAll(async () => sim.close());

  test('a stopped VM: "not running", nothing set', async () => {
    const r = await api.post(path, { username: 'admin', password: 'sandi-rahasia-1' });
    expect(r.status).toBe(500);
    expect(r.reason).toContain('VM 430 is not running');
  });

  test('schema: password 5–1024 chars, username required', async () => {
    const short = await api.post(path, { username: 'admin', password: 'abcd' });
    expect(short.status).toBe(400);
    expect(short.text).toContain('value must be at least 5 characters long');
    expect((await api.post(path, { username: 'admin', password: 'x'.repeat(1025) })).status).toBe(400);
    expect((await api.post(path, { password: 'abcdef' })).status).toBe(400);
    expect((await api.post(path, { username: 'admin', password: 'abcdef', crypted: 'ya' })).status).toBe(400);
  });

  test('the running guest: {result:{}}; the console login then accepts that password; whoami', async () => {
    expect((await api.task('POST', '/nodes/pve1/qemu/430/status/start')).exitstatus).toBe('OK');
    await eventually(async () => (await api.post('/nodes/pve1/qemu/430/agent/ping')).status === 200);
    const c = await console(sim, api, 430);
    // before: cloud images lock password login
    c.ws.send(encodeTermData('admin\rsandi-rahasia-1\r'));
    await eventually(async () => c.text().includes('Login incorrect'));
    const r = await api.post(path, { username: 'admin', password: 'sandi-rahasia-1' });
    expect(r.status).toBe(200);
    expect(r.body?.data).toEqual({ result: {} });
    c.ws.send(encodeTermData('admin\rsandi-rahasia-1\r'));
    await eventually(async () => c.text().includes('admin@rescue-430:~$ '));
    c.ws.send(encodeTermData('whoami\r'));
    await eventually(async () => c.text().includes('whoami\r\nadmin\r\n'));
    c.ws.send(encodeTermData('exit\r'));
    // the last password set wins; the earlier one no longer opens the console
    expect((await api.post(path, { username: 'admin', password: 'sandi-baru-22' })).status).toBe(200);
    c.ws.send(encodeTermData('admin\rsandi-rahasia-1\r'));
    await eventually(async () => c.text().split('Login incorrect').length === 3);
    c.ws.send(encodeTermData('admin\rsandi-baru-22\r'));
    await eventually(async () => c.text().endsWith('admin@rescue-430:~$ '));
    await closeWs(c.ws);
  });

  test("qemu-ga's refusals: newline in the password, ':' in the name, an unknown user", async () => {
    const nl = await api.post(path, { username: 'admin', password: 'abc\ndefgh' });
    expect(nl.status).toBe(500);
    expect(nl.reason).toContain('Agent error: forbidden characters in raw password');
    const colon = await api.post(path, { username: 'ad:min', password: 'abcdefgh' });
    expect(colon.reason).toContain('Agent error: forbidden characters in username');
    const nobody = await api.post(path, { username: 'nobody-here', password: 'abcdefgh' });
    expect(nobody.status).toBe(500);
    expect(nobody.reason).toContain('Agent error: child process has failed to set user password');
  });

  test('root gets a login too; a crypted hash is stored as a hash, not accepted as typed text', async () => {
    expect((await api.post(path, { username: 'root', password: 'akar-rahasia-9' })).status).toBe(200);
    expect((await api.post(path, { username: 'admin', password: '$6$salt$hash', crypted: 1 })).status).toBe(200);
    const c = await console(sim, api, 430);
    // the serial session outlives its viewer: the last test left admin logged in
    c.ws.send(encodeTermData('exit\r'));
    c.ws.send(encodeTermData('root\rakar-rahasia-9\r'));
    await eventually(async () => c.text().includes('root@rescue-430:~# '));
    c.ws.send(encodeTermData('exit\radmin\r$6$salt$hash\r'));
    await eventually(async () => c.text().includes('Login incorrect'));
    await closeWs(c.ws);
  });
});

describe('set-user-password privilege (qemu-server: VM.GuestAgent.Unrestricted on PVE 9)', () => {
  let sim: RunningSimulator;
  const AUDIT = { tokenId: 'agen@pve!audit', secret: '11111111-2222-4333-8444-555555555555', privsep: true };
  const FULL = { tokenId: 'agen@pve!full', secret: '66666666-7777-4888-9999-aaaaaaaaaaaa', privsep: false };
  beforeAll(async () => {
    sim = await startSimulator({
      timeFactor: 0,
      authFailureDelayMs: 0,
      guestSsh: false,
      tokens: [AUDIT, FULL],
      access: {
        roles: { AgentAudit: ['VM.GuestAgent.Audit', 'VM.Audit'], AgentFull: ['VM.GuestAgent.Unrestricted', 'VM.Audit'] },
        acls: [
          { path: '/vms', roleid: 'AgentAudit', users: ['agen@pve'], tokens: ['agen@pve!audit'] },
          { path: '/vms/9000', roleid: 'AgentFull', users: ['agen@pve'], tokens: ['agen@pve!full'] },
        ],
      },
    });
  });
  afterAll(() => sim.close());

  test('VM.GuestAgent.Audit alone is refused; Unrestricted reaches the agent checks', async () => {
    const call = (t: { tokenId: string; secret: string }) =>
      rawRequest(
        { url: sim.url, caPem: sim.caPem, tokenId: t.tokenId, tokenSecret: t.secret },
        'POST',
        '/nodes/pve1/qemu/9000/agent/set-user-password',
        {
          form: { username: 'debian', password: 'sandi-panjang-1' },
        },
      );
    const refused = await call(AUDIT);
    expect(refused.status).toBe(403);
    expect(refused.reason).toContain('VM.GuestAgent.Unrestricted');
    const allowed = await call(FULL);
    expect(allowed.status).toBe(500);
    expect(allowed.reason).toContain('VM 9000 is not running');
  });
});
