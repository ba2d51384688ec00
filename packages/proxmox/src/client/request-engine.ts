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

/** One API address of the cluster with its own pinned TLS agent. */
export type Endpoint = { origin: string; dispatcher: Dispatcher };

export type EngineConfig = {
  /** The cluster's API addresses, in the operator's order (at least one). */
  endpoints: readonly Endpoint[];
  /** Index of the endpoint that last answered: every call starts there. Shared by all calls. */
  state: { preferred: number };
  authorization: string;
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
  if (!path.startsWith('/') || !PATH_CHARS.test(path))
    throw new TypeError('path must start with / and contain no query, fragment or spaces (pass parameters separately)');
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

type Failure = { endpoint: string; detail: string };

/**
 * Sends one PVE API call with a hard deadline, failing over between the cluster's endpoints.
 *
 * - GET/DELETE parameters go in the query string, POST/PUT in a form body (PVE's `1`/`0`
 *   booleans, repeated keys for arrays).
 * - Every call starts at the endpoint that last answered. A request that certainly never left
 *   (connection refused, connect timeout, DNS, TLS pin rejected before any byte was written) is
 *   tried on the next endpoint, for every method.
 * - A GET is also tried on the next endpoint after any other network failure, and rounds over
 *   all endpoints are repeated at most `getRetries` times with backoff, within the same deadline.
 * - POST/PUT/DELETE that may have reached a server are never re-sent, on any endpoint: a timeout
 *   or reset surfaces as a PveTransportError with `maybeApplied`, and the caller re-checks state.
 * - When no endpoint answers, the error names each endpoint and why it failed.
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
  let endpoint = cfg.endpoints[cfg.state.preferred] ?? cfg.endpoints[0];
  if (!endpoint) throw new TypeError('no PVE endpoint configured');
  const report = (outcome: PveCallOutcome, status?: number): void => {
    if (!cfg.onCall) return;
    try {
      cfg.onCall({
        method,
        pathTemplate,
        outcome,
        ...(status === undefined ? {} : { status }),
        durationMs: performance.now() - started,
        endpoint: endpoint?.origin ?? '',
      });
    } catch {
      // A metrics hook must never change the outcome of a PVE call.
    }
  };
  const timeoutMs = opts.timeoutMs ?? cfg.timeoutMs;
  if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs)) throw new TypeError('timeoutMs must be a positive finite number');
  const deadline = AbortSignal.timeout(timeoutMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, deadline]) : deadline;

  const relative = buildUrl(endpoint.origin, path);
  const encoded = encodeParams(params);
  const hasBody = method === 'POST' || method === 'PUT';
  if (!hasBody) encoded.forEach((v, k) => relative.searchParams.append(k, v));
  const target = `${relative.pathname}${relative.search}`;
  const headers: Record<string, string> = { Authorization: cfg.authorization, Accept: 'application/json' };
  if (hasBody) headers['Content-Type'] = 'application/x-www-form-urlencoded';
  const body = hasBody ? encoded.toString() : undefined;

  const count = cfg.endpoints.length;
  const first = cfg.endpoints.indexOf(endpoint);
  const rounds = method === 'GET' ? 1 + cfg.getRetries : 1;
  const failures: Failure[] = [];
  let attempts = 0;
  let anySent = false;
  for (let round = 1; ; round++) {
    for (let step = 0; step < count; step++) {
      const index = (first + step) % count;
      endpoint = cfg.endpoints[index] as Endpoint;
      attempts++;
      try {
        const res = await fetch(new URL(target, endpoint.origin), {
          method,
          headers,
          body,
          dispatcher: endpoint.dispatcher,
          signal,
          redirect: 'error',
        });
        const text = await readBodyLimited(res, cfg.maxResponseBytes);
        // Any HTTP answer means this endpoint's pveproxy is up: start there next time.
        cfg.state.preferred = index;
        if (res.status < 200 || res.status >= 300) {
          report('error', res.status);
          throw toApiError(res.status, res.statusText, text, method, pathTemplate);
        }
        const env = parseEnvelope(text);
        if (!env) {
          report('network', res.status);
          throw new PveTransportError({
            kind: 'protocol',
            method,
            pathTemplate,
            attempts,
            maybeApplied: true,
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
            kind,
            method,
            pathTemplate,
            attempts,
            maybeApplied: true,
            cause: err,
            message: `${method} ${pathTemplate}: ${kind === 'timeout' ? `no answer within ${timeoutMs} ms` : 'aborted by caller'}`,
          });
        }
        if (err instanceof ResponseTooLargeError) {
          report('network');
          throw new PveTransportError({
            kind: 'protocol',
            method,
            pathTemplate,
            attempts,
            maybeApplied: true,
            cause: err,
            message: `${method} ${pathTemplate}: ${err.message}`,
          });
        }
        const f = classifyFetchFailure(err);
        anySent ||= f.maybeApplied;
        failures.push({ endpoint: endpoint.origin, detail: `${f.kind === 'tls' ? 'TLS' : 'network'}: ${f.detail}` });
        // A request that may have reached PVE is re-sent only when it reads (GET).
        const mayContinue = !f.maybeApplied || method === 'GET';
        if (!mayContinue) {
          report('network');
          throw new PveTransportError({
            kind: f.kind,
            method,
            pathTemplate,
            attempts,
            maybeApplied: true,
            cause: err,
            message: `${method} ${pathTemplate}: network error${count > 1 ? ` at ${endpoint.origin}` : ''} (${f.detail})`,
          });
        }
        if (step + 1 < count) continue;
        if (round < rounds) {
          try {
            await abortableSleep(RETRY_BACKOFF_MS[round - 1] ?? 900, signal);
            break;
          } catch {
            // Deadline or abort during backoff: fall through and report what was seen.
          }
        }
        report('network');
        throw new PveTransportError({
          kind: f.kind,
          method,
          pathTemplate,
          attempts,
          maybeApplied: anySent,
          cause: err,
          message:
            count > 1
              ? `${method} ${pathTemplate}: no API endpoint answered: ${lastPerEndpoint(failures)
                  .map((x) => `${x.endpoint} (${x.detail})`)
                  .join('; ')}`
              : `${method} ${pathTemplate}: ${f.kind === 'tls' ? 'TLS verification failed' : 'network error'} (${f.detail})`,
          endpoints: lastPerEndpoint(failures),
        });
      }
    }
  }
}

/** The last failure seen at each endpoint, in the order they were first tried. */
function lastPerEndpoint(failures: readonly Failure[]): Failure[] {
  const last = new Map<string, Failure>();
  for (const f of failures) last.set(f.endpoint, f);
  return [...last.values()];
}
