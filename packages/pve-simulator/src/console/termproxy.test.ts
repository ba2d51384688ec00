import WebSocket from 'ws';
import { startSimulator } from '../simulator';
import type { RunningSimulator } from '../simulator';
import { eventually, simApi, type SimApi } from '../testing/sim-test-kit';
import { encodeTermData, TermDecoder } from './term-framing';

type Termproxy = { user: string; ticket: string; port: number; upid: string };

/** A websocket client as pve-xtermjs opens it: `binary` sub-protocol, API token header. */
function openWs(sim: RunningSimulator, vmid: number, tp: { port: number; ticket: string }, headers?: Record<string, string>): WebSocket {
  const q = new URLSearchParams({ port: String(tp.port), vncticket: tp.ticket });
  return new WebSocket(`wss://${sim.host}:${sim.port}/api2/json/nodes/pve1/qemu/${vmid}/vncwebsocket?${q.toString()}`, ['binary'], {
    ca: sim.caPem,
    headers: headers ?? { Authorization: `PVEAPIToken=${sim.tokenId}=${sim.tokenSecret}` },
  });
}

/** Collects everything the server sends, as text. */
function collect(ws: WebSocket): { text: () => string; closed: Promise<void>; opened: Promise<void> } {
  let buf = '';
  ws.on('message', (d: Buffer) => (buf += d.toString('utf8')));
  return {
    text: () => buf,
    closed: new Promise((r) => ws.once('close', () => r())),
    opened: new Promise((res, rej) => {
      ws.once('open', () => res());
      ws.once('error', rej);
    }),
  };
}

