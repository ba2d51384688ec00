import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { qgaCall, QgaError } from './qga-client';

/**
 * A stand-in for qemu's chardev socket with qemu-guest-agent behind it: `behave` decides what
 * each JSON request line gets back, as the real agent's protocol does (0xFF before the answer to
 * guest-sync-delimited). Only the protocol is faked here; the real agent is exercised by
 * `npm run test:real-guest`.
 */
type Behaviour = (request: { execute: string; arguments?: Record<string, unknown> }, socket: Socket) => void;

describe('QGA client', () => {
  let dir: string;
  let server: Server | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'qga-test-'));
  });
  afterEach(async () => {
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    server = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  async function agent(behave: Behaviour, greeting = ''): Promise<string> {
    const path = join(dir, 'qga.sock');
    server = createServer((socket) => {
      if (greeting) socket.write(greeting);
      let text = '';
      socket.on('data', (c: Buffer) => {
        text += c.toString('latin1').replace(/\xff/g, '');
        for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n')) {
          const line = text.slice(0, nl);
          text = text.slice(nl + 1);
          behave(JSON.parse(line) as { execute: string; arguments?: Record<string, unknown> }, socket);
        }
      });
    });
    await new Promise<void>((r) => server!.listen(path, () => r()));
    return path;
  }

  const syncAnswer = (req: { arguments?: Record<string, unknown> }, socket: Socket) =>
    socket.write(Buffer.concat([Buffer.from([0xff]), Buffer.from(`{"return": ${String(req.arguments?.id)}}\n`)]));

  it('should skip stale answers left by an abandoned call and return the command result', async () => {
    const path = await agent((req, socket) => {
      if (req.execute === 'guest-sync-delimited') {
        // an old call's answer and an old sync id arrive first, as after a timed-out caller
        socket.write(Buffer.from('{"return": {"stale": true}}\n'));
        socket.write(Buffer.concat([Buffer.from([0xff]), Buffer.from('{"return": 7}\n')]));
        syncAnswer(req, socket);
      } else if (req.execute === 'guest-get-host-name') socket.write('{"return": {"host-name": "app-dinkes"}}\n');
    }, 'garbage-before-sync\n');
    await expect(qgaCall(path, 'guest-get-host-name', undefined, { syncMs: 1000, commandMs: 1000 })).resolves.toEqual({
      'host-name': 'app-dinkes',
    });
  });

  it('should keep a character whose bytes arrive in two reads', async () => {
    const path = await agent((req, socket) => {
      if (req.execute === 'guest-sync-delimited') {
        syncAnswer(req, socket);
        return;
      }
      const bytes = Buffer.from('{"return": {"out-data": "Palangka Raya – Kalteng"}}\n');
      const cut = bytes.indexOf(0x80); // inside the three bytes of the en dash
      socket.write(bytes.subarray(0, cut));
      setTimeout(() => socket.write(bytes.subarray(cut)), 20);
    });
    await expect(qgaCall(path, 'guest-exec-status', { pid: 1 }, { syncMs: 500, commandMs: 500 })).resolves.toEqual({
      'out-data': 'Palangka Raya – Kalteng',
    });
  });

  it("should say 'not-running' when nothing answers the sync, or nothing listens", async () => {
    const path = await agent(() => undefined);
    await expect(qgaCall(path, 'guest-ping', undefined, { syncMs: 200, commandMs: 200 })).rejects.toEqual(
      new QgaError({ kind: 'not-running' }),
    );
    await expect(qgaCall(join(dir, 'absent.sock'), 'guest-ping', undefined, { syncMs: 200, commandMs: 200 })).rejects.toMatchObject({
      failure: { kind: 'not-running' },
    });
  });

  it("should say 'timeout' when the agent syncs but the command never answers", async () => {
    const path = await agent((req, socket) => {
      if (req.execute === 'guest-sync-delimited') syncAnswer(req, socket);
    });
    await expect(qgaCall(path, 'guest-network-get-interfaces', undefined, { syncMs: 500, commandMs: 200 })).rejects.toMatchObject({
      failure: { kind: 'timeout' },
    });
  });

  it("should pass the agent's error description and the command's arguments through", async () => {
    let seen: Record<string, unknown> | undefined;
    const path = await agent((req, socket) => {
      if (req.execute === 'guest-sync-delimited') {
        syncAnswer(req, socket);
        return;
      }
      seen = req.arguments;
      socket.write(
        '{"error": {"class": "GenericError", "desc": "Guest agent command failed, error was \'Failed to execute child process “nope” (No such file or directory)\'"}}\n',
      );
    });
    await expect(
      qgaCall(path, 'guest-exec', { path: 'nope', arg: [], 'capture-output': true }, { syncMs: 500, commandMs: 500 }),
    ).rejects.toMatchObject({
      failure: {
        kind: 'error',
        desc: "Guest agent command failed, error was 'Failed to execute child process “nope” (No such file or directory)'",
      },
    });
    expect(seen).toEqual({ path: 'nope', arg: [], 'capture-output': true });
  });
});
