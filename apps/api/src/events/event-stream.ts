import type { Request, Response } from 'express';
import { formatSseComment, formatSseEvent, formatSseRetry } from './sse-format';

/** Timing of one stream (defaults in request-event-hub.ts). */
export type EventStreamOptions = {
  retryMs: number;
  heartbeatMs: number;
  /** The stream ends after this long; EventSource reconnects with Last-Event-ID, so the session is re-checked. */
  maxDurationMs: number;
  /** A client this far behind (bytes queued in memory) is cut off; it resumes with Last-Event-ID. */
  maxBufferedBytes: number;
};

/** An open Server-Sent Events response. */
type EventStream = {
  readonly closed: boolean;
  send(event: string, id: number | undefined, data: unknown): void;
  close(): void;
  onClose(listener: () => void): void;
};

/**
 * Turns `res` into an SSE stream: headers that defeat caching and proxy buffering, a `retry:`
 * hint, heartbeat comments, and one close path for every cause (client gone, server stop,
 * maximum duration, slow client). Guarantees: close listeners run exactly once and no timer
 * outlives the stream.
 */
export function openEventStream(req: Request, res: Response, options: EventStreamOptions): EventStream {
  res.status(200);
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', 'no-cache, no-transform');
  res.setHeader('Connection', 'keep-alive');
  res.setHeader('X-Accel-Buffering', 'no');
  res.flushHeaders();
  req.socket.setNoDelay(true);

  let closed = false;
  const listeners: (() => void)[] = [];
  const heartbeat = setInterval(() => write(formatSseComment('heartbeat')), options.heartbeatMs);
  const deadline = setTimeout(() => stream.close(), options.maxDurationMs);
  heartbeat.unref();
  deadline.unref();

  const finish = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    clearTimeout(deadline);
    for (const listener of listeners.splice(0)) listener();
  };
  function write(chunk: string): void {
    if (closed) return;
    res.write(chunk);
    if (res.writableLength > options.maxBufferedBytes) stream.close();
  }
  // Not req 'close': since Node 16 it fires once the (empty) request body is read, not on disconnect.
  res.on('close', finish);
  // The client may have gone while the snapshot was loading: then 'close' has already fired.
  if (res.closed || res.destroyed) finish();

  const stream: EventStream = {
    get closed() {
      return closed;
    },
    send: (event, id, data) => write(formatSseEvent(event, id, data)),
    close() {
      if (closed) return;
      finish();
      res.end();
    },
    onClose(listener) {
      if (closed) listener();
      else listeners.push(listener);
    },
  };
  write(formatSseRetry(options.retryMs));
  return stream;
}
