import type { VpsRequestDto } from '@betang/core';
import type { Executor } from '@betang/db';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { findRequestWithView } from '../use-cases/vps-requests/request-view';
import { startNotificationListener, type NotificationListener } from './pg-notification-listener';

/** The NOTIFY channel of migration 20261209T0600_request_view_changes: a request id, or `*` for every view. */
export const REQUEST_VIEW_CHANNEL = 'betang_request_view';

/** What a status read needs: whose request it is (tenancy is checked on every read) and its whole view. */
export type CachedRequestView = { institutionId: string; view: VpsRequestDto };

export type RequestViewCacheOptions = {
  db: Executor;
  logger: Logger;
  /** Where the LISTEN connection goes. */
  connectionString: string;
  /** The oldest an entry may be served, whatever the notifications say (default 5 s). */
  ttlMs?: number;
  /** Entries kept at most; the oldest filled is dropped first (default 5 000: a view with its runs is a few KB). */
  maxEntries?: number;
  /** The clock (tests move it). */
  now?: () => number;
  /** The channel listened on; tests pass one nobody notifies to see the other rules alone. */
  channel?: string;
};

type Entry = { value: CachedRequestView; filledAt: number };
/** Reads of one id in flight, and how often the id was invalidated while they ran. */
type InFlight = { readers: number; generation: number };

/** Counts for tests and the benchmark: how many reads reached PostgreSQL. */
type CacheStats = { hits: number; misses: number; bypassed: number; entries: number; listening: boolean };

/**
 * A per-instance cache of the status view of VPS requests (GET /vps-requests/:id), kept
 * consistent by PostgreSQL NOTIFY (docs/architecture.md, "Status-read cache"). The rule:
 *
 * 1. Your own write: a write request (any method but GET/HEAD/OPTIONS) through this instance
 *    empties the cache after its handler ran and BEFORE its response is sent, and no read that
 *    overlaps a write fills it; so the next read after a write's response reads PostgreSQL.
 * 2. Everyone else's write (another API instance, the worker): a trigger NOTIFYs the request id at
 *    commit; each instance drops the entry when the notification arrives. A read that began
 *    before the drop never stores its (possibly older) result.
 * 3. Bounded: entries are served only while the LISTEN connection is up (it empties the cache on
 *    every reconnect, as notifications sent meanwhile are lost), and never when older than the TTL.
 *
 * Tenancy is not the cache's business: an entry carries the request's institution, and the
 * caller checks the reader against it on every read, hit or miss.
 */
export class RequestViewCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, InFlight>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;
  private readonly listener: NotificationListener;
  /** Bumped on every clear: a read that began before it never fills. */
  private clearGeneration = 0;
  private writesInFlight = 0;
  private counts = { hits: 0, misses: 0, bypassed: 0 };

  constructor(private readonly options: RequestViewCacheOptions) {
    this.ttlMs = options.ttlMs ?? 5000;
    this.maxEntries = options.maxEntries ?? 5000;
    this.now = options.now ?? Date.now;
    this.listener = startNotificationListener({
      connectionString: options.connectionString,
      channel: options.channel ?? REQUEST_VIEW_CHANNEL,
      logger: options.logger,
      onNotification: (payload) => (payload === '*' ? this.clear() : this.invalidate(payload)),
      onConnected: () => this.clear(),
    });
  }

  /**
   * The request's view and institution, from the cache when it holds a fresh entry, otherwise
   * read from PostgreSQL (one query) and kept when rule 2 allows. Undefined for an unknown id
   * (never cached: a request created later is seen at once).
   */
  async read(requestId: string): Promise<CachedRequestView | undefined> {
    const usable = this.listener.listening && this.writesInFlight === 0;
    if (usable) {
      const entry = this.entries.get(requestId);
      if (entry && this.now() - entry.filledAt < this.ttlMs) {
        this.counts.hits += 1;
        return entry.value;
      }
      if (entry) this.entries.delete(requestId);
    }
    if (usable) this.counts.misses += 1;
    else this.counts.bypassed += 1;
    const flight = this.inFlight.get(requestId) ?? { readers: 0, generation: 0 };
    flight.readers += 1;
    this.inFlight.set(requestId, flight);
    const started = { generation: flight.generation, clear: this.clearGeneration };
    try {
      const found = await findRequestWithView(this.options.db, requestId);
      const value = found && { institutionId: found.request.institutionId, view: found.view };
      const untouched = flight.generation === started.generation && this.clearGeneration === started.clear;
      if (value && usable && untouched && this.writesInFlight === 0 && this.listener.listening) this.store(requestId, value);
      return value;
    } finally {
      flight.readers -= 1;
      if (flight.readers === 0) this.inFlight.delete(requestId);
    }
  }

  /** Drops the request's entry; a read of it already under way will not store what it read. */
  invalidate(requestId: string): void {
    this.entries.delete(requestId);
    const flight = this.inFlight.get(requestId);
    if (flight) flight.generation += 1;
  }

  /** Drops every entry; no read under way will store what it read. */
  clear(): void {
    this.entries.clear();
    this.clearGeneration += 1;
  }

  /**
   * Express middleware for rule 1: while a write request runs nothing is served from or stored
   * in the cache, and the cache is emptied once more just before the write's response goes out.
   */
  writeBarrier(): RequestHandler {
    return (req, res, next) => {
      if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return next();
      this.writesInFlight += 1;
      this.clear();
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        this.clear();
        this.writesInFlight -= 1;
      };
      const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => typeof res;
      // Headers go out in writeHead, synchronously before any byte of the body: the last moment to clear.
      res.writeHead = ((...args: unknown[]) => {
        finish();
        return writeHead(...args);
      }) as typeof res.writeHead;
      res.once('close', finish);
      next();
    };
  }

  stats(): CacheStats {
    return { ...this.counts, entries: this.entries.size, listening: this.listener.listening };
  }

  /** Stops the LISTEN connection; afterwards every read goes to PostgreSQL. */
  async stop(): Promise<void> {
    await this.listener.stop();
    this.clear();
  }

  private store(requestId: string, value: CachedRequestView): void {
    this.entries.delete(requestId);
    this.entries.set(requestId, { value, filledAt: this.now() });
    // Maps iterate in insertion order: the first key is the oldest fill.
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }
}
