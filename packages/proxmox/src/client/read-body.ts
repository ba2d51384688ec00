import type { Response } from 'undici';

/** The answer exceeded the client's size limit. */
export class ResponseTooLargeError extends Error {
  override readonly name = 'ResponseTooLargeError';
}

/**
 * Reads a response body as UTF-8 text, refusing bodies larger than `maxBytes` so a broken or
 * hostile endpoint cannot exhaust memory. Honours the fetch's AbortSignal (undici aborts the
 * stream).
 */
export async function readBodyLimited(res: Response, maxBytes: number): Promise<string> {
  if (!res.body) return '';
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body.cancel().catch(() => undefined);
    throw new ResponseTooLargeError(`response body too large (${declared} bytes)`);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of res.body) {
    total += chunk.byteLength;
    if (total > maxBytes) throw new ResponseTooLargeError(`response body too large (> ${maxBytes} bytes)`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
