import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Flavour, TokenSpec } from '../options';
import { PveError } from '../server/pve-error';
import type { AuthInfo } from '../server/router';

const TICKET_LIFETIME_S = 7200;

/** Why authentication failed, before flavour-specific wording. */
type AuthFailure = 'no-ticket' | 'bad-ticket' | 'bad-token' | 'no-token' | 'expired-token' | 'bad-csrf' | 'login';

const PVE8_TEXT: Record<AuthFailure, string> = {
  'no-ticket': 'No ticket',
  'bad-ticket': 'permission denied - invalid PVE ticket',
  'bad-token': 'invalid token value!',
  'no-token': 'invalid token value!',
  'expired-token': 'token expired',
  'bad-csrf': 'Permission denied - invalid csrf token',
  login: 'authentication failure',
};

/** 401 with PVE's wording: pve-manager ≥ 9.1 says only "Authentication failed!" (or "No ticket"). */
function authError(flavour: Flavour, why: AuthFailure): PveError {
  const text = why === 'no-ticket' ? 'No ticket' : flavour === 'pve9' ? 'Authentication failed!' : PVE8_TEXT[why];
  return new PveError(401, text, undefined, true);
}

const hex8 = (n: number): string => n.toString(16).toUpperCase().padStart(8, '0');

/** API tokens, ticket login and CSRF tokens, keyed by a per-process secret. */
export class AuthService {
  private readonly key = randomBytes(32);
  readonly tokens = new Map<string, TokenSpec>();
  readonly revoked = new Set<string>();

  constructor(
    private readonly flavour: Flavour,
    tokens: TokenSpec[],
    private readonly users: Record<string, string>,
    private readonly now: () => number,
  ) {
    for (const t of tokens) this.tokens.set(t.tokenId, t);
  }

  /** The token's privilege separation flag, or undefined for an unknown token (PVE: no rights at all). */
  tokenInfo(tokenid: string): { privsep: boolean } | undefined {
    const t = this.tokens.get(tokenid);
    return t ? { privsep: t.privsep ?? true } : undefined;
  }

  private sign(data: string): string {
    return createHmac('sha256', this.key).update(data).digest('base64');
  }

  /** `PVE:user@realm:HEXTIME::signature`, like PVE's ticket layout. */
  issueTicket(user: string): { ticket: string; csrf: string } {
    const t = hex8(Math.floor(this.now() / 1000));
    const plain = `PVE:${user}:${t}`;
    return { ticket: `${plain}::${this.sign(plain)}`, csrf: `${t}:${this.sign(`${t}:${user}`)}` };
  }

  /** Returns the user of a valid, unexpired ticket. */
  verifyTicket(ticket: string): string | undefined {
    const m = /^(PVE:([^:]+):([0-9A-F]{8}))::(.+)$/.exec(ticket);
    if (!m || !m[1] || !m[2] || !m[3] || !m[4]) return undefined;
    const a = Buffer.from(this.sign(m[1]));
    const b = Buffer.from(m[4]);
    if (a.length !== b.length || !timingSafeEqual(a, b)) return undefined;
    const age = this.now() / 1000 - parseInt(m[3], 16);
    return age < TICKET_LIFETIME_S && age > -300 ? m[2] : undefined;
  }

  /**
   * A VNC/termproxy ticket as PVE's assemble_vnc_ticket makes it: `PVEVNC:HEXTIME::signature`,
   * the signature covering the user, the ACL path and the port (none of which the ticket shows).
   */
  issueVncTicket(authid: string, path: string, port: number): string {
    const plain = `PVEVNC:${hex8(Math.floor(this.now() / 1000))}`;
    return `${plain}::${this.sign(`${plain}:${authid}:${path}:${port}`)}`;
  }

  /**
   * verify_vnc_ticket: true only for a ticket issued to this user, path and port, between 20 s
   * before and 40 s after its timestamp (PVE's window: the ticket is meant for one connection).
   */
  verifyVncTicket(ticket: string, authid: string, path: string, port: number): boolean {
    const m = /^(PVEVNC:([0-9A-F]{8}))::([^:\s]+)$/.exec(ticket);
    if (!m || !m[1] || !m[2] || !m[3]) return false;
    const a = Buffer.from(this.sign(`${m[1]}:${authid}:${path}:${port}`));
    const b = Buffer.from(m[3]);
    if (a.length !== b.length || !timingSafeEqual(a, b)) return false;
    const age = this.now() / 1000 - parseInt(m[2], 16);
    return age >= -20 && age <= 40;
  }

  private verifyCsrf(user: string, token: string | undefined): boolean {
    const m = /^([0-9A-F]{8}):(.+)$/.exec(token ?? '');
    return !!m && this.sign(`${m[1]}:${user}`) === m[2];
  }

  /** POST /access/ticket: password, or a still-valid ticket as password (renewal). */
  login(username: string, password: string): { ticket: string; csrf: string } {
    const renewed = this.verifyTicket(password);
    if (renewed === username || (this.users[username] !== undefined && this.users[username] === password)) {
      return this.issueTicket(username);
    }
    throw authError(this.flavour, 'login');
  }

  /**
   * Authenticates a request: API token header, or PVEAuthCookie ticket (+ CSRF header on
   * writes). Throws a 401 PveError worded for the flavour.
   */
  authenticate(headers: IncomingHttpHeaders, method: string): AuthInfo {
    const authz = headers.authorization ?? '';
    const tm = /^PVEAPIToken[= ]([^!=\s]+)!([^=\s]+)[=\s](.+)$/.exec(authz);
    if (tm) {
      const [user, tokenName, secret] = [tm[1] ?? '', tm[2] ?? '', decodeURIComponent(tm[3] ?? '')];
      const full = `${user}!${tokenName}`;
      const spec = this.tokens.get(full);
      if (!spec || this.revoked.has(full)) throw authError(this.flavour, 'no-token');
      if (spec.expire && spec.expire * 1000 < this.now()) throw authError(this.flavour, 'expired-token');
      if (spec.secret !== secret) throw authError(this.flavour, 'bad-token');
      return { user, tokenid: tokenName, kind: 'token' };
    }
    const cookie = /(?:^|;\s*)PVEAuthCookie=([^;]+)/.exec(headers.cookie ?? '')?.[1];
    const ticketRaw = cookie ?? /^PVEAuthCookie=(.+)$/.exec(authz)?.[1];
    if (!ticketRaw) throw authError(this.flavour, 'no-ticket');
    const user = this.verifyTicket(decodeURIComponent(ticketRaw));
    if (!user) throw authError(this.flavour, 'bad-ticket');
    if (method !== 'GET') {
      const csrf = headers.csrfpreventiontoken;
      if (!this.verifyCsrf(user, Array.isArray(csrf) ? csrf[0] : csrf)) throw authError(this.flavour, 'bad-csrf');
    }
    return { user, kind: 'ticket' };
  }
}
