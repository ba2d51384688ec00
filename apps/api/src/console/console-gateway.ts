import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  AppError,
  CONSOLE_CLOSE,
  DEFAULT_CONSOLE_SETTINGS,
  ErrorCode,
  INSTITUTION_ROLES,
  Role,
  ZConsoleSettings,
  canSeeInstitution,
  hasAnyRole,
  type Actor,
  type Locale,
} from '@betang/core';
import { appendAudit, endConsoleSession, findLiveSessionWithUser, getSetting, openConsoleSession, type Db } from '@betang/db';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { ERROR_STATUS } from '../middleware/error-status';
import { hashSecret } from '../security/secrets';
import type { ConsoleBackend, PveConsoleLink } from './console-backend';

/** Where the browser opens its console websocket (same origin as the app). */
export const CONSOLE_WS_PATH = '/api/v1/console/ws';
/** Who may open a console: operators and the owning institution's people. */
export const CONSOLE_ROLES = [...INSTITUTION_ROLES, Role.Admin, Role.Operator] as const;
/** Largest message the browser may send (a paste is split by xterm.js long before this). */
const MAX_MESSAGE_BYTES = 64 * 1024;
/** VM states in which the VM exists on Proxmox and may have a console. */
export const CONSOLE_VM_STATES = new Set(['running', 'stopped']);

/** The server's `upgrade` listener, and a way to end every open console (shutdown: audited, sockets closed). */
export type ConsoleGateway = ((req: IncomingMessage, socket: Duplex, head: Buffer) => void) & { closeAll(): Promise<void> };

/** What the gateway needs beyond the database. */
export type ConsoleDeps = {
  backend: ConsoleBackend;
  /** Milliseconds per idle minute (tests shorten it; production leaves 60 000). */
  idleMsPerMinute?: number;
};

type GatewayDeps = {
  db: Db;
  logger: Logger;
  sessionCookie: string;
  publicUrl: string;
  /** TRUST_PROXY_HOPS: how many X-Forwarded-For entries from the right were added by our proxies. */
  trustProxyHops: number;
  console: ConsoleDeps | undefined;
};

function cookieValues(header: string | undefined, name: string): string[] {
  const out: string[] = [];
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0 || part.slice(0, eq).trim() !== name) continue;
    try {
      const v = decodeURIComponent(part.slice(eq + 1).trim());
      if (v) out.push(v);
    } catch {
      // a cookie Betang never set: ignored, as authenticate() does
    }
  }
  return out.slice(0, 3);
}

function localeOf(req: IncomingMessage): Locale {
  return /^\s*en\b/i.test(String(req.headers['accept-language'] ?? '')) ? 'en' : 'id';
}

