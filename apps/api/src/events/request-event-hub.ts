import { AppError, ErrorCode } from '@betang/core';
import {
  latestEventId,
  listRequestEventsAfter,
  listScopedEventsAfter,
  requestsWithEventsBetween,
  type Db,
  type RequestEventRow,
} from '@betang/db';
import type { Logger } from 'pino';
import type { EventStreamOptions } from './event-stream';
import { startNotificationListener, type NotificationListener } from './pg-notification-listener';

/** The NOTIFY channel the database triggers use (migration 20261127T2300_request_events). */
const REQUEST_EVENTS_CHANNEL = 'betang_request_events';

export type RequestEventHubOptions = {
  db: Db;
  logger: Logger;
  /** Where the dedicated LISTEN connection goes; without it the hub only polls. */
  connectionString?: string;
  pollIntervalMs?: number;
  maxStreamsPerUser?: number;
  /** Rows fetched per query while catching a stream up. */
  batchSize?: number;
  stream?: Partial<EventStreamOptions>;
};

/** Where the hub delivers a request's events (an SSE stream, in production). */
type EventSink = { readonly closed: boolean; deliver(event: RequestEventRow): void; close(): void };

/** A place for one stream under the per-user cap; release it exactly when the stream ends. */
type StreamTicket = { release(): void };

type Subscriber = { sink: EventSink; lastId: number; ticket: StreamTicket };
/**
 * What a topic follows: one request's events, or (scope) the events of some kinds of one
 * institution's requests (null: all institutions), for screens that list many VMs at once.
 */
type TopicSource = { requestId: string } | { institutionId: string | null; kinds: readonly string[] };
type Topic = { key: string; source: TopicSource; subscribers: Set<Subscriber>; pumping: boolean; again: boolean };

const scopeKey = (institutionId: string | null, kinds: readonly string[]) => `scope:${institutionId ?? '*'}:${kinds.join(',')}`;

/** Counts for tests and /metrics-style introspection. */
type HubStats = { streams: number; topics: number; users: number; listening: boolean; polling: boolean };

const DEFAULTS = { pollIntervalMs: 1000, maxStreamsPerUser: 10, batchSize: 500 };
/** Stream timing defaults: heartbeat 15 s, reconnect hint 3 s, 15 min per stream, 1 MiB queued at most. */
const STREAM_DEFAULTS: EventStreamOptions = { retryMs: 3000, heartbeatMs: 15_000, maxDurationMs: 15 * 60_000, maxBufferedBytes: 1 << 20 };

/**
 * Fans request events out to the SSE streams of this process. One LISTEN connection (started
 * with the first stream) wakes the streams of the notified request; a poll every second wakes
 * the requests whose events it finds, so a lost notification (or a database whose NOTIFY does
 * not cross connections, like the embedded PGlite) delays an event by at most one interval.
 * Guarantees: each stream receives every event with id > its starting position exactly once,
 * in id order (= commit order, see the migration), whatever wakes it and however often.
 */
export class RequestEventHub {
  readonly streamOptions: EventStreamOptions;
  private readonly options: Required<Omit<RequestEventHubOptions, 'connectionString' | 'stream'>> & { connectionString?: string };
  private readonly topics = new Map<string, Topic>();
  private readonly perUser = new Map<string, number>();
  private readonly pumps = new Set<Promise<void>>();
  private listener: NotificationListener | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private horizon: number | undefined;
  private stopped = false;
  private readonly stopHooks = new Set<() => void>();
  private readonly deliveryHooks = new Set<(requestId: string) => void>();

  constructor(options: RequestEventHubOptions) {
    this.options = { ...DEFAULTS, ...options };
    this.streamOptions = { ...STREAM_DEFAULTS, ...options.stream };
  }

