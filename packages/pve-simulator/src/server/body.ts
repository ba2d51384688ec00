import type { IncomingMessage } from 'node:http';
import { PveError } from './pve-error';
import type { RawParams } from './params';

/** Reads the request body up to `limit` bytes; over the limit answers like pveproxy (413). */
export async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    const b = c as Buffer;
    size += b.length;
    if (size > limit) throw new PveError(413, 'Request Entity Too Large');
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function add(out: RawParams, key: string, value: string): void {
  const prev = out[key];
  if (prev === undefined) out[key] = value;
  else out[key] = Array.isArray(prev) ? [...prev, value] : [prev, value];
}

/** Form/query decoding: repeated keys become arrays (how PVE receives list parameters). */
export function parseForm(text: string, into: RawParams = {}): RawParams {
  for (const [k, v] of new URLSearchParams(text)) add(into, k, v);
  return into;
}

function jsonScalar(v: unknown): string {
  if (v === true) return '1';
  if (v === false) return '0';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return JSON.stringify(v);
}

/** JSON bodies (PVE ≥ 6.2): true/false become 1/0, arrays stay lists, null drops the key. */
export function parseJsonBody(text: string, into: RawParams = {}): RawParams {
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch {
    throw new PveError(400, 'Parameter verification failed.', { body: 'invalid JSON' });
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return into;
  for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
    if (v === null || v === undefined) continue;
    into[k] = Array.isArray(v) ? v.map(jsonScalar) : jsonScalar(v);
  }
  return into;
}