/** Writes an HTTP error in the API's error shape on a socket that was never upgraded. */
function refuse(socket: Duplex, error: AppError, locale: Locale, requestId: string): void {
  const status = ERROR_STATUS[error.code];
  const body = JSON.stringify({ error: { code: error.code, message: error.messageIn(locale), requestId } });
  socket.end(
    `HTTP/1.1 ${status} ${status === 404 ? 'Not Found' : 'Error'}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `X-Request-Id: ${requestId}\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/** The client's address as Express's `trust proxy` = hops computes it: the hops-th X-Forwarded-For entry from the right. */
function clientIp(req: IncomingMessage, hops: number): string | null {
  const chain = [
    ...String(req.headers['x-forwarded-for'] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  ];
  const direct = req.socket.remoteAddress ?? null;
  if (hops <= 0 || chain.length === 0) return direct;
  return chain[Math.max(0, chain.length - hops)] ?? direct;
}

/** True when the page opening the socket is Betang's own (same host, or PUBLIC_URL's origin). */
function sameOrigin(req: IncomingMessage, publicUrl: string): boolean {
  const origin = req.headers.origin;
  if (!origin || !URL.canParse(origin)) return false;
  const o = new URL(origin);
  return o.host === req.headers.host || o.origin === new URL(publicUrl).origin;
}

const notFound = (): AppError => new AppError(ErrorCode.NotFound);
const refused = (): AppError =>
  new AppError(ErrorCode.Forbidden, {
    id: 'Tiket konsol tidak dikenal, sudah dipakai, atau kedaluwarsa. Buka konsol lagi dari halaman VM.',
    en: 'The console ticket is unknown, used or expired. Open the console again from the VM page.',
  });

/**
 * The console websocket: `GET /api/v1/console/ws?ticket=…` with `Upgrade: websocket`. Before the
 * 101: the page's Origin must be Betang's own (a cross-site page cannot open it), the session
 * cookie must be live and belong to the user the one-use ticket was made for, the ticket is spent
 * atomically, and the VM is checked again (role, institution, state). Then Proxmox is opened with
 * Betang's credentials and bytes are relayed: the browser's framed input (xterm.js's `0:`/`1:`/
 * `2`) as is, Proxmox's raw output as is — never a Proxmox ticket. Each session is audited at
 * start and end (with its duration); no input for the idle setting closes it. Never throws.
 */
export function createConsoleGateway(deps: GatewayDeps): ConsoleGateway {
  const live = new Set<() => Promise<void>>();
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: MAX_MESSAGE_BYTES,
    handleProtocols: (protocols) => (protocols.has('binary') ? 'binary' : false),
  });
  const handler = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const requestId = randomUUID();
    const locale = localeOf(req);
    socket.on('error', () => socket.destroy());
    accept(req, requestId).then(
      (ctx) => {
        if (!ctx) {
          socket.destroy();
          return;
        }
        wss.handleUpgrade(req, socket, head, (ws) => void relay(ws, ctx, locale));
      },
      (err: unknown) => {
        const appError = err instanceof AppError ? err : new AppError(ErrorCode.Internal);
        if (!(err instanceof AppError)) deps.logger.error({ err, requestId }, 'console upgrade failed');
        refuse(socket, appError, locale, requestId);
      },
    );
  };
  return Object.assign(handler, {
    closeAll: async () => {
      await Promise.all([...live].map((stop) => stop()));
    },
  });

  type Accepted = {
    sessionId: string;
    vm: { id: string; institutionId: string; node: string; vmid: number; name: string };
    actor: Actor;
    audit: { actorUserId: string; actorLabel: string; requestId: string; ip: string | null; userAgent: string | null };
    idleMs: number;
  };

  /** Every check before the upgrade; undefined = not a console request (socket dropped). */
  async function accept(req: IncomingMessage, requestId: string): Promise<Accepted | undefined> {
    const url = new URL(req.url ?? '/', 'http://betang.invalid');
    if (url.pathname !== CONSOLE_WS_PATH) {
      if (url.pathname.startsWith('/api/')) throw notFound();
      return undefined;
    }
    if (!sameOrigin(req, deps.publicUrl))
      throw new AppError(ErrorCode.Forbidden, {
        id: 'Konsol hanya dapat dibuka dari aplikasi Betang sendiri.',
        en: 'The console can only be opened from the Betang application itself.',
      });
    const ticket = url.searchParams.get('ticket') ?? '';
    if (!/^[A-Za-z0-9_-]{32,100}$/.test(ticket)) throw refused();
    let user;
    for (const secret of cookieValues(req.headers.cookie, deps.sessionCookie)) {
      const found = await findLiveSessionWithUser(deps.db, hashSecret(secret));
      if (found?.user.isActive) {
        user = found.user;
        break;
      }
    }
    if (!user) throw new AppError(ErrorCode.Unauthenticated);
    if (!deps.console) throw new AppError(ErrorCode.ServiceUnavailable, CONSOLE_NOT_CONFIGURED);
    const grant = await openConsoleSession(deps.db, hashSecret(ticket), user.id);
    if (!grant || grant.userId !== user.id) throw refused();
    const actor: Actor = { userId: user.id, institutionId: user.institutionId, roles: user.roles };
    const vm = await deps.db
      .selectFrom('vms')
      .select(['id', 'institutionId', 'node', 'vmid', 'name', 'state'])
      .where('id', '=', grant.vmId)
      .executeTakeFirst();
    if (!vm || !canSeeInstitution(actor, vm.institutionId) || !hasAnyRole(actor, CONSOLE_ROLES)) throw notFound();
    if (!CONSOLE_VM_STATES.has(vm.state) || vm.node === null || vm.vmid === null) throw new AppError(ErrorCode.InvalidState);
    const settings = await getSetting(deps.db, 'console_settings', ZConsoleSettings, DEFAULT_CONSOLE_SETTINGS);
    const ua = req.headers['user-agent'];
    return {
      sessionId: grant.sessionId,
      vm: { id: vm.id, institutionId: vm.institutionId, node: vm.node, vmid: vm.vmid, name: vm.name },
      actor,
      audit: {
        actorUserId: user.id,
        actorLabel: `${user.name} <${user.email}>`,
        requestId,
        ip: clientIp(req, deps.trustProxyHops),
        userAgent: typeof ua === 'string' ? ua.slice(0, 500) : null,
      },
      idleMs: settings.idleMinutes * (deps.console.idleMsPerMinute ?? 60_000),
    };
  }

  async function audit(ctx: Accepted, action: string, after: Record<string, unknown>): Promise<void> {
    try {
      await appendAudit(deps.db, {
        ...ctx.audit,
        institutionId: ctx.vm.institutionId,
        action,
        targetType: 'vm',
        targetId: ctx.vm.id,
        after: { sessionId: ctx.sessionId, vmid: ctx.vm.vmid, ...after },
      });
    } catch (err) {
      deps.logger.error({ err, sessionId: ctx.sessionId, action }, 'console audit failed');
    }
  }

  async function relay(ws: WebSocket, ctx: Accepted, locale: Locale): Promise<void> {
    const backend = deps.console?.backend;
    let pve: PveConsoleLink | undefined;
    let ended = false;
    let idleTimer: NodeJS.Timeout | undefined;
    const pending: Buffer[] = [];
    const end = async (reason: 'closed' | 'idle' | 'pve_closed' | 'unavailable' | 'error' | 'shutdown'): Promise<void> => {
      if (ended) return;
      ended = true;
      live.delete(stopForShutdown);
      clearTimeout(idleTimer);
      pve?.close();
      if (ws.readyState === ws.OPEN) {
        if (reason === 'idle') ws.close(CONSOLE_CLOSE.idle, 'idle');
        else if (reason === 'pve_closed' || reason === 'unavailable') ws.close(CONSOLE_CLOSE.unavailable, reason);
        else if (reason === 'shutdown') ws.close(1001, 'shutdown');
        else ws.close(1000);
      }
      const seconds = await endConsoleSession(deps.db, ctx.sessionId, reason).catch(() => undefined);
      if (pve) await audit(ctx, 'console.session_ended', { reason, durationSeconds: Math.round((seconds ?? 0) * 10) / 10 });
    };
    const stopForShutdown = (): Promise<void> => end('shutdown');
    live.add(stopForShutdown);
    const armIdle = (): void => {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => void end('idle'), ctx.idleMs);
      idleTimer.unref();
    };
    ws.on('close', () => void end('closed'));
    ws.on('error', () => void end('error'));
    ws.on('message', (raw: Buffer | ArrayBuffer | Buffer[]) => {
      const bytes = Buffer.isBuffer(raw) ? raw : Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw);
      // Only typing counts as activity: the page's pings and resizes do not keep a session open.
      if (bytes[0] === 0x30) armIdle();
      if (pve) pve.send(bytes);
      else if (pending.length < 64) pending.push(bytes);
    });
    armIdle();
    try {
      if (!backend) throw new Error('console backend missing');
      const link = await backend.open(ctx.vm.node, ctx.vm.vmid);
      if (ended) {
        link.close();
        await endConsoleSession(deps.db, ctx.sessionId, 'closed').catch(() => undefined);
        return;
      }
      pve = link;
    } catch (err) {
      deps.logger.warn({ err, sessionId: ctx.sessionId, vmid: ctx.vm.vmid }, 'console: Proxmox side did not open');
      if (ws.readyState === ws.OPEN) {
        const text = CONSOLE_UNAVAILABLE[locale];
        ws.send(Buffer.from(`\r\n${text}\r\n`), { binary: true });
      }
      await end('unavailable');
      return;
    }
    await audit(ctx, 'console.session_started', { node: ctx.vm.node });
    // termproxy's own greeting first, so the page knows input now reaches the VM.
    if (ws.readyState === ws.OPEN) ws.send(Buffer.from('OK'), { binary: true });
    pve.onData((bytes) => {
      if (ws.readyState === ws.OPEN) ws.send(bytes, { binary: true });
    });
    pve.onClose(() => void end('pve_closed'));
    for (const m of pending.splice(0)) pve.send(m);
  }
}

const CONSOLE_NOT_CONFIGURED = {
  id: 'Konsol belum dikonfigurasi: API tidak memiliki akses Proxmox (PVE_URL, PVE_TOKEN_ID, PVE_TOKEN_SECRET).',
  en: 'The console is not configured: the API has no Proxmox access (PVE_URL, PVE_TOKEN_ID, PVE_TOKEN_SECRET).',
};

const CONSOLE_UNAVAILABLE: Record<Locale, string> = {
  id: 'Konsol tidak dapat dibuka: Proxmox tidak dapat dihubungi atau menolak. Coba lagi sebentar lagi.',
  en: 'The console could not be opened: Proxmox is unreachable or refused. Try again shortly.',
};

/** Bilingual text of a console that is not configured, for the ticket route's 503. */
export const consoleNotConfigured = (): AppError => new AppError(ErrorCode.ServiceUnavailable, CONSOLE_NOT_CONFIGURED);
