import { makeQueuedProvisionRun, createTestDatabase, type TestDatabase } from '@betang/testkit';
import { sql } from 'kysely';
import pg from 'pg';
import { down, up } from './migrations/20261209T0600_request_view_changes';

/** The 20261209T0600 migration: which writes notify the API's status-read cache, and its down. */
describe('migration 20261209T0600_request_view_changes', () => {
  let t: TestDatabase;
  let listener: pg.Client;
  const heard: string[] = [];
  const triggers = async () =>
    (await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_trigger WHERE tgname LIKE '%\\_view\\_%'`.execute(t.db)).rows[0]!.n;
  /** Notifications arrive after commit, asynchronously: wait for the one a write must cause. */
  const expectHeard = async (payload: string) => {
    const deadline = Date.now() + 3000;
    while (!heard.includes(payload) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(heard).toContain(payload);
  };

  beforeAll(async () => {
    t = await createTestDatabase();
    listener = new pg.Client({ connectionString: t.url });
    await listener.connect();
    listener.on('notification', (m) => m.payload && heard.push(m.payload));
    await listener.query('LISTEN betang_request_view');
  });
  afterAll(async () => {
    await listener.end();
    await t.drop();
  });

  it('should notify the request id for a change of a run step (through its run) and nothing for a rolled-back one', async () => {
    const p = await makeQueuedProvisionRun(t.db, { poolOctet: 90 });
    await expectHeard(p.requestId);
    heard.length = 0;
    await t.db
      .transaction()
      .execute(async (tx) => {
        await tx.updateTable('provisioningRuns').set({ progress: 5 }).where('id', '=', p.runId).execute();
        throw new Error('rollback');
      })
      .catch(() => undefined);
    await t.db.insertInto('runSteps').values({ runId: p.runId, key: 'clone', position: 1, status: 'running', attempt: 1 }).execute();
    await expectHeard(p.requestId);
    expect(heard).toEqual([p.requestId]);
  });

  it('should notify `*` when a user is renamed, and nothing when the name stays', async () => {
    heard.length = 0;
    const p = await makeQueuedProvisionRun(t.db, { poolOctet: 91 });
    await expectHeard(p.requestId);
    heard.length = 0;
    await t.db
      .updateTable('users')
      .set({ name: sql`name` })
      .where('id', '=', p.requesterId)
      .execute();
    await t.db.updateTable('users').set({ name: 'Nama Baru Pemohon' }).where('id', '=', p.requesterId).execute();
    await expectHeard('*');
    expect(heard).toEqual(['*']);
  });

  it('should drop every trigger on down and bring them back on up', async () => {
    const before = await triggers();
    expect(before).toBe(17);
    await down(t.db);
    expect(await triggers()).toBe(0);
    await up(t.db);
    expect(await triggers()).toBe(before);
  });
});
