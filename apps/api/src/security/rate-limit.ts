import { createHash } from 'node:crypto';
import { AppError, ErrorCode, type LocalizedText } from '@betang/core';
import { hitRateLimitBucket, pruneRateLimitBuckets, type Db } from '@betang/db';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';

/** One limit: at most `limit` hits per `windowSeconds` per subject (fixed window). */
export type RateLimitRule = { name: string; limit: number; windowSeconds: number };

/** The limits the API enforces; tests may lower them through AppDeps.rateLimits. */
export type RateLimitPolicy = {
  /** Sign-in attempts per client IP (every attempt counts, successful ones too). */
  loginPerIp: RateLimitRule;
  /** Requests to the public verification endpoints per client IP. */
  verifyPerIp: RateLimitRule;
  /** "Forgot password" requests per client IP (over it: 429, whatever the e-mail). */
  passwordForgotPerIp: RateLimitRule;
  /** "Forgot password" requests per e-mail, known or not (over it: the same answer, no e-mail sent). */
  passwordForgotPerEmail: RateLimitRule;
  /** Attempts to use a reset link per client IP. */
  passwordResetPerIp: RateLimitRule;
  /** Single sign-on starts and callbacks per client IP (each writes a row or calls the provider). */
  oidcPerIp: RateLimitRule;
};

/** Defaults; the reasoning is in docs/security.md. */
export const DEFAULT_RATE_LIMITS: RateLimitPolicy = {
  loginPerIp: { name: 'login-ip', limit: 300, windowSeconds: 15 * 60 },
  verifyPerIp: { name: 'verify-ip', limit: 60, windowSeconds: 60 },
  passwordForgotPerIp: { name: 'forgot-ip', limit: 20, windowSeconds: 15 * 60 },
  passwordForgotPerEmail: { name: 'forgot-email', limit: 3, windowSeconds: 60 * 60 },
  passwordResetPerIp: { name: 'reset-ip', limit: 30, windowSeconds: 15 * 60 },
  oidcPerIp: { name: 'oidc-ip', limit: 300, windowSeconds: 15 * 60 },
};

/** How often (at most) one API process deletes ended windows. */
const PRUNE_EVERY_MS = 60_000;

/** The outcome of one hit. */
type RateLimitHit = { allowed: boolean; hits: number; retryAfterSeconds: number };

/**
 * Fixed-window rate limits kept in PostgreSQL (`rate_limit_buckets`), so every API instance
 * shares them. Guarantees: each hit is one atomic upsert; every subject (a client IP) is
 * stored only as an unsalted SHA-256 prefix — not in clear, though an IPv4 address could be
 * recovered by trying them all; ended windows are pruned by whichever process writes, at most
 * once a minute per process, never failing the request that triggered it.
 */
export class RateLimiter {
  private lastPrune = 0;

  constructor(
    private readonly db: Db,
    private readonly logger?: Logger,
  ) {}

  /** Counts a hit of `subject` against `rule`; `allowed` is false once the window holds more than the limit. */
  async hit(rule: RateLimitRule, subject: string): Promise<RateLimitHit> {
    this.pruneNowAndThen();
    const bucket = await hitRateLimitBucket(this.db, bucketKey(rule, subject), rule.windowSeconds);
    const retryAfterSeconds = Math.max(1, Math.ceil((bucket.resetAt.getTime() - Date.now()) / 1000));
    return { allowed: bucket.hits <= rule.limit, hits: bucket.hits, retryAfterSeconds };
  }

  private pruneNowAndThen(): void {
    const now = Date.now();
    if (now - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = now;
    pruneRateLimitBuckets(this.db).catch((error: unknown) => this.logger?.warn({ err: error }, 'pruning rate-limit buckets failed'));
  }
}

/** The bucket key: rule name plus a SHA-256 prefix of the subject (not in clear; see RateLimiter). */
function bucketKey(rule: RateLimitRule, subject: string): string {
  return `${rule.name}:${createHash('sha256').update(subject).digest('base64url').slice(0, 32)}`;
}

/** Minutes (rounded up, at least 1) for a message. */
function minutes(seconds: number): number {
  return Math.max(1, Math.ceil(seconds / 60));
}

/**
 * The 429 error of a refused hit: bilingual message naming the wait, `details.retryAfterSeconds`
 * (the error handler copies it into the Retry-After header).
 */
export function rateLimitedError(retryAfterSeconds: number, text?: LocalizedText): AppError {
  const wait = minutes(retryAfterSeconds);
  return new AppError(
    ErrorCode.RateLimited,
    text ?? {
      id: `Terlalu banyak permintaan dari alamat Anda. Coba lagi dalam ${wait} menit.`,
      en: `Too many requests from your address. Try again in ${wait} minute${wait === 1 ? '' : 's'}.`,
    },
    { retryAfterSeconds },
  );
}

/**
 * Middleware: one hit per request on `rule`, keyed by the client IP (req.ip, which honours
 * TRUST_PROXY_HOPS). Guarantees: over the limit → 429 with Retry-After and a bilingual message,
 * before the route's own body parser runs (mount it ahead of a PDF or CSV body).
 */
export function perIpRateLimit(limiter: RateLimiter, rule: RateLimitRule): RequestHandler {
  return async (req, res, next) => {
    const result = await limiter.hit(rule, req.ip ?? 'unknown');
    if (result.allowed) return next();
    next(rateLimitedError(result.retryAfterSeconds));
  };
}
