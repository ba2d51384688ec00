import { REQUEST_EVENT_KINDS, ZRequestEvent } from '@betang/core';
import { listRequestEventsAfter, markRunRunning, markStepDone, markStepFailed, markStepRunning } from '@betang/db';
import { createTestDatabase, makeCatalog, makeOperator, makeQueuedProvisionRun, type TestDatabase } from '@betang/testkit';
import { eventEnvelope } from './request-events.routes';

/**
 * The live-status events are written by PL/pgSQL triggers and read by the web through core's zod
 * schema, which drops what does not match. Every kind the triggers emit, in every shape a
 * lifecycle gives it (nulls, errors, releases), must parse as the contract says.
 */
describe('request events: what the triggers emit matches the contract', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
    await makeCatalog(t.db);
  });
  afterAll(async () => {
    await t.drop();
  });

  it('parses every event of a lifecycle against ZRequestEvent', async () => {
    const q = await makeQueuedProvisionRun(t.db, { enqueue: false });
    const operatorId = await makeOperator(t.db);
    const db = t.db;
    await db
      .insertInto('approvals')
      .values({ requestId: q.requestId, level: 1, decision: 'approved', decidedBy: operatorId, role: 'operator', comment: 'ok' })
      .execute();
    await db
      .insertInto('approvals')
      .values({ requestId: q.requestId, level: 2, decision: 'rejected', decidedBy: null, role: 'dc_head', comment: 'Berkas kurang' })
      .execute();
    await db.transaction().execute((tx) => markRunRunning(tx, q.runId, 1, new Date(Date.now() + 60_000)));
    await markStepRunning(db, q.runId, 'reserve', 0);
    await markStepDone(db, q.runId, 'reserve', { status: 'done', result: { vmid: 4100 }, detail: 'VM 4100' });
    await markStepRunning(db, q.runId, 'clone', 1);
    await markStepFailed(db, q.runId, 'clone', { code: 'PVE_LOCK_TIMEOUT' }, 'lock timeout');
    const vm = await db
      .insertInto('vms')
      .values({
        requestId: q.requestId,
        institutionId: q.institutionId,
        vmid: null,
        node: null,
        name: q.hostname,
        cores: 2,
        memoryMiB: 2048,
        diskGiB: 10,
        state: 'reserved',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db.updateTable('vms').set({ vmid: 4100, node: 'pve1', state: 'provisioning' }).where('id', '=', vm.id).execute();
    await db.updateTable('ipAllocations').set({ vmId: vm.id }).where('requestId', '=', q.requestId).execute();
    await db
      .updateTable('provisioningRuns')
      .set({
        status: 'failed',
        progress: 30,
        currentStep: 'clone',
        errorCode: 'PVE_LOCK_TIMEOUT',
        errorMessage: 'Kunci habis / lock timeout',
        errorRetryable: true,
        finishedAt: new Date(),
      })
      .where('id', '=', q.runId)
      .execute();
    await db.updateTable('vms').set({ state: 'failed' }).where('id', '=', vm.id).execute();
    await db
      .updateTable('ipAllocations')
      .set({ releasedAt: new Date(), releaseReason: 'provision_failed' })
      .where('requestId', '=', q.requestId)
      .execute();
    await db.updateTable('vpsRequests').set({ status: 'failed', statusReason: 'Gagal / failed' }).where('id', '=', q.requestId).execute();

    const rows = await listRequestEventsAfter(db, q.requestId, 0, 1000);
    const problems = rows.flatMap((row) => {
      const parsed = ZRequestEvent.safeParse(eventEnvelope(row));
      return parsed.success
        ? []
        : [{ kind: row.kind, data: row.data, issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) }];
    });
    expect(problems).toEqual([]);
    const kinds = new Set(rows.map((r) => r.kind));
    expect([...kinds].sort()).toEqual(REQUEST_EVENT_KINDS.filter((k) => k !== 'snapshot').sort());
  });
});
