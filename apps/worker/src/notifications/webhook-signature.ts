import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header carrying `t=<unix seconds>,v1=<hex HMAC-SHA256>` (docs/notifications.md). */
export const SIGNATURE_HEADER = 'Betang-Signature';

/**
 * Signs a webhook body: HMAC-SHA256 with the endpoint's secret over `<timestamp>.<body>`, so a
 * receiver that checks the timestamp's age refuses a replayed request, and one changed byte in
 * the body or timestamp breaks the signature. Returns the header value.
 */
export function signWebhook(secret: string, body: string, timestamp: number): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

/**
 * What a receiver does (and what the tests do): parses the header, refuses a timestamp more than
 * `toleranceSeconds` away from `now`, and compares the signature in constant time. True only for
 * a fresh, untampered request signed with `secret`.
 */
export function verifyWebhook(secret: string, body: string, header: string, now = Date.now(), toleranceSeconds = 300): boolean {
  const parts = new Map(header.split(',').map((p) => p.trim().split('=', 2) as [string, string]));
  const timestamp = Number(parts.get('t'));
  const signature = parts.get('v1') ?? '';
  if (!Number.isInteger(timestamp) || Math.abs(now / 1000 - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(signWebhook(secret, body, timestamp).split('v1=')[1]!, 'hex');
  const given = Buffer.from(signature, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
