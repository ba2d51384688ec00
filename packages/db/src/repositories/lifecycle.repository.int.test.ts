import { ErrorCode } from '@betang/core';
import { createTestDatabase, makeQueuedProvisionRun, type TestDatabase } from '@betang/testkit';
import { IllegalTransitionError, TransitionRefusedError, transitionRequest, transitionRun } from './lifecycle.repository';

/** The one writer of request and run statuses: only core's edges, only from the expected state. */
describe('lifecycle transitions', () => {
  let t: TestDatabase;
  let octet = 60;
  const provision = () => makeQueuedProvisionRun(t.db, { poolOctet: (octet += 1) });
  const statusOf = async (id: string) => (await t.db.selectFrom('vpsRequests').select(['status', 'statusReason']).where('id', '=', id).executeTakeFirstOrThrow());

  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());

  it('should move a request from an allowed state and write its reason', async () => {
    const p = await provision();
    await expect(transitionRequest(t.db, p.requestId, ['queued'], 'provisioning', { reason: null })).resolves.toBe(true);
    await transitionRequest(t.db, p.requestId, ['provisioning'], 'failed', { reason: 'gagal / failed' });
    expect(await statusOf(p.requestId)).toEqual({ status: 'failed', statusReason: 'gagal / failed' });
  });

  it('should refuse loudly, and write nothing, when the row is in another state', async () => {
    const p = await provision();
    const refused = await transitionRequest(t.db, p.requestId, ['provisioning'], 'active').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TransitionRefusedError);
    expect((refused as TransitionRefusedError).code).toBe(ErrorCode.InvalidState);
    expect((refused as TransitionRefusedError).actual).toBe('queued');
    expect((await statusOf(p.requestId)).status).toBe('queued');
  });

  it('should change nothing and say so with skip, so a step can run twice', async () => {
    const p = await provision();
    await transitionRequest(t.db, p.requestId, ['queued'], 'provisioning');
    await expect(transitionRequest(t.db, p.requestId, ['queued'], 'provisioning', { onMismatch: 'skip' })).resolves.toBe(false);
    expect((await statusOf(p.requestId)).status).toBe('provisioning');
  });

  it('should refuse a move the lifecycle does not have before touching the row', async () => {
    const p = await provision();
    await expect(transitionRequest(t.db, p.requestId, ['queued'], 'decommissioned')).rejects.toBeInstanceOf(IllegalTransitionError);
    await expect(transitionRun(t.db, p.runId, ['queued'], 'succeeded')).rejects.toBeInstanceOf(IllegalTransitionError);
    expect((await statusOf(p.requestId)).status).toBe('queued');
  });

  it('should move a run with its fields', async () => {
    const p = await provision();
    const at = new Date('2026-12-07T01:00:00Z');
    await transitionRun(t.db, p.runId, ['queued'], 'cancelled', { fields: { finishedAt: at } });
    const run = await t.db.selectFrom('provisioningRuns').select(['status', 'finishedAt']).where('id', '=', p.runId).executeTakeFirstOrThrow();
    expect(run.status).toBe('cancelled');
    expect(new Date(run.finishedAt!).toISOString()).toBe(at.toISOString());
    await expect(transitionRun(t.db, p.runId, ['queued'], 'cancelled')).rejects.toBeInstanceOf(TransitionRefusedError);
  });
});
