import { createHash } from 'node:crypto';

/** Lower-case hex SHA-256 of the bytes; pure, same input → same output. */
export function sha256Hex(buf: Uint8Array): string {
  return createHash('sha256').update(buf).digest('hex');
}
