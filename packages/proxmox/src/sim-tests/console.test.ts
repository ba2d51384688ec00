import { request } from 'node:https';
import type { Socket } from 'node:net';
import type { RunningSimulator } from '@betang/pve-simulator';
import { startSimulator } from '@betang/pve-simulator';
import { createPveClient } from '../client/pve-client';
import type { PveClient } from '../client/pve-client';
import { termproxyHandshake } from '../vm/vm-console';

jest.setTimeout(30_000);

/** Upgrades to a websocket by hand (node:https, no client library) and returns the raw socket or the refusal's status. */
function upgrade(url: string, headers: Record<string, string>, ca: string): Promise<{ status: number; socket?: Socket }> {
  return new Promise((resolve, reject) => {
    const req = request(url.replace(/^wss:/, 'https:'), {
      ca,
      headers: {
        ...headers,
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': Buffer.from('0123456789abcdef').toString('base64'),
        'Sec-WebSocket-Protocol': 'binary',
      },
    });
    req.on('upgrade', (res, socket) => resolve({ status: res.statusCode ?? 0, socket: socket as Socket }));
    req.on('response', (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0 });
    });
    req.on('error', reject);
    req.end();
  });
}

/** One unmasked server→client frame's payload (enough for the short "OK"). */
function firstFrame(socket: Socket): Promise<Buffer> {
  return new Promise((resolve) => socket.once('data', (d: Buffer) => resolve(d.subarray(2, 2 + (d[1] ?? 0)))));
}

/** A masked client→server binary frame (RFC 6455 requires clients to mask). */
function clientFrame(payload: Buffer): Buffer {
  const mask = Buffer.from([1, 2, 3, 4]);
  const body = Buffer.from(payload.map((b, i) => b ^ (mask[i % 4] ?? 0)));
  const len =
    payload.length < 126
      ? Buffer.from([0x82, 0x80 | payload.length])
      : Buffer.from([0x82, 0x80 | 126, payload.length >> 8, payload.length & 255]);
  return Buffer.concat([len, mask, body]);
}

describe('openTermproxy + vncWebsocket against the simulator', () => {
  let sim: RunningSimulator;
  let pve: PveClient;
  beforeAll(async () => {
    sim = await startSimulator({ timeFactor: 0.01, guestSsh: false });
    pve = createPveClient({ baseUrl: sim.url, tokenId: sim.tokenId, tokenSecret: sim.tokenSecret, ca: sim.caPem, timeoutMs: 5000 });
    await pve.request('POST', '/nodes/pve1/qemu/9000/clone', { newid: 300, full: 1 });
    for (let i = 0; i < 200 && !sim.state.vm(300); i++) await new Promise((r) => setTimeout(r, 20));
    for (let i = 0; i < 200 && sim.state.vm(300)?.config.lock; i++) await new Promise((r) => setTimeout(r, 20));
    await pve.vm('pve1', 300).start({ deadlineMs: 10_000 });
  });
  afterAll(async () => {
    await pve.close();
    await sim.close();
  });

  it('parses the termproxy answer and builds a URL the cluster upgrades; the ticket line gets OK', async () => {
    const tp = await pve.vm('pve1', 300).openTermproxy({ serial: 'serial0' });
    expect(tp.user).toBe(sim.tokenId);
    expect(tp.port).toBeGreaterThanOrEqual(5900);
    const target = pve.vncWebsocket('pve1', 300, tp);
    expect(target.url).toMatch(
      new RegExp(`^wss://127\\.0\\.0\\.1:${sim.port}/api2/json/nodes/pve1/qemu/300/vncwebsocket\\?port=${tp.port}&vncticket=PVEVNC%3A`),
    );
    expect(target.tls.ca).toBe(sim.caPem);
    expect(target.protocols).toEqual(['binary']);
    const { status, socket } = await upgrade(target.url, target.headers, sim.caPem);
    expect(status).toBe(101);
    if (!socket) throw new Error('no socket');
    const ok = firstFrame(socket);
    socket.write(clientFrame(Buffer.from(termproxyHandshake(tp))));
    expect((await ok).toString()).toBe('OK');
    socket.destroy();
  });

  it('a ticket used for another VM is refused at the upgrade', async () => {
    const tp = await pve.vm('pve1', 300).openTermproxy();
    const wrong = pve.vncWebsocket('pve1', 9000, tp);
    expect((await upgrade(wrong.url, wrong.headers, sim.caPem)).status).toBe(500);
  });
});
