import type { HttpMethod } from '../errors/pve-api-error';

/**
 * Outcome of one client call (after any GET retries):
 * `ok` (2xx), `error` (PVE answered non-2xx), `timeout` (deadline passed or caller aborted),
 * `network` (no usable answer: connection, TLS pin, malformed body).
 */
export type PveCallOutcome = 'ok' | 'error' | 'timeout' | 'network';

export type PveCallEvent = {
  method: HttpMethod;
  pathTemplate: string;
  outcome: PveCallOutcome;
  status?: number;
  durationMs: number;
  /** The API endpoint (origin) that answered, or the last one tried. */
  endpoint?: string;
};

export type PveCallListener = (event: PveCallEvent) => void;
