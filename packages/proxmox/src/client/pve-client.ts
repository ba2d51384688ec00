import type { z } from 'zod';
import type { VmClient } from '../vm/vm-client';
import { vmClient } from '../vm/vm-client';
import type { PveCallListener } from './call-event';
import { ZPveClientOptions } from './client-options.schema';
import type { PveParams } from './encode-params';
import type { CallOptions, Endpoint, EngineConfig } from './request-engine';
import { sendRequest } from './request-engine';
import type { PveTransport } from './pve-transport';
import { createPinnedDispatcher } from './tls-dispatcher';
import type { Termproxy, VncWebsocketTarget } from '../vm/vm-console';
import { vncWebsocketUrl } from '../vm/vm-console';

export type PveClientOptions = z.input<typeof ZPveClientOptions> & {
  /** Called once per call (after GET retries) with its outcome; exceptions are ignored. */
  onCall?: PveCallListener;
};

export type PveClient = PveTransport & {
  /** The client of one VM on one node: one method per operation, answers parsed. */
  vm(node: string, vmid: number): VmClient;
  /** The first endpoint's origin. */
  readonly baseUrl: string;
  /** Every endpoint's origin, in the configured order. */
  readonly endpoints: readonly string[];
  /**
   * Where to open the console websocket for a termproxy answer: on the endpoint currently
   * preferred (pveproxy forwards to the VM's node), with this client's token and TLS pin.
   */
  vncWebsocket(node: string, vmid: number, tp: Pick<Termproxy, 'port' | 'ticket'>): VncWebsocketTarget;
  /** Closes pooled connections. */
  close(): Promise<void>;
};

/**
 * Creates the only sanctioned way to call Proxmox VE from Betang: token auth, pinned TLS
 * (CA or fingerprint, per endpoint; never disabled), a deadline on every call, failover between
 * the cluster's API endpoints that never re-sends a write which may have arrived, structured
 * errors, GET-only retries on network errors, and an `onCall` metrics hook. Throws a zod error for invalid
 * options before opening any connection.
 */
export function createPveClient(options: PveClientOptions): PveClient {
  const o = ZPveClientOptions.parse(options);
  const origins = (Array.isArray(o.baseUrl) ? o.baseUrl : [o.baseUrl]).map((u) => new URL(u).origin);
  const fingerprints = o.fingerprint === undefined ? [] : Array.isArray(o.fingerprint) ? o.fingerprint : [o.fingerprint];
  const endpoints: Endpoint[] = origins.map((origin, i) => {
    const fingerprint = fingerprints.length > 1 ? fingerprints[i] : fingerprints[0];
    return {
      origin,
      dispatcher: createPinnedDispatcher(
        { ...(o.ca ? { ca: o.ca } : {}), ...(fingerprint ? { fingerprint } : {}) },
        Math.min(o.timeoutMs, 10_000),
      ),
    };
  });
  const cfg: EngineConfig = {
    endpoints,
    state: { preferred: 0 },
    authorization: `PVEAPIToken=${o.tokenId}=${o.tokenSecret}`,
    timeoutMs: o.timeoutMs,
    getRetries: o.getRetries,
    maxResponseBytes: o.maxResponseBytes,
    ...(options.onCall ? { onCall: options.onCall } : {}),
  };
  const client: PveClient = {
    vm: (node, vmid) => vmClient(client, node, vmid),
    request: async <T>(method: string, path: string, params?: PveParams, opts?: CallOptions) =>
      (await sendRequest(cfg, method, path, params, opts)).data as T,
    requestEnvelope: (method, path, params, opts) => sendRequest(cfg, method, path, params, opts),
    vncWebsocket: (node, vmid, tp) => {
      const i = cfg.state.preferred;
      const fingerprint = fingerprints.length > 1 ? fingerprints[i] : fingerprints[0];
      return {
        url: vncWebsocketUrl(origins[i] ?? (origins[0] as string), node, vmid, tp),
        headers: { Authorization: cfg.authorization },
        protocols: ['binary'],
        tls: { ...(o.ca ? { ca: o.ca } : {}), ...(fingerprint ? { fingerprint } : {}) },
      };
    },
    baseUrl: origins[0] as string,
    endpoints: origins,
    close: async () => {
      await Promise.all(endpoints.map((e) => e.dispatcher.close()));
    },
  };
  return client;
}