describe('termproxy + vncwebsocket (qemu-server, pve-xtermjs termproxy)', () => {
  let sim: RunningSimulator;
  let api: SimApi;
  beforeAll(async () => {
    sim = await startSimulator({ timeFactor: 0.01, guestSsh: false });
    api = simApi(sim);
    expect((await api.task('POST', '/nodes/pve1/qemu/9000/clone', { newid: 420, full: 1, name: 'web-420' })).exitstatus).toBe('OK');
    expect((await api.task('POST', '/nodes/pve1/qemu/420/config', { cipassword: 'rahasia-420', ciuser: 'admin' })).exitstatus).toBe('OK');
    expect((await api.task('POST', '/nodes/pve1/qemu/420/status/start')).exitstatus).toBe('OK');
    expect((await api.task('POST', '/nodes/pve1/qemu/9000/clone', { newid: 421, full: 1 })).exitstatus).toBe('OK');
  });
  afterAll(async () => sim.close());

  async function termproxy(vmid: number, form: Record<string, string> = {}): Promise<Termproxy> {
    const r = await api.post(`/nodes/pve1/qemu/${vmid}/termproxy`, form);
    expect(r.status).toBe(200);
    return r.body?.data as Termproxy;
  }

  test('the API answers the schema: port 5900+, a PVEVNC ticket, the caller and a vncproxy task', async () => {
    const tp = await termproxy(420);
    expect(tp.port).toBeGreaterThanOrEqual(5900);
    expect(tp.port).toBeLessThanOrEqual(5999);
    expect(tp.ticket).toMatch(/^PVEVNC:[0-9A-F]{8}::\S+$/);
    expect(tp.user).toBe(sim.tokenId);
    expect(tp.upid).toMatch(/:vncproxy:420:root@pam!betang:$/);
    // two calls get two ports: each termproxy listens on its own
    const second = await termproxy(420);
    expect(second.port).not.toBe(tp.port);
    const bad = await api.post('/nodes/pve1/qemu/420/termproxy', { serial: 'serial7' });
    expect(bad.status).toBe(400);
  });

  test('handshake "user:ticket\\n" → OK, then the emulated login prompt; echo, hostname, whoami, exit', async () => {
    const tp = await termproxy(420);
    const ws = openWs(sim, 420, tp);
    const c = collect(ws);
    await c.opened;
    expect(ws.protocol).toBe('binary');
    ws.send(`${tp.user}:${tp.ticket}\n`);
    await eventually(async () => c.text().startsWith('OK'));
    await eventually(async () => c.text().includes('starting serial terminal on interface serial0\r\n'));
    ws.send(encodeTermData('\r'));
    await eventually(async () => c.text().includes('web-420 login: '));
    ws.send('1:120:40:'); // a resize is accepted and changes nothing visible
    ws.send('2'); // the client's ping
    ws.send(encodeTermData('admin\r'));
    await eventually(async () => c.text().includes('Password: '));
    ws.send(encodeTermData('rahasia-420\r'));
    await eventually(async () => c.text().includes('admin@web-420:~$ '));
    expect(c.text()).not.toContain('rahasia-420'); // the password is not echoed
    ws.send(encodeTermData('echo halo-betang\r'));
    await eventually(async () => c.text().includes('echo halo-betang\r\nhalo-betang\r\n'));
    ws.send(encodeTermData('hostname\rwhoami\rfoo\r'));
    await eventually(async () => c.text().includes('-bash: foo: command not found'));
    expect(c.text()).toContain('hostname\r\nweb-420\r\n');
    expect(c.text()).toContain('whoami\r\nadmin\r\n');
    ws.send(encodeTermData('exit\r'));
    await eventually(async () => c.text().endsWith('logout\r\n\r\nDebian GNU/Linux 12 web-420 ttyS0\r\n\r\nweb-420 login: '));
    ws.close();
    await c.closed;
    expect((await api.waitTask(tp.upid)).exitstatus).toBe('OK');
  });

  test('a wrong password says "Login incorrect" and asks again', async () => {
    const tp = await termproxy(420);
    const ws = openWs(sim, 420, tp);
    const c = collect(ws);
    await c.opened;
    ws.send(`${tp.user}:${tp.ticket}\n`);
    ws.send(encodeTermData('admin\rsalah\r'));
    await eventually(async () => c.text().includes('\r\nLogin incorrect\r\nweb-420 login: '));
    ws.close();
    await c.closed;
  });

  test('a wrong ticket in the handshake: no OK, the socket closes, the task fails', async () => {
    const tp = await termproxy(420);
    const ws = openWs(sim, 420, tp);
    const c = collect(ws);
    await c.opened;
    ws.send(`${tp.user}:PVEVNC:00000000::Zm9v\n`);
    await c.closed;
    expect(c.text()).toBe('');
    const st = await api.waitTask(tp.upid);
    expect(st.exitstatus).toBe('invalid authentication - 401 authentication failure');
  });

  test('a wrong vncticket in the upgrade is refused before the websocket opens', async () => {
    const tp = await termproxy(420);
    const ws = openWs(sim, 420, { port: tp.port, ticket: 'PVEVNC:00000000::Zm9v' });
    const status = await new Promise<number>((resolve) => {
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
    });
    expect(status).toBe(500);
    // the ticket of another port does not open this one either
    const other = await termproxy(420);
    const ws2 = openWs(sim, 420, { port: tp.port, ticket: other.ticket });
    const status2 = await new Promise<number>((resolve) => {
      ws2.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws2.on('open', () => resolve(101));
    });
    expect(status2).toBe(500);
  });

  test('no API credentials → 401; a port is taken by its first connection only', async () => {
    const tp = await termproxy(420);
    const anon = openWs(sim, 420, tp, {});
    const status = await new Promise<number>((resolve) => anon.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    expect(status).toBe(401);
    const first = openWs(sim, 420, tp);
    await collect(first).opened;
    const again = openWs(sim, 420, tp);
    const status2 = await new Promise<number>((resolve) => again.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    expect(status2).toBe(501);
    first.close();
  });

  test('the base64 sub-protocol (older clients): text frames carry base64 both ways', async () => {
    const tp = await termproxy(420);
    const q = new URLSearchParams({ port: String(tp.port), vncticket: tp.ticket });
    const ws = new WebSocket(`wss://${sim.host}:${sim.port}/api2/json/nodes/pve1/qemu/420/vncwebsocket?${q.toString()}`, ['base64'], {
      ca: sim.caPem,
      headers: { Authorization: `PVEAPIToken=${sim.tokenId}=${sim.tokenSecret}` },
    });
    const got: string[] = [];
    ws.on('message', (d: Buffer, isBinary: boolean) => got.push(isBinary ? 'binary!' : Buffer.from(d.toString(), 'base64').toString()));
    await new Promise((r) => ws.once('open', r));
    expect(ws.protocol).toBe('base64');
    ws.send(Buffer.from(`${tp.user}:${tp.ticket}\n`).toString('base64'));
    await eventually(async () => got.join('').includes('starting serial terminal'));
    expect(got[0]).toBe('OK');
    ws.close();
  });

  test('a stopped VM: the API call succeeds, qm terminal prints "VM N not running" and the session ends', async () => {
    const tp = await termproxy(421);
    const ws = openWs(sim, 421, tp);
    const c = collect(ws);
    await c.opened;
    ws.send(`${tp.user}:${tp.ticket}\n`);
    await c.closed;
    expect(c.text()).toBe('OKVM 421 not running\r\n');
  });

  test('a VM without a serial socket: "unable to find a serial interface"', async () => {
    expect((await api.put('/nodes/pve1/qemu/421/config', { delete: 'serial0,vga' })).status).toBe(200);
    const tp = await termproxy(421);
    const ws = openWs(sim, 421, tp);
    const c = collect(ws);
    await c.opened;
    ws.send(`${tp.user}:${tp.ticket}\n`);
    await c.closed;
    expect(c.text()).toBe('OKunable to find a serial interface\r\n');
  });

  test('the session ends when the guest powers off', async () => {
    const tp = await termproxy(420);
    const ws = openWs(sim, 420, tp);
    const c = collect(ws);
    await c.opened;
    ws.send(`${tp.user}:${tp.ticket}\n`);
    await eventually(async () => c.text().includes('serial0'));
    expect((await api.task('POST', '/nodes/pve1/qemu/420/status/stop')).exitstatus).toBe('OK');
    await c.closed;
  });
});

describe('TermDecoder (termproxy process_queue)', () => {
  test('data, resize and ping, split and joined across chunks', () => {
    const d = new TermDecoder();
    const evs = [...d.push(Buffer.from('0:5:he')), ...d.push(Buffer.from('llo1:80:2')), ...d.push(Buffer.from('4:20:3:é!'))];
    const data = Buffer.concat(evs.flatMap((e) => (e.kind === 'data' ? [e.bytes] : []))).toString('utf8');
    expect(data).toBe('helloé!'); // '2' is a ping, then 0:3: carries é (2 bytes) and !
    expect(evs.filter((e) => e.kind === 'resize')).toEqual([{ kind: 'resize', cols: 80, rows: 24 }]);
    expect(encodeTermData('é').toString('utf8')).toBe('0:2:é');
  });
});

describe("relaySocket (qm terminal's socat to a real guest's serial socket)", () => {
  test('bytes both ways; the guest side closing ends the session', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const net = await import('node:net');
    const { relaySocket } = await import('./termproxy');
    const path = join(mkdtempSync(join(tmpdir(), 'sim-serial-')), 'serial0.sock');
    let guestGot = '';
    const server = net.createServer((c) => {
      c.on('data', (d: Buffer) => {
        guestGot += d.toString();
        if (guestGot.endsWith('\r')) c.end('\r\nDebian GNU/Linux 12 guest ttyS0\r\n\r\nguest login: ');
      });
    });
    await new Promise<void>((r) => server.listen(path, () => r()));
    let out = '';
    const ended = new Promise<void>((resolve) => {
      const line = relaySocket(
        net.connect(path),
        (b) => (out += b.toString()),
        () => resolve(),
      );
      line.input(Buffer.from('\r'));
    });
    await ended;
    expect(guestGot).toBe('\r');
    expect(out).toContain('guest login: ');
    await new Promise<void>((r) => server.close(() => r()));
  });
});
