import { AppError, ErrorCode } from '@betang/core';
import type { z } from 'zod';

/** Encodes a keyset position as an opaque cursor. */
export function encodeCursor(position: unknown): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

/** Decodes and validates a cursor made by encodeCursor; a tampered one is a 400, never a 500. */
export function decodeCursor<T extends z.ZodType>(schema: T, cursor: string | undefined): z.infer<T> | undefined {
  if (!cursor) return undefined;
  try {
    return schema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw new AppError(ErrorCode.ValidationFailed, { id: 'Kursor halaman tidak valid.', en: 'Invalid page cursor.' }, [
      { path: 'query.cursor', message: 'invalid', code: 'invalid_cursor' },
    ]);
  }
}
