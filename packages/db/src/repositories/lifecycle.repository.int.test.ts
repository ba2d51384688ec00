import { ErrorCode } from '@betang/core';
import { createTestDatabase, makeQueuedProvisionRun, type TestDatabase } from '@betang/testkit';
import {
  IllegalTransitionError,
  TransitionRefusedError,
  transitionRequest,
  transitionRun,
  transitionStep,
  transitionVm,
} from './lifecycle.repository';
import { ensureRunSteps, finishRun, markRunRunning, markStepDone, markStepRunning } from './run.repository';
import { reserveVmRow, updateVm } from './vm.repository';

/** The one writer of request and run statuses: only core's edges, only from the expected state. */
describe('lifecycle transitions', () => {
  let t: TestDatabase;
  let octet = 60;
  const provision = () => makeQueuedProvisionRun(t.db, { poolOctet: (octet += 1) });
  const statusOf = async (id: string) =>
    await t.db.selectFrom('vpsRequests').select(['status', 'statusReason']).where('id', '=', id).executeTakeFirstOrThrow();

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
    const run = await t.db
      .selectFrom('provisioningRuns')
      .select(['status', 'finishedAt'])
      .where('id', '=', p.runId)
      .executeTakeFirstOrThrow();
    expect(run.status).toBe('cancelled');
    expect(new Date(run.finishedAt!).toISOString()).toBe(at.toISOString());
    await expect(transitionRun(t.db, p.runId, ['queued'], 'cancelled')).rejects.toBeInstanceOf(TransitionRefusedError);
  });

  it('should refuse loudly when a run is finished or started from the wrong state, writing nothing', async () => {
    const p = await provision();
    await expect(finishRun(t.db, p.runId, { status: 'succeeded' })).rejects.toBeInstanceOf(TransitionRefusedError);
    await t.db.transaction().execute((tx) => markRunRunning(tx, p.runId, 1, new Date(Date.now() + 60_000)));
    await finishRun(t.db, p.runId, { status: 'failed', errorCode: 'X', errorMessage: 'x', retryable: false });
    await expect(t.db.transaction().execute((tx) => markRunRunning(tx, p.runId, 2, new Date()))).rejects.toBeInstanceOf(
      TransitionRefusedError,
    );
    await expect(finishRun(t.db, p.runId, { status: 'succeeded' }, { onMismatch: 'skip' })).resolves.toBe(false);
    const run = await t.db
      .selectFrom('provisioningRuns')
      .select(['status', 'attempt', 'errorCode'])
      .where('id', '=', p.runId)
      .executeTakeFirstOrThrow();
    expect(run).toEqual({ status: 'failed', attempt: 1, errorCode: 'X' });
  });

  it("should move run steps only along core's step machine", async () => {
    const p = await provision();
    await ensureRunSteps(t.db, p.runId, ['reserve', 'clone']);
    const stepOf = async (key: string) =>
      await t.db
        .selectFrom('runSteps')
        .select(['status', 'attempt'])
        .where('runId', '=', p.runId)
        .where('key', '=', key)
        .executeTakeFirstOrThrow();
    await expect(markStepDone(t.db, p.runId, 'reserve', { result: { vmid: 1 } })).rejects.toBeInstanceOf(TransitionRefusedError);
    await expect(transitionStep(t.db, p.runId, 'reserve', ['pending'], 'done')).rejects.toBeInstanceOf(IllegalTransitionError);
    expect(await stepOf('reserve')).toEqual({ status: 'pending', attempt: 0 });
    await markStepRunning(t.db, p.runId, 'reserve', 0);
    await markStepDone(t.db, p.runId, 'reserve', { result: { vmid: 1 } });
    await expect(markStepDone(t.db, p.runId, 'reserve', { result: { vmid: 2 } })).rejects.toBeInstanceOf(TransitionRefusedError);
    expect(await stepOf('reserve')).toEqual({ status: 'done', attempt: 1 });
    await markStepRunning(t.db, p.runId, 'cleanup', 2);
    expect(await stepOf('cleanup')).toEqual({ status: 'running', attempt: 1 });
  });

  it('should move a VM row only through transitionVm: updateVm writes no state, a wrong from-state throws', async () => {
    const p = await provision();
    const vmid = 90_000 + octet;
    const vm = await reserveVmRow(t.db, {
      requestId: p.requestId,
      institutionId: p.institutionId,
      vmid,
      name: 'x',
      cores: 1,
      memoryMiB: 512,
      diskGiB: 10,
    });
    // @ts-expect-error state is not a column updateVm writes
    await updateVm(t.db, vm.id, { state: 'running' });
    const stateOf = async () => (await t.db.selectFrom('vms').select('state').where('id', '=', vm.id).executeTakeFirstOrThrow()).state;
    expect(await stateOf()).toBe('reserved');
    await expect(transitionVm(t.db, vm.id, ['provisioning'], 'running')).rejects.toBeInstanceOf(TransitionRefusedError);
    await expect(transitionVm(t.db, vm.id, ['reserved'], 'decommissioned')).rejects.toBeInstanceOf(IllegalTransitionError);
    await transitionVm(t.db, vm.id, ['reserved'], 'provisioning', { fields: { node: 'pve1' } });
    await transitionVm(t.db, vm.id, ['provisioning'], 'running');
    await expect(
      reserveVmRow(t.db, {
        requestId: p.requestId,
        institutionId: p.institutionId,
        vmid: vmid + 1,
        name: 'x',
        cores: 1,
        memoryMiB: 512,
        diskGiB: 10,
      }),
    ).rejects.toBeInstanceOf(TransitionRefusedError);
    expect(await stateOf()).toBe('running');
  });
});
