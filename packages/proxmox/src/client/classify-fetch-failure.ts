import type { TransportFailure } from '../errors/pve-transport-error';

// Codes meaning the request never left this machine or was refused before any byte was read.
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_PVE_TLS_PIN_MISMATCH',
]);
const TLS_CODE = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL|PIN_MISMATCH/;

function codeOf(err: unknown): string | undefined {
  const seen = new Set<unknown>();
  let cur: unknown = err;
  while (typeof cur === 'object' && cur !== null && !seen.has(cur)) {
    seen.add(cur);
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_SOCKET' && code !== 'ABORT_ERR') return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Maps an undici fetch rejection (not caused by our own timeout/abort) to a transport
 * failure kind and whether the request may have reached PVE.
 */
export function classifyFetchFailure(err: unknown): { kind: TransportFailure; maybeApplied: boolean; detail: string } {
  const code = codeOf(err);
  const detail = code ?? (err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err));
  if (code && TLS_CODE.test(code)) return { kind: 'tls', maybeApplied: false, detail };
  return { kind: 'network', maybeApplied: !(code && NOT_SENT_CODES.has(code)), detail };
}
