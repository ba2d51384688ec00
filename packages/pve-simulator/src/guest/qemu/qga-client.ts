import { connect, type Socket } from 'node:net';

/** Why a guest-agent call did not produce a result. */
type QgaFailure =
  /** Nothing answered the synchronisation in time (the agent is not up): PVE's "not running". */
  | { kind: 'not-running' }
  /** The agent synchronised but the command did not answer in time: PVE's "got timeout". */
  | { kind: 'timeout' }
  /** The agent answered with an error object. */
  | { kind: 'error'; desc: string };

export class QgaError extends Error {
  constructor(readonly failure: QgaFailure) {
    super(failure.kind === 'error' ? failure.desc : failure.kind);
  }
}

/** Parses newline-separated JSON objects that follow the agent's 0xFF sync delimiter. */
class ResponseReader {
  private bytes = Buffer.alloc(0);
  private synced = false;
  private readonly waiters: Array<(value: Record<string, unknown>) => void> = [];
  private readonly queue: Array<Record<string, unknown>> = [];

  push(chunk: Buffer): void {
    let data = chunk;
    if (!this.synced) {
      const at = data.indexOf(0xff);
      if (at < 0) return;
      this.synced = true;
      data = data.subarray(at + 1);
    }
    // Later delimiters (answers to earlier syncs) are bytes, not text: drop them; decode whole
    // lines only, so a character split between two reads stays intact.
    this.bytes = Buffer.concat([this.bytes, Buffer.from(data.filter((byte) => byte !== 0xff))]);
    for (let nl = this.bytes.indexOf(0x0a); nl >= 0; nl = this.bytes.indexOf(0x0a)) {
      const line = this.bytes.subarray(0, nl).toString('utf8').trim();
      this.bytes = this.bytes.subarray(nl + 1);
      if (line === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        continue;
      }
      if (typeof value !== 'object' || value === null) continue;
      const waiter = this.waiters.shift();
      if (waiter) waiter(value as Record<string, unknown>);
      else this.queue.push(value as Record<string, unknown>);
    }
  }

  next(): Promise<Record<string, unknown>> {
    const ready = this.queue.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, failure: QgaFailure): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new QgaError(failure)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

let nextSyncId = Math.floor(Math.random() * 1e9);

/**
 * One QEMU guest-agent command over the VM's virtio-serial chardev socket (QGA's JSON protocol):
 * connect, `guest-sync-delimited` with a fresh id (stale answers of earlier, abandoned calls
 * are skipped until that id comes back), then the command and its one answer. The socket is
 * closed afterwards, so nothing is left half-read for the next caller. Callers serialise calls
 * per VM: the chardev accepts one client at a time.
 */
export async function qgaCall(
  socketPath: string,
  command: string,
  args: Record<string, unknown> | undefined,
  opts: { syncMs: number; commandMs: number },
): Promise<unknown> {
  const socket: Socket = await new Promise((resolve, reject) => {
    const s = connect(socketPath);
    s.once('connect', () => resolve(s));
    s.once('error', () => reject(new QgaError({ kind: 'not-running' })));
  });
  socket.on('error', () => undefined);
  const reader = new ResponseReader();
  socket.on('data', (chunk: Buffer) => reader.push(chunk));
  try {
    const id = nextSyncId++ % 2 ** 31;
    socket.write(
      Buffer.concat([Buffer.from([0xff]), Buffer.from(`${JSON.stringify({ execute: 'guest-sync-delimited', arguments: { id } })}\n`)]),
    );
    await withTimeout(
      (async () => {
        for (;;) {
          const answer = await reader.next();
          if (answer.return === id) return;
        }
      })(),
      opts.syncMs,
      { kind: 'not-running' },
    );
    socket.write(`${JSON.stringify(args ? { execute: command, arguments: args } : { execute: command })}\n`);
    const answer = await withTimeout(reader.next(), opts.commandMs, { kind: 'timeout' });
    if (answer.error !== undefined) {
      const desc = (answer.error as { desc?: unknown }).desc;
      throw new QgaError({ kind: 'error', desc: typeof desc === 'string' ? desc : JSON.stringify(answer.error) });
    }
    return answer.return;
  } finally {
    socket.destroy();
  }
}

/** Runs QMP commands on the VM's monitor socket (capabilities negotiated first); resolves with the last answer. */
export async function qmpCall(socketPath: string, command: string, timeoutMs = 5000): Promise<unknown> {
  const socket: Socket = await new Promise((resolve, reject) => {
    const s = connect(socketPath);
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
  socket.on('error', () => undefined);
  let text = '';
  const lines: Array<Record<string, unknown>> = [];
  let wake: (() => void) | undefined;
  socket.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n')) {
      const line = text.slice(0, nl).trim();
      text = text.slice(nl + 1);
      if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
    }
    wake?.();
  });
  const answer = async (): Promise<Record<string, unknown>> => {
    for (;;) {
      const i = lines.findIndex((l) => 'return' in l || 'error' in l);
      if (i >= 0) return lines.splice(i, 1)[0] ?? {};
      await new Promise<void>((r) => (wake = r));
    }
  };
  try {
    return await withTimeout(
      (async () => {
        socket.write('{"execute":"qmp_capabilities"}\n');
        await answer();
        socket.write(`${JSON.stringify({ execute: command })}\n`);
        const a = await answer();
        if (a.error !== undefined) throw new Error(`QMP ${command}: ${JSON.stringify(a.error)}`);
        return a.return;
      })(),
      timeoutMs,
      { kind: 'timeout' },
    );
  } finally {
    socket.destroy();
  }
}
