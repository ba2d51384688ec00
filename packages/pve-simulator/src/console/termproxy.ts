import { connect, type Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { authIdOf, ownerOf, type Sim, type Terminals } from '../sim-context';
import { die } from '../server/pve-error';
import type { AuthInfo } from '../server/router';
import type { SimVm } from '../state/types';
import { EmulatedSerialLogin } from './emulated-login';
import { TermDecoder } from './term-framing';

/** termproxy's own limits: 10 s for the client to connect, 10 s more for its ticket line. */
export const TERMPROXY_WAIT_MS = 10_000;
const PORT_FIRST = 5900;
const PORT_LAST = 5999;
/** termproxy's ByteBuffer is 4 KiB: a ticket line longer than that is "incomplete". */
const TICKET_LINE_MAX = 4096;

/** How the websocket carries bytes (the `Sec-WebSocket-Protocol` pveproxy agreed to). */
export type WsProto = 'binary' | 'base64';

interface Session {
  port: number;
  vmid: number;
  node: string;
  authid: string;
  serial?: string;
  /** Set once a client connected: termproxy accepts one connection, then stops listening. */
  taken: boolean;
  finish: (err?: Error) => void;
  waitTimer: NodeJS.Timeout;
}

/**
 * The termproxy processes of `POST /nodes/{node}/qemu/{vmid}/termproxy`: one listening port per
 * call (5900–5999), each taking exactly one connection whose first line must be `user:ticket`,
 * then running `qm terminal` on the VM's serial port. Emulated guests get a login prompt (one per
 * VM, surviving reconnects like a real serial line); real qemu guests their serial socket.
 */
export class TermProxies implements Terminals {
  private readonly sessions = new Map<number, Session>();
  private readonly logins = new WeakMap<SimVm, { bootedAt?: number; login: EmulatedSerialLogin }>();
  private readonly open = new Set<WebSocket>();

  constructor(private readonly sim: Sim) {}

  /** PVE's termproxy API: a port, a VNC ticket for (caller, /vms/N, port) and the `vncproxy` task. */
  start(vm: SimVm, auth: AuthInfo, serialParam: string | undefined): { user: string; ticket: string; port: number; upid: string } {
    let serial = serialParam;
    if (serial === undefined) {
      // qemu-server: without `serial`, a `vga: serialN` display means that serial port.
      const vgaType = /^(?:type=)?(serial\d)/.exec(vm.config.vga ?? '')?.[1];
      if (vgaType) serial = vgaType;
    }
    let port = PORT_FIRST;
    while (this.sessions.has(port) && port <= PORT_LAST) port++;
    if (port > PORT_LAST) throw die(`unable to find free port (${PORT_FIRST}-${PORT_LAST})`);
    const authid = authIdOf(auth);
    const path = `/vms/${vm.vmid}`;
    const ticket = this.sim.auth.issueVncTicket(authid, path, port);
    let finish: (err?: Error) => void = () => undefined;
    const done = new Promise<void>((resolve, reject) => {
      finish = (err) => (err ? reject(err) : resolve());
    });
    const session: Session = {
      port,
      vmid: vm.vmid,
      node: vm.node,
      authid,
      ...(serial ? { serial } : {}),
      taken: false,
      finish: (err) => {
        clearTimeout(session.waitTimer);
        if (this.sessions.get(port) === session) this.sessions.delete(port);
        finish(err);
      },
      waitTimer: setTimeout(() => session.finish(new Error('failed waiting for client: timed out')), TERMPROXY_WAIT_MS),
    };
    session.waitTimer.unref();
    this.sessions.set(port, session);
    const upid = this.sim.tasks.start(vm.node, 'vncproxy', String(vm.vmid), ownerOf(auth), async () => {
      await done;
    });
    return { user: authid, ticket, port, upid };
  }

  /** True while a termproxy listens on `port` for `vmid` (pveproxy's connect would succeed). */
  listening(port: number, vmid: number): boolean {
    const s = this.sessions.get(port);
    return !!s && !s.taken && s.vmid === vmid;
  }

  /**
   * Binds an upgraded websocket to the termproxy on `port` (pveproxy's websocket_proxy). The
   * caller checked `listening` first. From here on failures only close the socket, as the
   * websocket is already open; the `vncproxy` task records why.
   */
  attach(port: number, ws: WebSocket, proto: WsProto): void {
    const s = this.sessions.get(port);
    if (!s || s.taken) {
      ws.close();
      return;
    }
    s.taken = true;
    clearTimeout(s.waitTimer);
    this.open.add(ws);
    const send = (bytes: Buffer): void => {
      if (ws.readyState !== ws.OPEN) return;
      if (proto === 'base64') ws.send(bytes.toString('base64'));
      else ws.send(bytes, { binary: true });
    };
    let ticketBuf = Buffer.alloc(0);
    let authed = false;
    let terminal: { input(b: Buffer): void; close(): void } | undefined;
    const decoder = new TermDecoder();
    const end = (err?: Error): void => {
      terminal?.close();
      terminal = undefined;
      this.open.delete(ws);
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close();
      s.finish(err);
    };
    const ticketTimer = setTimeout(() => end(new Error('failed reading ticket: timed out')), TERMPROXY_WAIT_MS);
    ticketTimer.unref();
    ws.on('close', () => {
      clearTimeout(ticketTimer);
      end();
    });
    ws.on('error', () => end());
    ws.on('message', (raw: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
      const chunk = toBuffer(raw);
      const bytes = proto === 'base64' && !isBinary ? Buffer.from(chunk.toString('latin1'), 'base64') : chunk;
      if (!authed) {
        ticketBuf = Buffer.concat([ticketBuf, bytes]);
        const nl = ticketBuf.indexOf(0x0a);
        if (nl < 0) {
          if (ticketBuf.length >= TICKET_LINE_MAX) end(new Error('failed reading ticket: authentication data is incomplete'));
          return;
        }
        clearTimeout(ticketTimer);
        const line = ticketBuf.subarray(0, nl).toString('utf8');
        const rest = ticketBuf.subarray(nl + 1);
        const colon = line.indexOf(':');
        if (colon < 0) return end(new Error('failed reading ticket: authentication data is invalid'));
        const user = line.slice(0, colon);
        const ticket = line.slice(colon + 1);
        if (!this.verify(s, user, ticket)) return end(new Error('invalid authentication - 401 authentication failure'));
        authed = true;
        send(Buffer.from('OK'));
        terminal = this.qmTerminal(s, send, (err) => end(err));
        if (rest.length) for (const ev of decoder.push(rest)) if (ev.kind === 'data') terminal?.input(ev.bytes);
        return;
      }
      for (const ev of decoder.push(bytes)) if (ev.kind === 'data') terminal?.input(ev.bytes);
    });
  }

  /** termproxy's POST /access/ticket with the VNC ticket as password, `path` and `privs=VM.Console`. */
  private verify(s: Session, user: string, ticket: string): boolean {
    const path = `/vms/${s.vmid}`;
    if (!this.sim.auth.verifyVncTicket(ticket, user, path, s.port)) return false;
    return user === 'root@pam' || this.sim.access.check(user, path, ['VM.Console'], true);
  }

  /**
   * `qm terminal N -escape 0 [-iface serialN]` on a pty: its refusals are printed on the terminal
   * and end the session (the API call itself succeeded long before).
   */
  private qmTerminal(
    s: Session,
    send: (b: Buffer) => void,
    end: (err?: Error) => void,
  ): { input(b: Buffer): void; close(): void } | undefined {
    const say = (text: string): void => send(Buffer.from(text.replace(/\n/g, '\r\n')));
    const vm = this.sim.state.vms.get(s.vmid);
    if (!vm) {
      say(`Configuration file 'nodes/${s.node}/qemu-server/${s.vmid}.conf' does not exist\n`);
      setImmediate(() => end());
      return undefined;
    }
    let iface = s.serial;
    let refusal: string | undefined;
    if (iface) {
      if (!vm.config[iface]) refusal = `serial interface '${iface}' is not configured`;
      else if (vm.config[iface] !== 'socket') refusal = `wrong serial type on interface '${iface}'`;
    } else {
      iface = ['serial0', 'serial1', 'serial2', 'serial3'].find((k) => vm.config[k] === 'socket');
      if (!iface) refusal = 'unable to find a serial interface';
    }
    if (!refusal && vm.power === 'stopped') refusal = `VM ${vm.vmid} not running`;
    if (refusal) {
      say(`${refusal}\n`);
      setImmediate(() => end());
      return undefined;
    }
    say(`starting serial terminal on interface ${iface}\n`);
    const socketPath = this.sim.qemu?.serialSocket(vm.vmid);
    if (this.sim.qemu) return socketPath && iface === 'serial0' ? relaySocket(connect(socketPath), send, end) : closedLine(end);
    return this.emulated(vm, send, end);
  }

  private emulated(vm: SimVm, send: (b: Buffer) => void, end: (err?: Error) => void): { input(b: Buffer): void; close(): void } {
    let entry = this.logins.get(vm);
    if (!entry || entry.bootedAt !== vm.startedAt) {
      const login = new EmulatedSerialLogin(
        () => ({
          hostname: vm.bootConfig?.name ?? vm.config.name ?? `VM${vm.vmid}`,
          user: vm.bootConfig?.ciuser ?? vm.defaultUser,
          ...(vm.bootConfig?.cipassword !== undefined ? { password: vm.bootConfig.cipassword } : {}),
          shadow: (user) => this.sim.guest.password(vm.vmid, user),
        }),
        this.sim.clock.scale(3000),
      );
      entry = { ...(vm.startedAt !== undefined ? { bootedAt: vm.startedAt } : {}), login };
      this.logins.set(vm, entry);
    }
    const bootedAt = vm.startedAt;
    const detach = entry.login.attach((text) => send(Buffer.from(text, 'utf8')));
    // The guest powering off closes qemu's serial socket, and with it `qm terminal`.
    const watch = setInterval(() => {
      if (vm.power === 'stopped' || vm.startedAt !== bootedAt || !this.sim.state.vms.has(vm.vmid)) end();
    }, 500);
    watch.unref();
    const login = entry.login;
    return {
      input: (b) => login.input(b),
      close: () => {
        clearInterval(watch);
        detach();
      },
    };
  }

  /** Ends every session (simulator shutdown). */
  closeAll(): void {
    for (const ws of this.open) ws.terminate();
    for (const s of [...this.sessions.values()]) s.finish();
  }
}

function toBuffer(raw: Buffer | ArrayBuffer | Buffer[]): Buffer {
  if (Buffer.isBuffer(raw)) return raw;
  if (Array.isArray(raw)) return Buffer.concat(raw);
  return Buffer.from(raw);
}

/** socat between the pty and qemu's serial socket: bytes both ways, either side closing ends it. */
export function relaySocket(
  sock: Socket,
  send: (b: Buffer) => void,
  end: (err?: Error) => void,
): { input(b: Buffer): void; close(): void } {
  sock.on('data', (d: Buffer) => send(d));
  sock.on('close', () => end());
  sock.on('error', () => end());
  return {
    input: (b) => {
      if (!sock.destroyed) sock.write(b);
    },
    close: () => sock.destroy(),
  };
}

function closedLine(end: (err?: Error) => void): undefined {
  setImmediate(() => end());
  return undefined;
}
