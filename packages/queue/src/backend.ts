import { Queue, Worker, createPostgresBackend, withBackend, type Processor } from 'bullmq';
import { Redis } from 'ioredis';
import type { HealthCheck } from '@betang/core';

/**
 * Where the queues live: Redis in production, or PostgreSQL (BullMQ 6's PG backend) when no
 * Redis is configured. `embedded` marks PGlite behind pglite-socket, whose LISTEN/NOTIFY does
 * not cross connections, so workers poll instead (docs/decisions/embedded-queue.md).
 */
export type QueueBackendConfig = (
  { kind: 'redis'; url: string; prefix: string } | { kind: 'postgres'; connectionString: string; embedded: boolean }
) & { stall?: StallSettings };

/**
 * How fast a job whose worker died is noticed and handed to another worker. Betang's handlers are
 * idempotent (run rows, memoised steps), so a job may be recovered several times before BullMQ
 * gives up on it (`maxStalledCount`).
 */
type StallSettings = { lockDurationMs: number; stalledIntervalMs: number; maxStalledCount: number };

/**
 * Which backend a process's settings select: Redis when REDIS_URL is set, otherwise PostgreSQL
 * on DATABASE_URL (polling when QUEUE_PG_POLLING says the database is the embedded one).
 */
export function queueBackendConfig(
  env: { REDIS_URL?: string; QUEUE_PREFIX: string; DATABASE_URL: string; QUEUE_PG_POLLING: boolean },
  stall?: StallSettings,
): QueueBackendConfig {
  return env.REDIS_URL
    ? { kind: 'redis', url: env.REDIS_URL, prefix: env.QUEUE_PREFIX, stall }
    : { kind: 'postgres', connectionString: env.DATABASE_URL, embedded: env.QUEUE_PG_POLLING, stall };
}

function stallOptions(stall: StallSettings | undefined) {
  return stall
    ? { lockDuration: stall.lockDurationMs, stalledInterval: stall.stalledIntervalMs, maxStalledCount: stall.maxStalledCount }
    : {};
}

/** The two operations Betang needs from a backend, independent of which one it is. */
export type QueueBackend = {
  config: QueueBackendConfig;
  /** A producer-side queue: fails fast when the backend is unreachable. */
  createQueue(name: string): Queue;
  /** A consumer: reconnects forever (maxRetriesPerRequest: null on Redis). */
  createWorker(name: string, processor: Processor, options: { concurrency: number }): Worker;
  /** True when the backend answers. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
};

/**
 * Creates the backend for a config. Guarantees: every Redis connection it opens is closed by
 * `close()`; nothing connects until a queue or worker is first used.
 */
export function createQueueBackend(config: QueueBackendConfig): QueueBackend {
  return config.kind === 'redis' ? redisBackend(config) : postgresBackend(config);
}

function redisBackend(config: Extract<QueueBackendConfig, { kind: 'redis' }>): QueueBackend {
  const connections: Redis[] = [];
  const connect = (failFast: boolean) => {
    const redis = new Redis(
      config.url,
      failFast ? { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false } : { maxRetriesPerRequest: null },
    );
    redis.on('error', () => undefined); // surfaced through failing commands and ping()
    connections.push(redis);
    return redis;
  };
  let producerConnection: Redis | undefined;
  return {
    config,
    createQueue: (name) => new Queue(name, { connection: (producerConnection ??= connect(true)), prefix: config.prefix }),
    createWorker: (name, processor, { concurrency }) =>
      new Worker(name, processor, {
        connection: connect(false),
        prefix: config.prefix,
        concurrency,
        autorun: false,
        ...stallOptions(config.stall),
      }),
    async ping() {
      try {
        const redis = (producerConnection ??= connect(true));
        // Fail-fast connections refuse commands until connected: give a fresh one a moment.
        if (redis.status === 'connecting' || redis.status === 'wait') await untilReady(redis, 1_000);
        return (await redis.ping()) === 'PONG';
      } catch {
        return false;
      }
    },
    async close() {
      await Promise.all(connections.map((c) => c.quit().catch(() => c.disconnect())));
    },
  };
}

/** Resolves when the connection is ready; rejects on its first error or after `ms`. */
function untilReady(redis: Redis, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error?: Error) => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      redis.off('error', done);
      if (error) reject(error);
      else resolve();
    };
    const onReady = () => done();
    const timer = setTimeout(() => done(new Error(`Redis not ready within ${ms} ms`)), ms);
    redis.once('ready', onReady);
    redis.once('error', done);
  });
}

function postgresBackend(config: Extract<QueueBackendConfig, { kind: 'postgres' }>): QueueBackend {
  const pg = withBackend(createPostgresBackend);
  const connection = { connectionString: config.connectionString, migrate: true, max: 4 };
  let pingQueue: Queue | undefined;
  const createQueue = (name: string) => new pg.Queue(name, { connection }) as unknown as Queue;
  return {
    config,
    createQueue,
    createWorker: (name, processor, { concurrency }) =>
      new pg.Worker(name, processor, {
        connection,
        concurrency,
        autorun: false,
        ...stallOptions(config.stall),
        ...(config.embedded ? { drainDelay: 0.1 } : {}),
      }) as unknown as Worker,
    async ping() {
      try {
        await (pingQueue ??= createQueue('maintenance')).getJobCounts('waiting');
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      await pingQueue?.close();
    },
  };
}

/**
 * Readiness check `queue` (critical): the backend answers (Redis PING, or BullMQ's PostgreSQL
 * tables) — approvals enqueue work through it and workers take it from there.
 */
export function queueCheck(backend: Pick<QueueBackend, 'config' | 'ping'>): HealthCheck {
  const what = backend.config.kind === 'redis' ? 'Redis' : 'antrean PostgreSQL / PostgreSQL queue';
  return {
    name: 'queue',
    critical: true,
    async check() {
      return (await backend.ping())
        ? { ok: true, reason: { id: `${what} menjawab`, en: `${what} answers` } }
        : { ok: false, reason: { id: `${what} tidak dapat dihubungi`, en: `${what} is unreachable` } };
    },
  };
}
