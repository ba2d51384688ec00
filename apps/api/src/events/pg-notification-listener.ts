import pg from 'pg';
import type { Logger } from 'pino';

type NotificationListenerOptions = {
  connectionString: string;
  channel: string;
  logger: Logger;
  onNotification(payload: string): void;
  /** Called after every successful (re)connect: notifications sent while disconnected are lost. */
  onConnected(): void;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
};

/** A dedicated PostgreSQL connection that LISTENs on one channel and reconnects with backoff. */
export type NotificationListener = { readonly listening: boolean; stop(): Promise<void> };

/**
 * Starts LISTENing on `channel` over its own pg client (never a pooled one: a pool would hand
 * the LISTENing session to other queries). Any error or end schedules a reconnect with
 * exponential backoff (reset after a successful LISTEN). Guarantees: after `stop()` resolves no
 * connection is open and no timer is pending.
 */
export function startNotificationListener(options: NotificationListenerOptions): NotificationListener {
  const initial = options.initialBackoffMs ?? 250;
  const max = options.maxBackoffMs ?? 10_000;
  let backoff = initial;
  let client: pg.Client | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let listening = false;

  const scheduleReconnect = (reason: unknown) => {
    listening = false;
    const old = client;
    client = undefined;
    old?.removeAllListeners('notification');
    old?.end().catch(() => undefined);
    if (stopped || timer) return;
    options.logger.warn({ err: reason, retryInMs: backoff }, 'LISTEN terputus, menyambung ulang / LISTEN lost, reconnecting');
    timer = setTimeout(() => {
      timer = undefined;
      void connect();
    }, backoff);
    timer.unref();
    backoff = Math.min(backoff * 2, max);
  };

  const connect = async () => {
    if (stopped) return;
    const next = new pg.Client({ connectionString: options.connectionString, application_name: 'betang-api-events', keepAlive: true });
    client = next;
    next.on('error', (error) => client === next && scheduleReconnect(error));
    next.on('end', () => client === next && scheduleReconnect(new Error('connection ended')));
    next.on('notification', (message) => {
      if (message.channel === options.channel && message.payload) options.onNotification(message.payload);
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${pg.escapeIdentifier(options.channel)}`);
      if (stopped || client !== next) {
        await next.end().catch(() => undefined);
        return;
      }
      listening = true;
      backoff = initial;
      options.onConnected();
    } catch (error) {
      if (client === next) scheduleReconnect(error);
    }
  };

  void connect();
  return {
    get listening() {
      return listening;
    },
    async stop() {
      stopped = true;
      listening = false;
      if (timer) clearTimeout(timer);
      timer = undefined;
      const old = client;
      client = undefined;
      await old?.end().catch(() => undefined);
    },
  };
}
