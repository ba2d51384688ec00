import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Role } from '@betang/core';
import { createJobProducer, createQueueBackend } from '@betang/queue';
import {
  childLogEnv,
  createTestDatabase,
  freePort,
  makeAgreementInForce,
  makeApplication,
  makeCatalog,
  makeInstitution,
  makeIpPool,
  makeQuota,
  makeUser,
  startApiProcess,
  testSshKey,
  TEST_PASSWORD,
  testLogDestination,
  testLogOptions,
  type TestDatabase,
} from '@betang/testkit';
import { sql } from 'kysely';
import pg from 'pg';
import { pino } from 'pino';
import { relayJobsOnce } from '../../apps/worker/src/outbox/job-relay';

/**
 * The job appears in BullMQ exactly once even when the API process is killed between the two
 * writes. A real API process is SIGKILLed while its approval transaction has written the
 * run row and waits to write the outbox job row; then the relay is made to enqueue twice.
 */
jest.setTimeout(90_000);

/** The real API process (LOG_LEVEL silent unless the run collects logs), up once /healthz answers. */
function startApi(databaseUrl: string, port: number): Promise<ChildProcess> {
  return startApiProcess({ databaseUrl, port, env: { LOG_LEVEL: 'silent', ...childLogEnv() } });
}

async function signIn(base: string, email: string) {
  const response = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: TEST_PASSWORD }),
  });
  const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0]!;
  const { csrfToken } = (await response.json()) as { csrfToken: string };
  return (p: string, body: unknown) =>
    fetch(`${base}${p}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
      body: JSON.stringify(body),
    });
}

describe('approval survives an API crash between the run row and its job', () => {
  let t: TestDatabase;
  let api: ChildProcess | undefined;
  afterAll(async () => {
    api?.kill('SIGKILL');
    await t?.drop();
  });

  it('should leave nothing half-written, then create exactly one BullMQ job', async () => {
    t = await createTestDatabase();
    const { db } = t;
    await makeCatalog(db);
    await makeIpPool(db, { size: 5, octet: 140 });
    const inst = await makeInstitution(db);
    const applicationId = await makeApplication(db, inst.id);
    const admin = await makeUser(db, { roles: [Role.Admin] });
    await makeQuota(db, inst.id, admin.id);
    await makeAgreementInForce(db, inst.id);
    const staff = await makeUser(db, { roles: [Role.InstitutionStaff], institutionId: inst.id });
    const operator = await makeUser(db, { roles: [Role.Operator] });

    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    api = await startApi(t.url, port);
    const asStaff = await signIn(base, staff.email);
    const submitted = await asStaff('/api/v1/vps-requests', {
      applicationId,
      hostname: 'crash-01',
      templateId: 'debian-12',
      presetId: 'small',
      sshPublicKeys: [testSshKey()],
      purpose: 'Uji kegagalan proses API',
      network: { publicAccess: false, ports: [] },
      contact: { name: 'Budi', nip: '198501012010011001', phone: '0812555501', email: 'budi@kalteng.go.id' },
    });
    const { id: requestId } = (await submitted.json()) as { id: string };
    const asOperator = await signIn(base, operator.email);

    // Hold the outbox so the approval transaction stops right before writing its job row.
    const blocker = new pg.Client({ connectionString: t.url });
    blocker.on('error', () => undefined);
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE outbox IN SHARE ROW EXCLUSIVE MODE');
    const pending = asOperator(`/api/v1/vps-requests/${requestId}/approve`, {}).catch(() => 'connection lost');
    // The backend serving the approval: the one whose insert waits for the outbox lock.
    let apiBackend: number | undefined;
    for (let i = 0; i < 100 && apiBackend === undefined; i += 1) {
      // The insert waits for its lock while PostgreSQL parses it, so look at pg_locks, not at the query text.
      const { rows } = await blocker.query<{ pid: number }>(
        "SELECT pid FROM pg_locks WHERE relation = 'outbox'::regclass AND mode = 'RowExclusiveLock' AND NOT granted",
      );
      apiBackend = rows[0]?.pid;
      if (apiBackend === undefined) await new Promise((r) => setTimeout(r, 100));
    }
    expect(apiBackend).toEqual(expect.any(Number));
    const runsInFlight = await blocker.query('SELECT count(*)::int AS n FROM provisioning_runs');
    expect(runsInFlight.rows[0].n).toBe(0); // the run row is written but not committed: invisible
    api.kill('SIGKILL');
    await new Promise((r) => api!.once('exit', r));
    expect(await pending).toBe('connection lost');
    await blocker.query('ROLLBACK');
    await blocker.end();

    // Nothing half-written: no run, no address, no job, the request still awaits a decision.
    const count = async (table: 'provisioningRuns' | 'ipAllocations' | 'outbox', where?: [string, string]) => {
      let q = db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n'));
      if (where) q = q.where(where[0] as never, '=', where[1] as never);
      return Number((await q.executeTakeFirstOrThrow()).n);
    };
    // PostgreSQL notices the dead client and rolls its transaction back: wait until that backend is gone,
    // so what follows is checked after the rollback, not merely hidden by an open transaction.
    for (;;) {
      const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = ${apiBackend}`.execute(db);
      if (rows[0]?.n === 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await count('provisioningRuns')).toBe(0);
    expect(await count('ipAllocations')).toBe(0);
    expect(await count('outbox', ['topic', 'job'])).toBe(0);
    expect((await db.selectFrom('vpsRequests').select('status').where('id', '=', requestId).executeTakeFirstOrThrow()).status).toBe(
      'submitted',
    );

    // A restarted API approves normally.
    api = await startApi(t.url, port);
    const again = await (await signIn(base, operator.email))(`/api/v1/vps-requests/${requestId}/approve`, {});
    expect(again.status).toBe(200);
    const { run } = (await again.json()) as { run: { id: string } };
    expect(await count('provisioningRuns')).toBe(1);

    // The relay enqueues; a relay that crashed after enqueueing (before marking the row) enqueues again.
    const prefix = `betang-crash-${randomBytes(4).toString('hex')}`;
    const backend = createQueueBackend({ kind: 'redis', url: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', prefix });
    const producer = createJobProducer(backend);
    try {
      await producer.enqueue('vm.provision', { runId: run.id }); // the crashed relay's enqueue
      expect(await relayJobsOnce(db, producer, pino(testLogOptions('approval-crash'), testLogDestination('approval-crash')))).toBe(1);
      expect(await relayJobsOnce(db, producer, pino(testLogOptions('approval-crash'), testLogDestination('approval-crash')))).toBe(0);
      const queue = backend.createQueue('provisioning');
      const counts = await queue.getJobCounts('waiting', 'delayed', 'active', 'prioritized');
      expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(1);
      expect((await queue.getJob(`run-${run.id}`))?.data).toEqual({ runId: run.id });
      await queue.obliterate({ force: true });
      await queue.close();
    } finally {
      await producer.close();
      await backend.close();
    }
  });
});
