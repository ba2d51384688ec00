/** The SSE frame of one event: `event`, `id` (optional) and one `data` line of JSON. */
export function formatSseEvent(event: string, id: number | undefined, data: unknown): string {
  // JSON.stringify escapes every newline, so the payload is always exactly one `data:` line.
  const json = JSON.stringify(data);
  return `event: ${event}\n${id === undefined ? '' : `id: ${id}\n`}data: ${json}\n\n`;
}

/** An SSE comment line (ignored by EventSource; keeps proxies and idle timers from closing the stream). */
export function formatSseComment(text: string): string {
  return `: ${text.replace(/[\r\n]+/g, ' ')}\n\n`;
}

/** The reconnection delay hint EventSource honours. */
export function formatSseRetry(ms: number): string {
  return `retry: ${Math.max(0, Math.floor(ms))}\n\n`;
}

/** Largest event id accepted from a client (ids are bigint identities; beyond 2^53 we would lose precision). */
const MAX_EVENT_ID = Number.MAX_SAFE_INTEGER;

/**
 * Reads a resume position from `Last-Event-ID` (or `?lastEventId=`). Guarantees: returns a
 * non-negative safe integer, `undefined` when nothing was sent, or `null` when the value is not
 * a plain decimal event id (the caller answers 400; nothing hostile reaches SQL).
 */
export function parseLastEventId(value: string | undefined): number | undefined | null {
  if (value === undefined || value.trim() === '') return undefined;
  const text = value.trim();
  if (!/^\d{1,16}$/.test(text)) return null;
  const id = Number(text);
  return id <= MAX_EVENT_ID ? id : null;
}
