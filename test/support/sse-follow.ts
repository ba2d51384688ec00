import http from 'node:http';

export type SseEvent = { id: number | undefined; event: string; data: string };

export type SseStream = {
  /** Response headers (known once the stream opened). */
  headers: http.IncomingHttpHeaders;
  status: number;
  events: SseEvent[];
  /** Resolves when the server or the network ended the stream (or `close()` did). */
  ended: Promise<void>;
  close(): void;
};

/**
 * Follows a Server-Sent Events stream over plain HTTP, collecting each event (comments and
 * `retry:` lines are skipped). Resolves once the response headers arrived; rejects when the
 * connection fails before them.
 */
export function followSse(url: string, headers: Record<string, string>): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      const events: SseEvent[] = [];
      let buffer = '';
      let endedResolve = () => {};
      const ended = new Promise<void>((r) => (endedResolve = r));
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        for (let cut = buffer.indexOf('\n\n'); cut >= 0; cut = buffer.indexOf('\n\n')) {
          const frame = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          let id: number | undefined;
          let event = 'message';
          const data: string[] = [];
          for (const line of frame.split('\n')) {
            if (line.startsWith('id: ')) id = Number(line.slice(4));
            else if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          if (data.length > 0) events.push({ id, event, data: data.join('\n') });
        }
      });
      res.on('close', endedResolve);
      res.on('error', endedResolve);
      resolve({ headers: res.headers, status: res.statusCode ?? 0, events, ended, close: () => req.destroy() });
    });
    req.on('error', reject);
  });
}
