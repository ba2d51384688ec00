import { readFileSync } from 'node:fs';
import { connectPinnedTls, createPveClient, termproxyHandshake, type PveClient } from '@betang/proxmox';
import WebSocket from 'ws';

/** How long the Proxmox side may take to open: termproxy call, TLS, upgrade and its "OK". */
const OPEN_TIMEOUT_MS = 15_000;

/** An open console on Proxmox, past termproxy's "OK": raw terminal bytes out, framed input in. */
export type PveConsoleLink = {
  /** Sends one message of the xterm.js framing (`0:LEN:DATA`, `1:COLS:ROWS:`, `2`) unchanged. */
  send(message: Buffer): void;
  /** Terminal output (raw bytes) as Proxmox sends it; bytes that came with the "OK" are delivered first. */
  onData(listener: (bytes: Buffer) => void): void;
  /** Called once when Proxmox closes the console (VM stopped, session over, network). */
  onClose(listener: () => void): void;
  close(): void;
};

/** Opens serial consoles on Proxmox with Betang's own credentials; the tickets never leave it. */
export type ConsoleBackend = {
  open(node: string, vmid: number): Promise<PveConsoleLink>;
};

/** Why the Proxmox side did not open, in words for the person at the console. */
export class ConsoleOpenError extends Error {
  override readonly name = 'ConsoleOpenError';
}

/**
 * The backend over a PVE client: `POST termproxy`, a TLS connection pinned like every PVE call,
 * the `vncwebsocket` upgrade with the API token, the `user:ticket` line, and "OK". Each call opens
 * a new termproxy (PVE's: one connection per ticket), so a retry after a failure is safe.
 */
export function pveConsoleBackend(pve: PveClient): ConsoleBackend {
  return {
    async open(node, vmid) {
      const tp = await pve.vm(node, vmid).openTermproxy({ serial: 'serial0' });
      const target = pve.vncWebsocket(node, vmid, tp);
      const socket = await connectPinnedTls(target.url, target.tls, OPEN_TIMEOUT_MS);
      const ws = new WebSocket(target.url, target.protocols, {
        headers: target.headers,
        perMessageDeflate: false,
        handshakeTimeout: OPEN_TIMEOUT_MS,
        createConnection: () => socket,
      });
      return new Promise<PveConsoleLink>((resolve, reject) => {
        let opened = false;
        let early: Buffer | undefined;
        let dataListener: ((bytes: Buffer) => void) | undefined;
        const closeListeners: Array<() => void> = [];
        const timer = setTimeout(() => fail(new ConsoleOpenError('Proxmox did not answer the console handshake in time')), OPEN_TIMEOUT_MS);
        const fail = (err: Error): void => {
          clearTimeout(timer);
          ws.terminate();
          reject(err);
        };
        ws.once('unexpected-response', (_req, res) =>
          fail(new ConsoleOpenError(`Proxmox refused the console: ${res.statusCode ?? 0} ${res.statusMessage ?? ''}`.trim())),
        );
        ws.once('error', (err) => (opened ? undefined : fail(err)));
        ws.once('open', () => ws.send(termproxyHandshake(tp)));
        ws.on('close', () => {
          clearTimeout(timer);
          if (!opened) reject(new ConsoleOpenError('Proxmox closed the console before it opened'));
          else for (const l of closeListeners.splice(0)) l();
        });
        ws.on('message', (raw: Buffer | ArrayBuffer | Buffer[]) => {
          const bytes = Buffer.isBuffer(raw) ? raw : Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw);
          if (opened) {
            if (dataListener) dataListener(bytes);
            else early = early ? Buffer.concat([early, bytes]) : bytes;
            return;
          }
          if (!bytes.subarray(0, 2).equals(Buffer.from('OK')))
            return fail(new ConsoleOpenError('Proxmox did not accept the console ticket'));
          opened = true;
          clearTimeout(timer);
          if (bytes.length > 2) early = bytes.subarray(2);
          resolve({
            send: (message) => {
              if (ws.readyState === WebSocket.OPEN) ws.send(message, { binary: true });
            },
            onData: (listener) => {
              dataListener = listener;
              if (early) {
                const first = early;
                early = undefined;
                listener(first);
              }
            },
            onClose: (listener) => {
              if (ws.readyState === WebSocket.CLOSED) listener();
              else closeListeners.push(listener);
            },
            close: () => ws.close(),
          });
        });
      });
    },
  };
}

/**
 * The backend from the API's PVE settings (the worker's PVE_URL, PVE_TOKEN_ID, PVE_TOKEN_SECRET,
 * PVE_CA_FILE / PVE_FINGERPRINT), or undefined when they are not set (no console then).
 */
export function consoleBackendFromConfig(config: {
  PVE_URL?: string[] | undefined;
  PVE_TOKEN_ID?: string | undefined;
  PVE_TOKEN_SECRET?: string | undefined;
  PVE_CA_FILE?: string | undefined;
  PVE_FINGERPRINT?: string[] | undefined;
}): { backend: ConsoleBackend; close(): Promise<void> } | undefined {
  if (!config.PVE_URL || !config.PVE_TOKEN_ID || !config.PVE_TOKEN_SECRET) return undefined;
  const ca = config.PVE_CA_FILE ? readFileSync(config.PVE_CA_FILE, 'utf8') : undefined;
  const fingerprint = config.PVE_FINGERPRINT && config.PVE_FINGERPRINT.length === 1 ? config.PVE_FINGERPRINT[0] : config.PVE_FINGERPRINT;
  const pve = createPveClient({
    baseUrl: config.PVE_URL,
    tokenId: config.PVE_TOKEN_ID,
    tokenSecret: config.PVE_TOKEN_SECRET,
    ...(ca ? { ca } : {}),
    ...(fingerprint ? { fingerprint } : {}),
    timeoutMs: OPEN_TIMEOUT_MS,
  });
  return { backend: pveConsoleBackend(pve), close: () => pve.close() };
}
