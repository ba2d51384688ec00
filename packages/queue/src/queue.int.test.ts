import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@betang/testkit';
import type { Job, Worker } from 'bullmq';
import { createQueueBackend, type QueueBackend, type QueueBackendConfig } from './backend';
import { createJobProducer } from './producer';
import { assertHandlersComplete, startWorkers, type JobHandlers } from './workers';

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
    const handlers: JobHandlers = { 'maintenance.purge-sessions': async (payload) => seen.push(payload) };
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
      workers = startWorkers(backend, { 'maintenance.purge-sessions': async () => undefined }, { concurrency: { maintenance: 1 }, events: { onFinalFailure: (job, error) => resolve({ job, error }) } });
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
    expect(() => assertHandlersComplete({})).toThrow(/missing handlers \[maintenance.purge-sessions\]/);
    expect(() => assertHandlersComplete({ 'maintenance.purge-sessions': async () => 1, 'vm.teleport': async () => 1 })).toThrow(/without contract \[vm.teleport\]/);
  });
});
