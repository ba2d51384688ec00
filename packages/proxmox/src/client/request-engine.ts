import type { Dispatcher } from 'undici';
import { fetch } from 'undici';
import type { HttpMethod } from '../errors/pve-api-error';
import { PveApiError } from '../errors/pve-api-error';
import { PveTransportError } from '../errors/pve-transport-error';
import { abortableSleep } from '../util/abortable-sleep';
import type { PveCallListener, PveCallOutcome } from './call-event';
import { classifyFetchFailure } from './classify-fetch-failure';
import type { PveParams } from './encode-params';
import { encodeParams } from './encode-params';
import type { PveEnvelope } from './parse-response';
import { parseEnvelope, toApiError } from './parse-response';
import { toPathTemplate } from './path-template';
import { readBodyLimited, ResponseTooLargeError } from './read-body';

export type CallOptions = {
  /** Deadline for this call including GET retries; defaults to the client's timeoutMs. */
  timeoutMs?: number;
  signal?: AbortSignal;
};

export type EngineConfig = {
  origin: string;
  authorization: string;
  dispatcher: Dispatcher;
  timeoutMs: number;
  getRetries: number;
  maxResponseBytes: number;
  onCall?: PveCallListener;
};

const METHODS: ReadonlySet<string> = new Set(['GET', 'POST', 'PUT', 'DELETE']);
const RETRY_BACKOFF_MS = [100, 300, 900];

/** Normalises a method name; throws for anything outside GET/POST/PUT/DELETE. */
function toMethod(method: string): HttpMethod {
  const m = method.toUpperCase();
  if (!METHODS.has(m)) throw new TypeError(`unsupported HTTP method ${JSON.stringify(method)}`);
  return m as HttpMethod;
}

const PATH_CHARS = /^[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/;

/**
 * Builds the request URL, refusing anything that could leave `/api2/json` or smuggle a query:
 * ids reach paths through the typed proxy, which escapes only `/`.
 */
function buildUrl(origin: string, path: string): URL {
  if (!path.startsWith('/') || !PATH_CHARS.test(path)) throw new TypeError('path must start with / and contain no query, fragment or spaces (pass parameters separately)');
  const segments = path.split('/').map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      throw new TypeError('path has malformed percent-encoding');
    }
  });
  // Also inside an escaped segment (`..%2Fx`): PVE decodes it before routing.
  if (segments.some((s) => /(^|\/)\.{1,2}(\/|$)/.test(s))) {
    throw new TypeError('path must not contain dot segments');
  }
  const full = path.startsWith('/api2/json/') || path === '/api2/json' ? path : `/api2/json${path}`;
  const url = new URL(origin + full);
  if (url.origin !== origin || !(url.pathname === '/api2/json' || url.pathname.startsWith('/api2/json/'))) {
    throw new TypeError('path escapes the API root');
  }
  return url;
}

/**
 * Sends one PVE API call with a hard deadline.
 *
 * - GET/DELETE parameters go in the query string, POST/PUT in a form body (PVE's `1`/`0`
 *   booleans, repeated keys for arrays).
 * - Only GET is retried, only on network errors, at most `getRetries` times, within the
 *   same deadline. POST/PUT/DELETE are sent exactly once: a timeout or reset surfaces as a
 *   PveTransportError with `maybeApplied`, and the caller re-checks state.
 * - Every call ends: the deadline aborts the connection and the body read.
 */
export async function sendRequest(
  cfg: EngineConfig,
  methodName: string,
  path: string,
  params: PveParams | undefined,
  opts: CallOptions = {},
  templateHint?: string,
): Promise<PveEnvelope> {
  const method = toMethod(methodName);
  const pathTemplate = toPathTemplate(templateHint ?? path);
  const started = performance.now();
  const report = (outcome: PveCallOutcome, status?: number): void => {
    if (!cfg.onCall) return;
    try {
      cfg.onCall({ method, pathTemplate, outcome, ...(status === undefined ? {} : { status }), durationMs: performance.now() - started });
    } catch {
      // A metrics hook must never change the outcome of a PVE call.
    }
  };
  const timeoutMs = opts.timeoutMs ?? cfg.timeoutMs;
  if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs)) throw new TypeError('timeoutMs must be a positive finite number');
  const deadline = AbortSignal.timeout(timeoutMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, deadline]) : deadline;

  const url = buildUrl(cfg.origin, path);
  const encoded = encodeParams(params);
  const hasBody = method === 'POST' || method === 'PUT';
  if (!hasBody) encoded.forEach((v, k) => url.searchParams.append(k, v));
  const headers: Record<string, string> = { Authorization: cfg.authorization, Accept: 'application/json' };
  if (hasBody) headers['Content-Type'] = 'application/x-www-form-urlencoded';
  const body = hasBody ? encoded.toString() : undefined;

  const maxAttempts = method === 'GET' ? 1 + cfg.getRetries : 1;
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await fetch(url, { method, headers, body, dispatcher: cfg.dispatcher, signal, redirect: 'error' });
      const text = await readBodyLimited(res, cfg.maxResponseBytes);
      if (res.status < 200 || res.status >= 300) {
        report('error', res.status);
        throw toApiError(res.status, res.statusText, text, method, pathTemplate);
      }
      const env = parseEnvelope(text);
      if (!env) {
        report('network', res.status);
        throw new PveTransportError({
          kind: 'protocol', method, pathTemplate, attempts: attempt, maybeApplied: true,
          message: `${method} ${pathTemplate}: answer is not PVE's {data} JSON (HTTP ${res.status})`,
        });
      }
      report('ok', res.status);
      return env;
    } catch (err) {
      if (err instanceof PveApiError || err instanceof PveTransportError) throw err;
      if (signal.aborted) {
        const kind = opts.signal?.aborted ? 'aborted' : 'timeout';
        report('timeout');
        throw new PveTransportError({
          kind, method, pathTemplate, attempts: attempt, maybeApplied: true, cause: err,
          message: `${method} ${pathTemplate}: ${kind === 'timeout' ? `no answer within ${timeoutMs} ms` : 'aborted by caller'}`,
        });
      }
      if (err instanceof ResponseTooLargeError) {
        report('network');
        throw new PveTransportError({
          kind: 'protocol', method, pathTemplate, attempts: attempt, maybeApplied: true, cause: err,
          message: `${method} ${pathTemplate}: ${err.message}`,
        });
      }
      const f = classifyFetchFailure(err);
      if (f.kind === 'network' && attempt < maxAttempts) {
        try {
          await abortableSleep(RETRY_BACKOFF_MS[attempt - 1] ?? 900, signal);
          continue;
        } catch {
          // Deadline or abort during backoff: fall through and report the network error.
        }
      }
      report('network');
      throw new PveTransportError({
        kind: f.kind, method, pathTemplate, attempts: attempt, maybeApplied: f.maybeApplied, cause: err,
        message: `${method} ${pathTemplate}: ${f.kind === 'tls' ? 'TLS verification failed' : 'network error'} (${f.detail})`,
      });
    }
  }
}