  /** Reserves a stream for `userId`; throws 429 (RateLimited) when the user already has the maximum open here. */
  admit(userId: string): StreamTicket {
    if (this.stopped) throw new AppError(ErrorCode.ServiceUnavailable);
    const open = this.perUser.get(userId) ?? 0;
    if (open >= this.options.maxStreamsPerUser)
      throw new AppError(ErrorCode.RateLimited, {
        id: `Terlalu banyak aliran status terbuka (maksimal ${this.options.maxStreamsPerUser}). Tutup tab lain lalu coba lagi.`,
        en: `Too many open status streams (at most ${this.options.maxStreamsPerUser}). Close other tabs and try again.`,
      });
    this.perUser.set(userId, open + 1);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        const left = (this.perUser.get(userId) ?? 1) - 1;
        if (left > 0) this.perUser.set(userId, left);
        else this.perUser.delete(userId);
      },
    };
  }

  /**
   * Delivers `requestId`'s events after `afterId` to `sink` until it closes (call `unsubscribe`
   * from the sink's close path). Catch-up starts at once.
   */
  subscribe(requestId: string, afterId: number, sink: EventSink, ticket: StreamTicket): () => void {
    return this.attach(requestId, { requestId }, afterId, sink, ticket);
  }

  /**
   * Delivers the events of `kinds` of every request of `institutionId` (null: of all
   * institutions) after `afterId` to `sink`, with the same guarantees as `subscribe`: every
   * matching event exactly once, in id order. The caller decides the scope (tenancy).
   */
  subscribeScope(
    institutionId: string | null,
    kinds: readonly string[],
    afterId: number,
    sink: EventSink,
    ticket: StreamTicket,
  ): () => void {
    return this.attach(scopeKey(institutionId, kinds), { institutionId, kinds }, afterId, sink, ticket);
  }

  private attach(key: string, source: TopicSource, afterId: number, sink: EventSink, ticket: StreamTicket): () => void {
    let topic = this.topics.get(key);
    if (!topic) {
      topic = { key, source, subscribers: new Set(), pumping: false, again: false };
      this.topics.set(key, topic);
    }
    const subscriber: Subscriber = { sink, lastId: afterId, ticket };
    topic.subscribers.add(subscriber);
    this.ensureRunning();
    this.wakeTopic(key);
    const owner = topic;
    return () => {
      ticket.release();
      owner.subscribers.delete(subscriber);
      if (owner.subscribers.size === 0 && this.topics.get(key) === owner) this.topics.delete(key);
      if (this.topics.size === 0) this.stopPolling();
    };
  }

  /**
   * Catches up every stream of `requestId` (a notification arrived, or the poll saw new events),
   * and every scope stream: which institution the request belongs to is the scope's query to answer.
   */
  wake(requestId: string): void {
    this.wakeTopic(requestId);
    for (const topic of this.topics.values()) if (!('requestId' in topic.source)) this.wakeTopic(topic.key);
  }

  private wakeTopic(key: string): void {
    const topic = this.topics.get(key);
    if (!topic || this.stopped) return;
    if (topic.pumping) {
      topic.again = true;
      return;
    }
    const pump = this.pump(topic).finally(() => this.pumps.delete(pump));
    this.pumps.add(pump);
  }

  /**
   * Runs `close` when the hub stops, for streams of other kinds (the operators' dashboard) that
   * must end with the request streams so the server can close; returns the unregister function.
   */
  whenStopping(close: () => void): () => void {
    if (this.stopped) {
      close();
      return () => undefined;
    }
    this.stopHooks.add(close);
    return () => this.stopHooks.delete(close);
  }

  /**
   * Runs `hook` with a request's id before any of its events reaches a stream of this process
   * (the status-read cache drops its entry there, so a client that saw an event and then reads
   * the request from the same instance reads it fresh). Returns the unregister function.
   */
  beforeDelivery(hook: (requestId: string) => void): () => void {
    this.deliveryHooks.add(hook);
    return () => this.deliveryHooks.delete(hook);
  }

  stats(): HubStats {
    let streams = 0;
    for (const topic of this.topics.values()) streams += topic.subscribers.size;
    return {
      streams,
      topics: this.topics.size,
      users: this.perUser.size,
      listening: this.listener?.listening ?? false,
      polling: this.pollTimer !== undefined,
    };
  }

  /** Ends every stream, the LISTEN connection and the poll. Guarantees: no query runs after it resolves. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopPolling();
    for (const close of [...this.stopHooks]) close();
    this.stopHooks.clear();
    for (const topic of [...this.topics.values()]) for (const s of [...topic.subscribers]) s.sink.close();
    this.topics.clear();
    await Promise.all([this.listener?.stop(), ...this.pumps]);
    this.listener = undefined;
  }

  private async pump(topic: Topic): Promise<void> {
    topic.pumping = true;
    try {
      do {
        topic.again = false;
        await this.catchUp(topic);
      } while (topic.again && !this.stopped);
    } catch (error) {
      // The next notification or poll retries from the same positions: nothing was marked sent.
      this.options.logger.warn({ err: error, topic: topic.key }, 'gagal membaca peristiwa / reading request events failed');
    } finally {
      topic.pumping = false;
    }
  }

  private async catchUp(topic: Topic): Promise<void> {
    for (;;) {
      const live = [...topic.subscribers].filter((s) => !s.sink.closed);
      if (live.length === 0 || this.stopped) return;
      const from = Math.min(...live.map((s) => s.lastId));
      const { source } = topic;
      const rows =
        'requestId' in source
          ? await listRequestEventsAfter(this.options.db, source.requestId, from, this.options.batchSize)
          : await listScopedEventsAfter(this.options.db, source.institutionId, source.kinds, from, this.options.batchSize);
      for (const row of rows) {
        for (const hook of this.deliveryHooks) hook(row.requestId);
        for (const s of topic.subscribers) {
          if (row.id <= s.lastId || s.sink.closed) continue;
          s.sink.deliver(row);
          s.lastId = row.id;
        }
      }
      if (rows.length < this.options.batchSize) return;
    }
  }

  private ensureRunning(): void {
    if (this.stopped) return;
    if (!this.listener && this.options.connectionString) {
      this.listener = startNotificationListener({
        connectionString: this.options.connectionString,
        channel: REQUEST_EVENTS_CHANNEL,
        logger: this.options.logger,
        onNotification: (requestId) => this.wake(requestId),
        // Notifications sent while we were not listening are gone: catch every stream up.
        onConnected: () => this.wakeAll(),
      });
    }
    if (!this.pollTimer) this.schedulePoll();
  }

  private wakeAll(): void {
    for (const key of this.topics.keys()) this.wakeTopic(key);
  }

  private schedulePoll(): void {
    const timer = setTimeout(() => {
      void this.poll().finally(() => {
        // Only the chain that is still current continues (stop + restart may have begun another).
        if (this.pollTimer === timer && !this.stopped && this.topics.size > 0) this.schedulePoll();
      });
    }, this.options.pollIntervalMs);
    timer.unref();
    this.pollTimer = timer;
  }

  private stopPolling(): void {
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
    this.horizon = undefined;
  }

  /** One fallback round: which watched requests got events since the last round? */
  private async poll(): Promise<void> {
    try {
      const latest = await latestEventId(this.options.db);
      if (this.horizon === undefined) this.wakeAll();
      else if (latest > this.horizon)
        for (const id of await requestsWithEventsBetween(this.options.db, this.horizon, latest)) this.wake(id);
      this.horizon = latest;
    } catch (error) {
      this.options.logger.warn({ err: error }, 'polling peristiwa gagal / event poll failed');
    }
  }
}
