import type { EmailMessageInput, JobPayload } from '@betang/core';
import { createTestDatabase, type TestDatabase } from '@betang/testkit';
import { OutboxPayloadError, enqueueEmail, enqueueJob } from './outbox.repository';

/** Jobs and e-mails are checked against their contracts when written, not when relayed. */
describe('typed outbox', () => {
  let t: TestDatabase;
  const RUN = '0b7a4f0e-6f8e-4c1a-9d6b-2f0c3e5a7b91';
  const rows = (dedupKey: string) => t.db.selectFrom('outbox').select(['topic', 'payload']).where('dedupKey', '=', dedupKey).execute();

  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());

  it('should write a job as {name, data} once per dedup key', async () => {
    await expect(enqueueJob(t.db, 'vm.action', { runId: RUN }, { dedupKey: 'k:job' })).resolves.toBe(true);
    await expect(enqueueJob(t.db, 'vm.action', { runId: RUN }, { dedupKey: 'k:job' })).resolves.toBe(false);
    expect(await rows('k:job')).toEqual([{ topic: 'job', payload: { name: 'vm.action', data: { runId: RUN } } }]);
  });

  it('should refuse a job payload its schema rejects, writing nothing', async () => {
    const wrong = { runId: 'not-a-uuid' } as JobPayload<'vm.provision'>;
    await expect(enqueueJob(t.db, 'vm.provision', wrong, { dedupKey: 'k:bad-job' })).rejects.toBeInstanceOf(OutboxPayloadError);
    const extra = { runId: RUN, vm: { secret: 'x' } } as JobPayload<'vm.provision'>;
    await expect(enqueueJob(t.db, 'vm.provision', extra, { dedupKey: 'k:bad-job' })).rejects.toBeInstanceOf(OutboxPayloadError);
    expect(await rows('k:bad-job')).toEqual([]);
  });

  it('should refuse an e-mail its schema rejects, writing nothing', async () => {
    const good: EmailMessageInput = {
      to: ['pemohon@uji.kalteng.go.id'],
      locale: 'id',
      subject: { id: 'Halo', en: 'Hello' },
      text: { id: 'Isi', en: 'Body' },
      reason: 'uji',
    };
    await expect(enqueueEmail(t.db, good, 'k:mail')).resolves.toBe(true);
    expect((await rows('k:mail'))[0]).toEqual({ topic: 'email', payload: { ...good, secret: false } });
    await expect(enqueueEmail(t.db, { ...good, to: ['bukan alamat'] }, 'k:bad-mail')).rejects.toBeInstanceOf(OutboxPayloadError);
    await expect(enqueueEmail(t.db, { ...good, to: [] }, 'k:bad-mail')).rejects.toBeInstanceOf(OutboxPayloadError);
    expect(await rows('k:bad-mail')).toEqual([]);
  });
});
