import type { ServerResponse } from 'node:http';
import type { Flavour } from '../options';
import type { PveError } from './pve-error';

const JSON_CT = 'application/json;charset=UTF-8';

function headers(len: number, withType: boolean): Record<string, string | number> {
  const h: Record<string, string | number> = {
    'Cache-Control': 'max-age=0',
    Pragma: 'no-cache',
    Expires: new Date().toUTCString(),
    Server: 'pve-api-daemon/3.0',
    'Content-Length': len,
  };
  if (withType) h['Content-Type'] = JSON_CT;
  return h;
}

/** Reason phrases must be Latin-1 without control characters; PVE sends the first line only. */
function reasonPhrase(message: string): string {
  const first = message.split('\n')[0] ?? '';
  return first.replace(/[^\t\x20-\x7e\x80-\xff]/g, '?');
}

/** 200 with `{data, ...extra}` and the exact content type PVE uses (never normalised). */
export function sendData(res: ServerResponse, data: unknown, extra: Record<string, unknown> = {}): void {
  const body = Buffer.from(JSON.stringify({ data: data === undefined ? null : data, ...extra }));
  res.writeHead(200, 'OK', headers(body.length, true));
  res.end(body);
}

/**
 * Writes an error as pveproxy does: reason phrase = first line; body `{data:null}` plus
 * `errors` (400) and, on pve9 (http-server ≥ 5.2.0), `message` with a trailing newline.
 */
export function sendError(res: ServerResponse, err: PveError, flavour: Flavour): void {
  if (err.emptyBody) {
    res.writeHead(err.status, reasonPhrase(err.message), headers(0, false));
    res.end();
    return;
  }
  const payload: Record<string, unknown> = { data: null };
  if (err.errors) {
    payload.errors = Object.fromEntries(Object.entries(err.errors).map(([k, v]) => [k, `${v}\n`]));
  }
  if (flavour === 'pve9') payload.message = `${err.message}\n`;
  const body = Buffer.from(JSON.stringify(payload));
  res.writeHead(err.status, reasonPhrase(err.message), headers(body.length, true));
  res.end(body);
}
