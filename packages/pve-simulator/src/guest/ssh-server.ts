import { timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { Server, utils } from 'ssh2';
import type { Connection, ParsedKey, ServerChannel, SFTPWrapper } from 'ssh2';
import type { GuestCommandResult } from '../faults/fault-state';

/** What the per-VM SSH endpoint needs from the simulator. */
interface GuestSshHooks {
  /** False while the guest is stopped/booting: the connection is dropped like a refused one. */
  reachable(): boolean;
  /** Login user and authorized keys as cloud-init applied them at the last boot. */
  login(): { user: string; keys: string[] };
  run(user: string, command: string): GuestCommandResult;
  writeFile(path: string, data: Buffer): void;
}

function keyMatches(ctxKey: { algo: string; data: Buffer }, keys: string[]): ParsedKey | undefined {
  for (const line of keys) {
    const k = utils.parseKey(line);
    if (k instanceof Error || Array.isArray(k)) continue;
    const pub = k.getPublicSSH();
    if (k.type === ctxKey.algo && pub.length === ctxKey.data.length && timingSafeEqual(pub, ctxKey.data)) return k;
  }
  return undefined;
}

function serveSftp(sftp: SFTPWrapper, hooks: GuestSshHooks): void {
  const { STATUS_CODE } = utils.sftp;
  const open = new Map<number, { path: string; chunks: Buffer[] }>();
  let next = 0;
  const attrs = { mode: 0o100644, uid: 0, gid: 0, size: 0, atime: 0, mtime: 0 };
  sftp.on('OPEN', (id, filename) => {
    const h = next++;
    open.set(h, { path: filename, chunks: [] });
    const handle = Buffer.alloc(4);
    handle.writeUInt32BE(h);
    sftp.handle(id, handle);
  });
  sftp.on('WRITE', (id, handle, _offset, data) => {
    open.get(handle.readUInt32BE(0))?.chunks.push(Buffer.from(data));
    sftp.status(id, STATUS_CODE.OK);
  });
  sftp.on('CLOSE', (id, handle) => {
    const f = open.get(handle.readUInt32BE(0));
    if (f) hooks.writeFile(f.path, Buffer.concat(f.chunks));
    open.delete(handle.readUInt32BE(0));
    sftp.status(id, STATUS_CODE.OK);
  });
  sftp.on('FSTAT', (id) => sftp.attrs(id, attrs));
  sftp.on('STAT', (id) => sftp.attrs(id, attrs));
  sftp.on('LSTAT', (id) => sftp.attrs(id, attrs));
  sftp.on('FSETSTAT', (id) => sftp.status(id, STATUS_CODE.OK));
  sftp.on('SETSTAT', (id) => sftp.status(id, STATUS_CODE.OK));
  sftp.on('REALPATH', (id, path) => sftp.name(id, [{ filename: path, longname: path, attrs }]));
}

function serveClient(client: Connection, hooks: GuestSshHooks): void {
  let user = '';
  client.on('error', () => undefined);
  client.on('authentication', (ctx) => {
    const login = hooks.login();
    if (ctx.method !== 'publickey' || ctx.username !== login.user) return ctx.reject(['publickey']);
    const key = keyMatches(ctx.key, login.keys);
    if (!key) return ctx.reject(['publickey']);
    if (!ctx.signature) return ctx.accept();
    if (ctx.blob && key.verify(ctx.blob, ctx.signature, ctx.hashAlgo) === true) {
      user = ctx.username;
      return ctx.accept();
    }
    return ctx.reject(['publickey']);
  });
  client.on('ready', () => {
    client.on('session', (accept) => {
      const session = accept();
      session.on('exec', (acc, _rej, info) => {
        const ch: ServerChannel = acc();
        const r = hooks.run(user, info.command);
        const answer = (): void => {
          if (r.stdout) ch.write(r.stdout);
          if (r.stderr) ch.stderr.write(r.stderr);
          ch.exit(r.code);
          ch.end();
        };
        // a blocking command (cloud-init status --wait) answers when it would have finished
        const wait = (r.readyAt ?? 0) - Date.now();
        if (wait > 0) setTimeout(answer, wait).unref();
        else answer();
      });
      session.on('sftp', (acc) => serveSftp(acc(), hooks));
      // clients that ask for a pty or set env vars must not fail; an interactive shell ends at once
      session.on('pty', (acc) => acc?.());
      session.on('env', (acc) => acc?.());
      session.on('shell', (acc) => {
        const ch = acc();
        ch.exit(0);
        ch.end();
      });
    });
  });
}

/** A running per-VM SSH endpoint. */
export interface GuestSshServer {
  port: number;
  /** Ends open sessions and stops listening. */
  close(): Promise<void>;
}

/** Starts an SSH server on host:0 with the VM's host key. */
export async function startGuestSsh(host: string, hostKey: string, hooks: GuestSshHooks): Promise<GuestSshServer> {
  const clients = new Set<Connection>();
  const ssh = new Server({ hostKeys: [hostKey] }, (client) => {
    clients.add(client);
    client.on('close', () => clients.delete(client));
    serveClient(client, hooks);
  });
  const sockets = new Set<Socket>();
  // a stopped or still-booting guest: the TCP connection is reset before any SSH banner
  const tcp = createServer((socket) => {
    if (!hooks.reachable()) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    ssh.injectSocket(socket);
  });
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(0, host, () => resolve());
  });
  return {
    port: (tcp.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of clients) c.end();
        for (const s of sockets) s.destroy();
        tcp.close(() => resolve());
      }),
  };
}
