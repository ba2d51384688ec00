import { REQUEST_EVENT_KINDS, ZRequestEvent, type RequestEvent } from '@betang/core';

/** Connection state of a live stream, for the "live / reconnecting" indicator. */
export type StreamState = 'connecting' | 'live' | 'reconnecting';

type RequestEventHandlers = { onEvent(event: RequestEvent): void; onState(state: StreamState): void };

/** How long to wait before reopening a stream the server refused (the browser gives up on non-200). */
const REOPEN_MS = 5_000;

/**
 * Follows GET /vps-requests/:id/events (docs/live-status.md): a snapshot first, then every
 * change. EventSource reconnects by itself with Last-Event-ID (the server resumes without
 * loss); when the server refused the stream (the browser then stops), it is reopened here with
 * ?lastEventId= after a pause. Messages that fail the contract are dropped. Returns close().
 */
export function openRequestEvents(requestId: string, handlers: RequestEventHandlers): () => void {
  return followStream(`/api/v1/vps-requests/${encodeURIComponent(requestId)}/events`, handlers);
}

/**
 * Follows GET /vms/events: the power state, runs, addresses and request status of every VM the
 * user may see (no snapshot: read GET /vms when `onState('live')` says the stream is open, since
 * events may have been missed while it was not). Same reconnection as openRequestEvents. Returns close().
 */
export function openVmEvents(handlers: RequestEventHandlers): () => void {
  return followStream('/api/v1/vms/events', handlers);
}

function followStream(base: string, handlers: RequestEventHandlers): () => void {
  let source: EventSource | undefined;
  let lastId: number | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  const onMessage = (message: MessageEvent<string>) => {
    let json: unknown;
    try {
      json = JSON.parse(message.data);
    } catch {
      return;
    }
    const parsed = ZRequestEvent.safeParse(json);
    if (!parsed.success) return;
    lastId = parsed.data.id;
    handlers.onEvent(parsed.data);
  };

  const open = () => {
    if (closed) return;
    source = new EventSource(lastId === undefined ? base : `${base}?lastEventId=${lastId}`, { withCredentials: true });
    for (const kind of REQUEST_EVENT_KINDS) source.addEventListener(kind, onMessage as EventListener);
    source.onopen = () => handlers.onState('live');
    source.onerror = () => {
      handlers.onState('reconnecting');
      if (source?.readyState === EventSource.CLOSED) {
        source.close();
        timer = setTimeout(open, REOPEN_MS);
      }
    };
  };

  handlers.onState('connecting');
  open();
  return () => {
    closed = true;
    if (timer) clearTimeout(timer);
    source?.close();
  };
}
