import { TEST_PASSWORD } from '@betang/testkit';

/** One parsed Server-Sent Event (or comment) as a browser's EventSource would see it. */
export type SseMessage = { event: string; id?: string; data: string; retry?: number; comment?: string };

/** A live SSE response read over real HTTP (fetch/undici). */
export type SseClient = {
  status: number;
  headers: Headers;
  messages: SseMessage[];
  /** Resolves with the first `count` messages matching `filter` (already received ones count), or rejects after `timeoutMs`. */
  waitFor(filter: (m: SseMessage) => boolean, count?: number, timeoutMs?: number): Promise<SseMessage[]>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
};

/** Signs in over HTTP and returns the session cookie header. */
export async function loginCookie(baseUrl: string, email: string, password = TEST_PASSWORD): Promise<string> {
  const response = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (response.status !== 200) throw new Error(`sign-in of ${email} failed: ${response.status}`);
  return response.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
}

function parseBlock(block: string): SseMessage | undefined {
  const message: SseMessage = { event: 'message', data: '' };
  const data: string[] = [];
  let seen = false;
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) {
      message.comment = line.slice(1).trim();
      seen = true;
      continue;
    }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    seen = true;
    if (field === 'event') message.event = value;
    else if (field === 'id') message.id = value;
    else if (field === 'data') data.push(value);
    else if (field === 'retry') message.retry = Number(value);
  }
  message.data = data.join('\n');
  return seen ? message : undefined;
}

/** Opens `path` as an event stream and parses it as it arrives. */
export async function openSse(baseUrl: string, path: string, cookie: string, headers: Record<string, string> = {}): Promise<SseClient> {
  const controller = new AbortController();
  const response = await fetch(`${baseUrl}${path}`, {
    headers: { cookie, accept: 'text/event-stream', ...headers },
    signal: controller.signal,
  });
  const messages: SseMessage[] = [];
  const waiters = new Set<() => void>();
  const notify = () => waiters.forEach((w) => w());
  const ended = (async () => {
    if (!response.body) return;
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const parsed = parseBlock(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          if (parsed) messages.push(parsed);
        }
        notify();
      }
    } catch {
      // aborted by close(): the stream simply ends
    }
  })();
  const waitFor: SseClient['waitFor'] = (filter, count = 1, timeoutMs = 5000) =>
    new Promise((resolve, reject) => {
      const check = () => {
        const found = messages.filter(filter);
        if (found.length < count) return;
        cleanup();
        resolve(found.slice(0, count));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new Error(
            `timed out waiting for ${count} SSE messages; got ${JSON.stringify(messages.filter((m) => !m.comment).map((m) => [m.event, m.id]))}`,
          ),
        );
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });
  return { status: response.status, headers: response.headers, messages, waitFor, ended, close: () => controller.abort() };
}
