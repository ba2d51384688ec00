import { createTestDatabase, makeQueuedProvisionRun, type TestDatabase } from '@betang/testkit';
import { listRunsQueuedSince } from './run.repository';

/** Queued runs past their due time: a change scheduled for a maintenance window is not stuck before its start. */
describe('listRunsQueuedSince', () => {
  let t: TestDatabase;

  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());

  it('should list a run queued long ago, but not a change whose maintenance window has not started', async () => {
    const hourAgo = new Date(Date.now() - 3_600_000);
    const plain = await makeQueuedProvisionRun(t.db, { poolOctet: 71, enqueue: false });
    const scheduled = await makeQueuedProvisionRun(t.db, { poolOctet: 72, enqueue: false });
    const started = await makeQueuedProvisionRun(t.db, { poolOctet: 73, enqueue: false });
    const at = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();
    await t.db
      .updateTable('provisioningRuns')
      .set({ createdAt: new Date(Date.now() - 2 * 86_400_000) })
      .execute();
    await t.db
      .updateTable('provisioningRuns')
      .set({ params: JSON.stringify({ applyAt: at(24) }) })
      .where('id', '=', scheduled.runId)
      .execute();
    await t.db
      .updateTable('provisioningRuns')
      .set({ params: JSON.stringify({ applyAt: at(-2) }) })
      .where('id', '=', started.runId)
      .execute();
    const ids = (await listRunsQueuedSince(t.db, hourAgo)).map((r) => r.id);
    expect(ids).toContain(plain.runId);
    expect(ids).toContain(started.runId);
    expect(ids).not.toContain(scheduled.runId);
  });
});
