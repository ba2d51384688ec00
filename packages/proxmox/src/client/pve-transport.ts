import type { PveParams } from './encode-params';
import type { PveEnvelope } from './parse-response';
import type { CallOptions } from './request-engine';

/**
 * The calls a PVE client sends: what the VM client and the task helpers need of a PveClient.
 * Paths are relative to /api2/json; answers are unparsed (callers parse them with zod).
 */
export type PveTransport = {
  /** Low-level call; resolves to the envelope's `data`. */
  request<T = unknown>(method: string, path: string, params?: PveParams, opts?: CallOptions): Promise<T>;
  /** Low-level call keeping the whole envelope (`total` of task logs and lists). */
  requestEnvelope(method: string, path: string, params?: PveParams, opts?: CallOptions): Promise<PveEnvelope>;
};
