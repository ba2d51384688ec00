import type { Proxmox } from 'proxmox-api';
import { proxmoxApi } from 'proxmox-api';
import type { z } from 'zod';
import type { PveCallListener } from './call-event';
import { ZPveClientOptions } from './client-options.schema';
import type { PveParams } from './encode-params';
import type { PveEnvelope } from './parse-response';
import type { CallOptions, EngineConfig } from './request-engine';
import { sendRequest } from './request-engine';
import { createPinnedDispatcher } from './tls-dispatcher';

export type PveClientOptions = z.input<typeof ZPveClientOptions> & {
  /** Called once per call (after GET retries) with its outcome; exceptions are ignored. */
  onCall?: PveCallListener;
};

/** The typed proxmox-api proxy (paths as properties, `$()` for ids, `$get/$post/…`). */
export type PveApi = Proxmox.Api;

export type PveClient = {
  /** Typed proxy using the client's default timeout. */
  readonly api: PveApi;
  /** Typed proxy whose calls use these options (deadline, AbortSignal). */
  apiWith(opts: CallOptions): PveApi;
  /** Low-level call; resolves to the envelope's `data`. */
  request<T = unknown>(method: string, path: string, params?: PveParams, opts?: CallOptions): Promise<T>;
  /** Low-level call keeping the whole envelope (`total` of task logs and lists). */
  requestEnvelope(method: string, path: string, params?: PveParams, opts?: CallOptions): Promise<PveEnvelope>;
  readonly baseUrl: string;
  /** Closes pooled connections. */
  close(): Promise<void>;
};

/**
 * Creates the only sanctioned way to call Proxmox VE from Betang: token auth, pinned TLS
 * (CA or fingerprint; never disabled), a deadline on every call, structured errors, GET-only
 * retries on network errors, and an `onCall` metrics hook. Throws a zod error for invalid
 * options before opening any connection.
 */
export function createPveClient(options: PveClientOptions): PveClient {
  const o = ZPveClientOptions.parse(options);
  const origin = new URL(o.baseUrl).origin;
  const dispatcher = createPinnedDispatcher(
    { ...(o.ca ? { ca: o.ca } : {}), ...(o.fingerprint ? { fingerprint: o.fingerprint } : {}) },
    Math.min(o.timeoutMs, 10_000),
  );
  const cfg: EngineConfig = {
    origin,
    authorization: `PVEAPIToken=${o.tokenId}=${o.tokenSecret}`,
    dispatcher,
    timeoutMs: o.timeoutMs,
    getRetries: o.getRetries,
    maxResponseBytes: o.maxResponseBytes,
    ...(options.onCall ? { onCall: options.onCall } : {}),
  };
  const apiWith = (opts: CallOptions): PveApi =>
    proxmoxApi({
      // proxmox-api's hook; its params are untyped by design (the proxy's generated types check them).
      doRequest: async (method: string, path: string, pathTemplate: string, params?: Record<string, unknown>) =>
        (await sendRequest(cfg, method, path, params as PveParams | undefined, opts, pathTemplate)).data,
    });
  return {
    api: apiWith({}),
    apiWith,
    request: async <T>(method: string, path: string, params?: PveParams, opts?: CallOptions) =>
      (await sendRequest(cfg, method, path, params, opts)).data as T,
    requestEnvelope: (method, path, params, opts) => sendRequest(cfg, method, path, params, opts),
    baseUrl: origin,
    close: () => dispatcher.close(),
  };
}
