import { request } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';

/** A raw HTTP answer, for asserting the wire contract (status, reason phrase, headers, body text). */
export interface RawResponse {
  status: number;
  reason: string;
  headers: IncomingHttpHeaders;
  text: string;
  /** Parsed JSON body, or undefined when empty / not JSON. */
  body: { data?: unknown; errors?: Record<string, string>; message?: string; total?: number } | undefined;
}

/** Target + credentials of a simulator. */
export interface RawTarget {
  url: string;
  caPem: string;
  tokenId?: string;
  tokenSecret?: string;
}

export type RawParamValue = string | number | boolean | string[];

/** Form encoding like PVE clients: booleans 1/0, arrays as repeated keys. */
export function formEncode(params: Record<string, RawParamValue | undefined>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const x of v) u.append(k, x);
    else u.append(k, typeof v === 'boolean' ? (v ? '1' : '0') : String(v));
  }
  return u.toString();
}

/**
 * Sends one request to `/api2/json<path>` (or a raw path starting with `/_sim`), trusting only
 * the simulator's CA. Token auth unless `headers.authorization`/cookie are given explicitly.
 */
export function rawRequest(
  t: RawTarget,
  method: string,
  path: string,
  opts: {
    form?: Record<string, RawParamValue | undefined>;
    json?: unknown;
    rawBody?: string;
    headers?: Record<string, string>;
    noAuth?: boolean;
  } = {},
): Promise<RawResponse> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (!opts.noAuth && !headers.authorization && !headers.cookie && t.tokenId) {
    headers.authorization = `PVEAPIToken=${t.tokenId}=${t.tokenSecret ?? ''}`;
  }
  let body: string | undefined;
  let fullPath = path.startsWith('/_sim') ? path : `/api2/json${path}`;
  if (opts.json !== undefined) {
    body = JSON.stringify(opts.json);
    headers['content-type'] = 'application/json';
  } else if (opts.rawBody !== undefined) {
    body = opts.rawBody;
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
  } else if (opts.form) {
    const enc = formEncode(opts.form);
    if (method === 'GET' || method === 'DELETE') fullPath += enc ? `?${enc}` : '';
    else {
      body = enc;
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
  }
  const u = new URL(t.url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: u.hostname.replace(/^\[|\]$/g, ''), port: u.port, method, path: fullPath, headers, ca: t.caPem, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: RawResponse['body'];
          try {
            parsed = text ? (JSON.parse(text) as RawResponse['body']) : undefined;
          } catch {
            parsed = undefined;
          }
          resolve({ status: res.statusCode ?? 0, reason: res.statusMessage ?? '', headers: res.headers, text, body: parsed });
        });
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}
