import { listRunSteps, type Db } from '@betang/db';
import { createTestDatabase, makeOperator, makeQueuedProvisionRun, type TestDatabase } from '@betang/testkit';
import { startProvisioningEnv, type ProvisioningEnv } from '../testing/provisioning-env';
import { runToEnd } from '../testing/run-to-end';

jest.setTimeout(120_000);

/** The worker's gate: an approved request the agreement in force no longer covers never becomes a VM. */
describe("provisioning: the worker's agreement gate", () => {
  let t: TestDatabase;
  let db: Db;
  let env: ProvisioningEnv;

  beforeAll(async () => {
    t = await createTestDatabase();
    db = t.db;
    env = await startProvisioningEnv(db);
    await makeOperator(db);
  });
  afterAll(async () => {
    await env?.close();
    await t?.drop();
  });

  async function expectRefused(requestId: string, runId: string, code: string) {
    const before = env.sim.state.listVms().length;
    const run = await runToEnd(env.deps, runId);
    expect(run).toMatchObject({ status: 'failed', errorCode: code, errorRetryable: false });
    expect(env.sim.state.listVms()).toHaveLength(before);
    const vm = await db.selectFrom('vms').select('state').where('requestId', '=', requestId).executeTakeFirst();
    expect(vm).toBeUndefined();
    const held = await db
      .selectFrom('ipAllocations')
      .select('id')
      .where('requestId', '=', requestId)
      .where('releasedAt', 'is', null)
      .execute();
    expect(held).toEqual([]);
    const steps = await listRunSteps(db, runId);
    expect(steps.find((s) => s.key === 'clone')?.status).not.toBe('done');
    const request = await db
      .selectFrom('vpsRequests')
      .select(['status', 'statusReason'])
      .where('id', '=', requestId)
      .executeTakeFirstOrThrow();
    expect(request.status).toBe('failed');
    return request.statusReason ?? '';
  }

  it('should refuse a request whose institution has no agreement in force any more', async () => {
    const q = await makeQueuedProvisionRun(db, { ports: [443] });
    await db.updateTable('agreements').set({ status: 'expired' }).where('institutionId', '=', q.institutionId).execute();
    const reason = await expectRefused(q.requestId, q.runId, 'NO_AGREEMENT_IN_FORCE');
    expect(reason).toMatch(/tidak lagi memiliki perjanjian/);
    expect(reason).toMatch(/no longer has a server-utilization agreement/);
  });

  it('should refuse a template the agreement does not name and an application it does not list', async () => {
    const q = await makeQueuedProvisionRun(db, { ports: [443] });
    const agreement = await db.selectFrom('agreements').select('id').where('institutionId', '=', q.institutionId).executeTakeFirstOrThrow();
    const other = await db
      .insertInto('applications')
      .values({
        institutionId: q.institutionId,
        name: 'Aplikasi Lain',
        kind: 'khusus',
        picName: 'A',
        picNip: '198501012010011001',
        picEmail: 'a@kalteng.go.id',
        dataClassification: 'rendah',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db.insertInto('agreementApplications').values({ agreementId: agreement.id, applicationId: other.id }).execute();
    await db
      .updateTable('agreements')
      .set({ documentData: JSON.stringify({ osTemplates: ['Rocky Linux 9'] }) })
      .where('id', '=', agreement.id)
      .execute();
    const reason = await expectRefused(q.requestId, q.runId, 'AGREEMENT_NOT_COVERING');
    expect(reason).toMatch(/tidak tercantum dalam perjanjian/);
    expect(reason).toMatch(/Rocky Linux 9/);
  });

  it('should build the VM when the agreement lists the application and names the template', async () => {
    const q = await makeQueuedProvisionRun(db, { ports: [443] });
    env.portsByHostname.set(q.hostname, q.ports);
    const agreement = await db.selectFrom('agreements').select('id').where('institutionId', '=', q.institutionId).executeTakeFirstOrThrow();
    const request = await db.selectFrom('vpsRequests').select('applicationId').where('id', '=', q.requestId).executeTakeFirstOrThrow();
    await db.insertInto('agreementApplications').values({ agreementId: agreement.id, applicationId: request.applicationId }).execute();
    await db
      .updateTable('agreements')
      .set({ documentData: JSON.stringify({ osTemplates: ['Debian 12 (simulator)'] }) })
      .where('id', '=', agreement.id)
      .execute();
    const run = await runToEnd(env.deps, q.runId);
    expect(run.status).toBe('succeeded');
  });
});
