import { listRunSteps, transitionStep, type Db } from '@betang/db';
import { parseTags } from '@betang/proxmox';
import { createTestDatabase, makeQueuedProvisionRun, type TestDatabase } from '@betang/testkit';
import type { WorkerDeps } from '../deps';
import { startProvisioningEnv, type ProvisioningEnv } from '../testing/provisioning-env';
import { runToEnd } from '../testing/run-to-end';
import { PlacementLedger } from './placement-ledger';
import { runTag } from './provision-context';

jest.setTimeout(120_000);

/**
 * The rollback of a failed provision run (the compensations of clone, place and reserve) against
 * the simulator: what it destroys, releases and keeps, and that running it again after a crash
 * (its `cleanup` row left running) changes nothing more.
 */
describe('rollback of a failed provision run', () => {
  let t: TestDatabase;
  let db: Db;
  let env: ProvisioningEnv;

  beforeAll(async () => {
    t = await createTestDatabase();
    db = t.db;
    env = await startProvisioningEnv(db);
  });
  beforeEach(() => new PlacementLedger(db).clear());
  afterEach(() => env.healthy());
  afterAll(async () => {
    await env?.close();
    await t?.drop();
  });

  const vmsOf = (runId: string) =>
    env.sim.state.listVms().filter((v) => parseTags(String((v.config as Record<string, unknown>).tags ?? '')).includes(runTag(runId)));
  const heldAddresses = (requestId: string) =>
    db.selectFrom('ipAllocations').select('id').where('requestId', '=', requestId).where('releasedAt', 'is', null).execute();
  const vmRow = (requestId: string) =>
    db.selectFrom('vms').select(['state', 'vmid']).where('requestId', '=', requestId).executeTakeFirstOrThrow();
  const cleanedUp = (runId: string) =>
    db.selectFrom('auditLog').select('after').where('action', '=', 'vm.cleaned_up').where('targetId', '=', runId).orderBy('id').execute();
  /** What a worker that died in the middle of the rollback leaves: the run failed, its cleanup row running. */
  const interrupt = (runId: string) => transitionStep(db, runId, 'cleanup', ['done', 'failed'], 'running');

  it('should destroy its own VM, release vmid and address, and do nothing more when run again', async () => {
    const q = await makeQueuedProvisionRun(db, { ports: [22] });
    env.sim.faults.agentNeverStarts('*', true);
    const deps: WorkerDeps = { ...env.deps, config: { ...env.deps.config, GUEST_AGENT_WAIT_SECONDS: 1 } };
    const run = await runToEnd(deps, q.runId);
    expect(run).toMatchObject({ status: 'failed', errorCode: 'AGENT_TIMEOUT' });
    expect(vmsOf(q.runId)).toEqual([]);
    expect(await vmRow(q.requestId)).toMatchObject({ state: 'failed' });
    expect(await heldAddresses(q.requestId)).toEqual([]);
    expect(await cleanedUp(q.runId)).toEqual([{ after: expect.objectContaining({ vm: 'destroyed', addressesReleased: 1 }) }]);
    const steps = await listRunSteps(db, q.runId);
    expect(steps.find((s) => s.key === 'cleanup')).toMatchObject({ status: 'done' });
    expect(steps.filter((s) => s.key !== 'cleanup').every((s) => s.status === 'pending' && s.result === null)).toBe(true);

    await interrupt(q.runId);
    const again = await runToEnd(deps, q.runId);
    expect(again).toMatchObject({ status: 'failed', errorCode: 'AGENT_TIMEOUT' });
    expect((await listRunSteps(db, q.runId)).find((s) => s.key === 'cleanup')).toMatchObject({ status: 'done' });
    expect(await vmRow(q.requestId)).toMatchObject({ state: 'failed' });
    expect(await heldAddresses(q.requestId)).toEqual([]);
    // The second pass finds the VM absent and nothing left to release.
    expect((await cleanedUp(q.runId)).map((a) => a.after)).toEqual([
      expect.objectContaining({ vm: 'destroyed', addressesReleased: 1 }),
      expect.objectContaining({ vm: 'absent', addressesReleased: 0 }),
    ]);
  });

  it('should keep a VM it cannot check, with its vmid and address, also when run again', async () => {
    const q = await makeQueuedProvisionRun(db, { ports: [22] });
    env.sim.faults.agentNeverStarts('*', true);
    const deps: WorkerDeps = { ...env.deps, config: { ...env.deps.config, GUEST_AGENT_WAIT_SECONDS: 1, STEP_RETRIES: 0 } };
    const failing = runToEnd(deps, q.runId, { attempts: 1 });
    for (let i = 0; i < 400 && !(await listRunSteps(db, q.runId)).some((s) => s.key === 'await-agent' && s.status === 'running'); i++)
      await new Promise((r) => setTimeout(r, 25));
    env.sim.faults.setNodeOnline('pve1', false);
    const run = await failing;
    expect(run.status).toBe('failed');
    expect(vmsOf(q.runId)).toHaveLength(1);
    expect(await heldAddresses(q.requestId)).toHaveLength(1);
    expect((await vmRow(q.requestId)).state).toBe('provisioning');
    expect(await cleanedUp(q.runId)).toEqual([]);
    const finding = await db
      .selectFrom('reconcileFindings')
      .select(['kind', 'status'])
      .where('runId', '=', q.runId)
      .executeTakeFirstOrThrow();
    expect(finding).toEqual({ kind: 'cleanup_pending', status: 'open' });
    const cleanup = (await listRunSteps(db, q.runId)).find((s) => s.key === 'cleanup');
    // Unreachable node: either the check failed (cleanup failed) or the VM was judged not ours (kept); nothing released either way.
    expect(['done', 'failed']).toContain(cleanup?.status);
    expect((await listRunSteps(db, q.runId)).find((s) => s.key === 'clone')?.status).toBe('done');

    await interrupt(q.runId);
    await runToEnd(deps, q.runId);
    expect(vmsOf(q.runId)).toHaveLength(1);
    expect(await heldAddresses(q.requestId)).toHaveLength(1);
    expect((await vmRow(q.requestId)).state).toBe('provisioning');
    expect(await cleanedUp(q.runId)).toEqual([]);
  });
});
