import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@betang/testkit';
import type { Job, Worker } from 'bullmq';
import { createQueueBackend, type QueueBackend, type QueueBackendConfig } from './backend';
import { createJobProducer } from './producer';
import { JOB_NAMES } from '@betang/core';
import { assertHandlersComplete, startWorkers, type JobHandlers } from './workers';

/** Every contract gets a handler (the registry check demands it); tests override the one they use. */
function handlersWith(overrides: Partial<JobHandlers>): JobHandlers {
  const noop = Object.fromEntries(JOB_NAMES.map((name) => [name, async () => undefined])) as unknown as JobHandlers;
  return { ...noop, ...overrides };
}

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

function waitFor<T>(register: (resolve: (value: T) => void) => void, ms = 15_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    register((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

describe.each<['redis' | 'postgres']>([['postgres'], ['redis']])('queue on %s', (kind) => {
  jest.setTimeout(30_000);
  let database: TestDatabase | undefined;
  let backend: QueueBackend;
  let workers: Worker[] = [];
  afterEach(async () => {
    await Promise.all(workers.map((w) => w.close()));
    workers = [];
  });

  beforeAll(async () => {
    let config: QueueBackendConfig;
    if (kind === 'redis') config = { kind, url: REDIS_URL, prefix: `betang-test-${randomBytes(4).toString('hex')}` };
    else {
      database = await createTestDatabase();
      config = { kind, connectionString: database.url, embedded: false };
    }
    backend = createQueueBackend(config);
  });
  const afterQueues: { close(): Promise<void> }[] = [];
  afterAll(async () => {
    await Promise.all(afterQueues.map((q) => q.close()));
    await backend.close();
    await database?.drop();
  });

  it('should run a job through a worker with its validated payload', async () => {
    const seen: unknown[] = [];
    const handlers = handlersWith({ 'maintenance.purge-sessions': async (payload) => seen.push(payload) });
    const done = waitFor<Job>((resolve) => {
      workers = startWorkers(backend, handlers, { concurrency: { maintenance: 1 }, events: { onCompleted: resolve } });
    });
    const producer = createJobProducer(backend);
    await producer.enqueue('maintenance.purge-sessions', {});
    const job = await done;
    expect(job.name).toBe('maintenance.purge-sessions');
    expect(seen).toEqual([{}]);
    await producer.close();
    expect(await backend.ping()).toBe(true);
  });

  it('should refuse an invalid payload at enqueue and fail it for good at dequeue', async () => {
    const producer = createJobProducer(backend);
    await expect(producer.enqueue('maintenance.purge-sessions', { evil: true } as never)).rejects.toThrow();
    const failed = waitFor<{ job: Job; error: Error }>((resolve) => {
      workers = startWorkers(backend, handlersWith({}), {
        concurrency: { maintenance: 1 },
        events: { onFinalFailure: (job, error) => resolve({ job, error }) },
      });
    });
    const queue = backend.createQueue('maintenance');
    await queue.add('maintenance.purge-sessions', { evil: true }, { attempts: 3 });
    afterQueues.push(queue);
    const { job, error } = await failed;
    expect(error.message).toMatch(/invalid payload/);
    expect(job.attemptsMade).toBe(1);
    await producer.close();
  });
});

describe('assertHandlersComplete', () => {
  it('should refuse a registry with a missing or an unknown handler', () => {
    const { 'vm.provision': _omitted, ...withoutProvision } = handlersWith({});
    expect(() => assertHandlersComplete(withoutProvision)).toThrow(/missing handlers \[vm.provision\]/);
    expect(() => assertHandlersComplete({ ...handlersWith({}), 'vm.teleport': async () => 1 })).toThrow(/without contract \[vm.teleport\]/);
  });
});
