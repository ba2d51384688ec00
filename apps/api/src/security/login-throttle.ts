import { createHash } from 'node:crypto';
import type { AppError } from '@betang/core';
import { lockLoginThrottleRows, pruneLoginThrottle, saveLoginThrottleRow, type Db, type LoginThrottleRow } from '@betang/db';
import type { Logger } from 'pino';
import { rateLimitedError } from './rate-limit';

/**
 * How sign-in failures slow down the next attempt; the reasoning is in docs/security.md.
 * One failure is forgiven per `forgiveEverySeconds`; once the count reaches the free failures,
 * every failure makes the next attempt wait `firstDelaySeconds`, doubling per further failure up
 * to `maxDelaySeconds`.
 */
type LoginThrottlePolicy = {
  /** Failures of one e-mail from one address before delays start. */
  perAddressFreeFailures: number;
  /** Failures of one e-mail from every address before addresses that never signed in to it wait too. */
  perEmailFreeFailures: number;
  firstDelaySeconds: number;
  maxDelaySeconds: number;
  forgiveEverySeconds: number;
  /** How long an address that signed in successfully stays exempt from the per-e-mail delay. */
  familiarAddressDays: number;
};

/** Defaults (docs/security.md, "Sign-in delays"). */
export const DEFAULT_LOGIN_THROTTLE: LoginThrottlePolicy = {
  perAddressFreeFailures: 5,
  perEmailFreeFailures: 20,
  firstDelaySeconds: 30,
  maxDelaySeconds: 15 * 60,
  forgiveEverySeconds: 15 * 60,
  familiarAddressDays: 30,
};

/**
 * The failure count `failures` last counted from `since`, after forgiving one per elapsed period;
 * `since` moves by the forgiven periods only, so a partly elapsed period is kept.
 */
function decayedFailures(failures: number, since: Date, now: Date, forgiveEverySeconds: number): { failures: number; since: Date } {
  const periods = Math.floor(Math.max(0, now.getTime() - since.getTime()) / (forgiveEverySeconds * 1000));
  if (periods >= failures) return { failures: 0, since: now };
  return { failures: failures - periods, since: new Date(since.getTime() + periods * forgiveEverySeconds * 1000) };
}

/** Seconds the next attempt waits after a failure that brought the count to `failures` (null: no wait). */
function delayAfterFailures(
  failures: number,
  freeFailures: number,
  policy: Pick<LoginThrottlePolicy, 'firstDelaySeconds' | 'maxDelaySeconds'>,
): number | null {
  if (failures < freeFailures) return null;
  return Math.min(policy.maxDelaySeconds, policy.firstDelaySeconds * 2 ** (failures - freeFailures));
}

/** The 429 of a throttled sign-in: the same text as the per-address limit, so the two cannot be told apart. */
export function tooManySignInsError(retryAfterSeconds: number): AppError {
  const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
  return rateLimitedError(retryAfterSeconds, {
    id: `Terlalu banyak percobaan masuk. Coba lagi dalam ${minutes} menit.`,
    en: `Too many sign-in attempts. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
  });
}

/** The hash an e-mail is stored under (lower-cased; unsalted SHA-256, like the rate-limit keys). */
export function emailThrottleHash(email: string): string {
  return createHash('sha256').update(`email:${email.toLowerCase()}`).digest('base64url');
}

function addressHash(ip: string): string {
  return createHash('sha256').update(`ip:${ip}`).digest('base64url');
}

/** What a claim saw: go on and check the password, or wait. */
type SignInClaim = { allowed: true } | { allowed: false; retryAfterSeconds: number };

const PRUNE_EVERY_MS = 60_000;
let lastPrune = 0;

function later(a: Date | null, b: Date | null): Date | null {
  if (!a) return b;
  if (!b) return a;
  return a > b ? a : b;
}

/**
 * Sign-in delays per e-mail + client address, kept in PostgreSQL (`login_throttle`) so every API
 * instance shares them. Nothing in it depends on whether the e-mail has an account, so its
 * answers reveal nothing about that.
 */
export class LoginThrottle {
  constructor(
    private readonly db: Db,
    private readonly policy: LoginThrottlePolicy = DEFAULT_LOGIN_THROTTLE,
    private readonly logger?: Logger,
  ) {}

  /**
   * Claims one attempt BEFORE the password is checked: refused while a delay of this e-mail from
   * this address runs, or while the e-mail's delay from every address runs and this address never
   * signed in to it; otherwise counted as a failure (given back by {@link succeeded}).
   * Guarantees: both rows are locked for the claim, so parallel guesses are counted one after the
   * other and none slips past the delay another one sets; a refused attempt changes nothing (an
   * attacker cannot lengthen the owner's wait by hammering).
   */
  async claim(email: string, ip: string): Promise<SignInClaim> {
    this.pruneNowAndThen();
    const policy = this.policy;
    return this.db.transaction().execute(async (tx) => {
      const { now, address, everyAddress } = await lockLoginThrottleRows(tx, emailThrottleHash(email), addressHash(ip));
      const familiar =
        address.lastSuccessAt !== null && now.getTime() - address.lastSuccessAt.getTime() < policy.familiarAddressDays * 86_400_000;
      const running = (until: Date | null) => (until && until > now ? until : null);
      const wait = later(running(address.blockedUntil), familiar ? null : running(everyAddress.blockedUntil));
      if (wait) return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((wait.getTime() - now.getTime()) / 1000)) };
      await saveLoginThrottleRow(tx, this.fail(address, now, policy.perAddressFreeFailures));
      await saveLoginThrottleRow(tx, this.fail(everyAddress, now, policy.perEmailFreeFailures));
      return { allowed: true };
    });
  }

  /**
   * Records a successful sign-in (or re-authentication) after {@link claim}: this address's
   * failures and delay end, the address is remembered as one the owner uses, and the e-mail's
   * count across addresses gets its claimed failure back (its running delay, if any, stays: other
   * addresses may still be guessing).
   */
  async succeeded(email: string, ip: string): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      const { now, address, everyAddress } = await lockLoginThrottleRows(tx, emailThrottleHash(email), addressHash(ip));
      await saveLoginThrottleRow(tx, { ...address, failures: 0, blockedUntil: null, updatedAt: now, lastSuccessAt: now });
      const decayed = decayedFailures(everyAddress.failures, everyAddress.updatedAt, now, this.policy.forgiveEverySeconds);
      await saveLoginThrottleRow(tx, { ...everyAddress, failures: Math.max(0, decayed.failures - 1), updatedAt: decayed.since });
    });
  }

  private fail(row: LoginThrottleRow, now: Date, freeFailures: number): LoginThrottleRow {
    const decayed = decayedFailures(row.failures, row.updatedAt, now, this.policy.forgiveEverySeconds);
    const failures = decayed.failures + 1;
    const delay = delayAfterFailures(failures, freeFailures, this.policy);
    return { ...row, failures, updatedAt: decayed.since, blockedUntil: delay === null ? null : new Date(now.getTime() + delay * 1000) };
  }

  private pruneNowAndThen(): void {
    const now = Date.now();
    if (now - lastPrune < PRUNE_EVERY_MS) return;
    lastPrune = now;
    pruneLoginThrottle(this.db, this.policy.forgiveEverySeconds, this.policy.familiarAddressDays * 86_400).catch((error: unknown) =>
      this.logger?.warn({ err: error }, 'pruning sign-in throttle rows failed'),
    );
  }
}
