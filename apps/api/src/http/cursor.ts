import { AppError, ErrorCode, hasForbiddenTextCharacters } from '@betang/core';
import { z } from 'zod';

/** Encodes a keyset position as an opaque cursor. */
export function encodeCursor(position: unknown): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

// PostgreSQL's timestamptz runs from 4713 BC to 294276 AD, JavaScript's Date to ±275760; a
// cursor only ever holds a row's creation time, so anything outside years 1–9999 is forged.
const EARLIEST = new Date(0).setUTCFullYear(1, 0, 1);
const LATEST = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * A cursor's timestamp: an ISO 8601 instant that exists (no 30 February, no hour 24) within years
 * 1–9999, handed on in the canonical form `toISOString` gives, so the database never sees a date
 * it would refuse.
 */
export const ZCursorTimestamp = z.iso.datetime({ offset: true }).transform((value, ctx) => {
  const time = Date.parse(value);
  if (Number.isNaN(time) || time < EARLIEST || time > LATEST) {
    ctx.addIssue({ code: 'custom', message: 'impossible date' });
    return z.NEVER;
  }
  return new Date(time).toISOString();
});

/** A cursor's text key (a name): bounded, one line, no control characters (PostgreSQL refuses NUL). */
export const ZCursorText = z
  .string()
  .max(1000)
  .refine((value) => !hasForbiddenTextCharacters(value), 'control characters');

function hasForbiddenString(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return hasForbiddenTextCharacters(value);
  if (depth > 4 || typeof value !== 'object' || value === null) return false;
  return Object.values(value).some((inner) => hasForbiddenString(inner, depth + 1));
}

/**
 * Decodes and validates a cursor made by encodeCursor. Guarantees: a tampered, truncated or
 * forged cursor (not base64url JSON, wrong shape, impossible date, control characters in any
 * string) is a 400 on `query.cursor`, never a 500. Every paginated list decodes through here.
 */
export function decodeCursor<T extends z.ZodType>(schema: T, cursor: string | undefined): z.output<T> | undefined {
  if (!cursor) return undefined;
  try {
    const decoded: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (hasForbiddenString(decoded)) throw new Error('control characters in a cursor');
    return schema.parse(decoded);
  } catch {
    throw new AppError(ErrorCode.ValidationFailed, { id: 'Kursor halaman tidak valid.', en: 'Invalid page cursor.' }, [
      { path: 'query.cursor', message: 'invalid', code: 'invalid_cursor' },
    ]);
  }
}
