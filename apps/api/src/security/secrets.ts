import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A URL-safe random secret with `bytes` bytes of entropy. */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** SHA-256 hex of a high-entropy secret (sessions, API tokens): what the database stores. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Constant-time string comparison. */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

const TOKEN_PATTERN = /^btg_([A-Za-z0-9]{8})_([A-Za-z0-9_-]{43})$/;

/** Creates a personal API token `btg_<prefix>_<secret>`; the prefix identifies it in lists. */
export function newApiToken(): { token: string; prefix: string } {
  const prefix = randomBytes(6).toString('base64url').replace(/[-_]/g, 'x').slice(0, 8);
  return { token: `btg_${prefix}_${randomSecret(32)}`, prefix };
}

/** True when a string has the shape of a Betang API token (cheap pre-check before hashing). */
export function looksLikeApiToken(value: string): boolean {
  return TOKEN_PATTERN.test(value);
}
