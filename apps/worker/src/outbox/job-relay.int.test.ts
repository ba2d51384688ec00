import type { JobProducer } from '@betang/core';
import { insertOutbox } from '@betang/db';
import { createTestDatabase, type TestDatabase, testLogDestination, testLogOptions } from '@betang/testkit';
import { pino } from 'pino';
import { relayJobsOnce, startJobRelay } from './job-relay';

const silent = pino(testLogOptions('job-relay'), testLogDestination('job-relay'));

function recordingProducer(failTimes = 0): JobProducer & { sent: unknown[] } {
  let failures = failTimes;
  const sent: unknown[] = [];
  return {
    sent,
    async enqueue(name, payload) {
      if (failures > 0) {
        failures -= 1;
        throw new Error('redis down');
      }
      sent.push({ name, payload });
      return { jobId: String(sent.length) };
    },
  };
}

describe('relayJobsOnce', () => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await createTestDatabase();
  });
  afterEach(() => t.drop());

  const pending = async () =>
    await t.db.selectFrom('outbox').select(['id', 'attempts', 'processedAt', 'lastError']).orderBy('id').execute();

  it('should enqueue due job messages in order and mark them processed', async () => {
    await insertOutbox(t.db, { topic: 'job', payload: { name: 'maintenance.purge-sessions', data: {} }, dedupKey: 'a' });
    await insertOutbox(t.db, { topic: 'job', payload: { name: 'maintenance.purge-sessions', data: {} }, dedupKey: 'b' });
    expect(await insertOutbox(t.db, { topic: 'job', payload: { name: 'maintenance.purge-sessions', data: {} }, dedupKey: 'a' })).toBe(
      false,
    );
    await insertOutbox(t.db, { topic: 'email', payload: { to: 'x' } });
    const producer = recordingProducer();
    expect(await relayJobsOnce(t.db, producer, silent)).toBe(2);
    expect(producer.sent).toHaveLength(2);
    const rows = await pending();
    expect(rows.filter((r) => r.processedAt !== null)).toHaveLength(2);
    expect(await relayJobsOnce(t.db, producer, silent)).toBe(0);
  });

  it('startJobRelay should drain a burst larger than one batch without waiting an interval per batch', async () => {
    for (let i = 0; i < 7; i++)
      await insertOutbox(t.db, { topic: 'job', payload: { name: 'maintenance.purge-sessions', data: {} }, dedupKey: `burst-${i}` });
    const producer = recordingProducer();
    // A 60 s interval: if any full round waited for it, the 7 messages (4 rounds of 2) could not
    // all arrive within the 20 s this test waits.
    const relay = startJobRelay(t.db, producer, silent, 60_000, 2);
    const until = Date.now() + 20_000;
    while (producer.sent.length < 7 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    await relay.stop();
    expect(producer.sent).toHaveLength(7);
    expect((await pending()).every((r) => r.processedAt !== null)).toBe(true);
  });

  it('should keep a message for retry when the queue is down, then deliver it', async () => {
    await insertOutbox(t.db, { topic: 'job', payload: { name: 'maintenance.purge-sessions', data: {} } });
    const producer = recordingProducer(1);
    await relayJobsOnce(t.db, producer, silent);
    let [row] = await pending();
    expect(row).toMatchObject({ attempts: 1, processedAt: null, lastError: 'redis down' });
    await t.db
      .updateTable('outbox')
      .set({ availableAt: new Date(Date.now() - 1) })
      .execute();
    await relayJobsOnce(t.db, producer, silent);
    [row] = await pending();
    expect(row!.processedAt).not.toBeNull();
    expect(producer.sent).toHaveLength(1);
  });

  it('should park a message naming an unknown job instead of retrying it forever', async () => {
    await insertOutbox(t.db, { topic: 'job', payload: { name: 'vm.teleport', data: {} } });
    const producer = recordingProducer();
    await relayJobsOnce(t.db, producer, silent);
    const [row] = await pending();
    expect(row!.processedAt).not.toBeNull();
    expect(row!.lastError).toMatch(/invalid job message/);
    expect(producer.sent).toHaveLength(0);
  });

  it('should never hand one message to two concurrent relays', async () => {
    for (let i = 0; i < 30; i += 1) await insertOutbox(t.db, { topic: 'job', payload: { name: 'maintenance.purge-sessions', data: {} } });
    const producer = recordingProducer();
    await Promise.all([
      relayJobsOnce(t.db, producer, silent, 10),
      relayJobsOnce(t.db, producer, silent, 10),
      relayJobsOnce(t.db, producer, silent, 10),
    ]);
    await relayJobsOnce(t.db, producer, silent, 50);
    expect(producer.sent).toHaveLength(30);
  });
});
