import { getRun, insertRun, listRunSteps, type Db, type RunRow } from '@betang/db';
import { parseTags } from '@betang/proxmox';
import {
  createTestDatabase,
  makeOperator,
  makeQueuedProvisionRun,
  randomSshPublicKey,
  type QueuedProvision,
  type TestDatabase,
} from '@betang/testkit';
import type { WorkerDeps } from '../deps';
import { startProvisioningEnv, type ProvisioningEnv } from '../testing/provisioning-env';
import { runToEnd } from '../testing/run-to-end';
import { PlacementLedger } from './placement-ledger';
import { runTag } from './provision-context';

jest.setTimeout(120_000);

describe('provisioning under every simulator fault class', () => {
  let t: TestDatabase;
  let db: Db;
  let env: ProvisioningEnv;

  beforeAll(async () => {
    t = await createTestDatabase();
    db = t.db;
    env = await startProvisioningEnv(db);
    await makeOperator(db);
  });
  // Each test expects the cluster's first choice (pve1): earlier tests' VMs in this process's
  // placement ledger would otherwise spread it elsewhere.
  beforeEach(() => new PlacementLedger(db).clear());
  afterEach(() => env.healthy());
  afterAll(async () => {
    await env?.close();
    await t?.drop();
  });

  async function queued(o: Parameters<typeof makeQueuedProvisionRun>[1] = {}): Promise<QueuedProvision> {
    const q = await makeQueuedProvisionRun(db, { ports: [443], ...o });
    env.portsByHostname.set(q.hostname, q.ports);
    return q;
  }

  const vmsOf = (runId: string) =>
    env.sim.state.listVms().filter((v) => parseTags(String((v.config as Record<string, unknown>).tags ?? '')).includes(runTag(runId)));

  /** The state a permanent failure must leave: reason, request failed, VM gone, vmid and IP released, operators told. */
  async function expectCleanFailure(q: QueuedProvision, run: RunRow, code: string) {
    expect(run).toMatchObject({ status: 'failed', errorCode: code });
    expect(run.errorMessage).toMatch(/Tindakan: /);
    expect(run.errorMessage).toMatch(/What to do: /);
    const request = await db
      .selectFrom('vpsRequests')
      .select(['status', 'statusReason'])
      .where('id', '=', q.requestId)
      .executeTakeFirstOrThrow();
    expect(request.status).toBe('failed');
    expect(request.statusReason).toBe(run.errorMessage);
    expect(vmsOf(q.runId)).toEqual([]);
    const vm = await db.selectFrom('vms').select('state').where('requestId', '=', q.requestId).executeTakeFirst();
    if (vm) expect(vm.state).toBe('failed');
    const held = await db
      .selectFrom('ipAllocations')
      .select('id')
      .where('requestId', '=', q.requestId)
      .where('releasedAt', 'is', null)
      .execute();
    expect(held).toEqual([]);
    const steps = await listRunSteps(db, q.runId);
    expect(steps.find((s) => s.key === 'cleanup')?.status).toBe('done');
    // The requester reads the humane message; operators get the code, its advice and where to retry.
    const told = await db
      .selectFrom('notifications')
      .select(['userId', 'body', 'reason'])
      .where('reason', 'like', `vps_request:${q.requestId}:failed:${q.runId}:%`)
      .execute();
    const forRequester = told.filter((n) => n.userId === q.requesterId);
    expect(forRequester).toHaveLength(1);
    expect(forRequester[0]!.body).toEqual({
      id: 'Penyiapan gagal; operator sudah diberi tahu dan akan menghubungi Anda.',
      en: 'Preparation failed; the operators have been told and will contact you.',
    });
    const forOperators = told.filter((n) => n.userId !== q.requesterId);
    expect(forOperators.length).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(forOperators[0]!.body)).toContain(code);
    expect(JSON.stringify(forOperators[0]!.body)).toContain('runbook');
    const mail = await db
      .selectFrom('outbox')
      .select('payload')
      .where('topic', '=', 'email')
      .where('payload', '@>', JSON.stringify({ reason: `vps_request:${q.requestId}:failed:${q.runId}:requester` }))
      .execute();
    expect(mail).toHaveLength(1);
    expect(JSON.stringify(mail[0]!.payload)).not.toContain(code);
  }

  it('should ride out transient faults (5xx, no worker upid, storage lock, proxy timeouts, slow tasks) and succeed', async () => {
    const q = await queued();
    env.sim.faults.addRouteError({
      method: 'POST',
      path: '/nodes/*/qemu/*/config',
      status: 500,
      message: 'got no worker upid - start worker failed',
      times: 2,
    });
    env.sim.faults.addRouteError({ method: 'GET', path: '/cluster/resources', status: 596, message: 'Connection timed out', times: 2 });
    env.sim.faults.noWorkerUpid(2);
    env.sim.faults.storageLockTimeout('ceph', 1);
    env.sim.faults.slowTasks('qmclone', 3);
    const run = await runToEnd(env.deps, q.runId, { attempts: 4 });
    expect(run).toMatchObject({ status: 'succeeded', progress: 100 });
    expect(vmsOf(q.runId)).toHaveLength(1);
  });

  it('should succeed after a short loss of quorum', async () => {
    const q = await queued();
    env.sim.faults.setQuorum(false);
    setTimeout(() => env.sim.faults.setQuorum(true), 150);
    const run = await runToEnd(env.deps, q.runId, { attempts: 5 });
    expect(run.status).toBe('succeeded');
  });

  it('should fail clearly when the template is missing, creating nothing', async () => {
    const q = await queued({ templateVmid: 9999, templateId: 'missing-tpl' });
    const run = await runToEnd(env.deps, q.runId);
    await expectCleanFailure(q, run, 'TEMPLATE_MISSING');
    expect(run.errorMessage).toContain('VMID 9999');
    expect(run.attempt).toBe(1);
  });

  it('should fail clearly on a full storage and clean up', async () => {
    const q = await queued();
    env.sim.faults.fillStorage('ceph');
    const run = await runToEnd(env.deps, q.runId);
    await expectCleanFailure(q, run, 'STORAGE_FULL');
    expect(run.errorMessage).toContain('ceph');
    expect(run.errorMessage).toContain('pve1');
  });

  it('should fail clearly when the agent never comes up, destroying only its own VM', async () => {
    const q = await queued();
    env.sim.faults.agentNeverStarts('*', true);
    const deps: WorkerDeps = { ...env.deps, config: { ...env.deps.config, GUEST_AGENT_WAIT_SECONDS: 1 } };
    const run = await runToEnd(deps, q.runId);
    await expectCleanFailure(q, run, 'AGENT_TIMEOUT');
    expect(run.errorMessage).toContain('qemu-guest-agent');
    expect(run.errorMessage).toMatch(/node pve1 \(VM 1000\d\d\)/);
  });

  it('should fail clearly when SSH presents a key other than the pinned one', async () => {
    const q = await queued();
    const impostor = randomSshPublicKey('root@impostor');
    env.sim.faults.setGuestCommandHandler((vmid, command) =>
      command.includes('ssh_host_ed25519_key.pub') ? { code: 0, stdout: `${impostor}\n` } : env.guests(vmid, command),
    );
    const run = await runToEnd(env.deps, q.runId);
    await expectCleanFailure(q, run, 'GUEST_HOST_KEY_MISMATCH');
    expect(run.errorMessage).toContain('interception');
    const steps = await listRunSteps(db, q.runId);
    expect(steps.find((s) => s.key === 'configure-guest')?.error).toMatchObject({ code: 'GUEST_HOST_KEY_MISMATCH', retryable: false });
  });

  it('should fail clearly when the node goes offline mid-clone, keeping vmid and IP until an operator decides', async () => {
    const q = await queued();
    env.sim.faults.slowTasks('qmclone', 30);
    const deps: WorkerDeps = { ...env.deps, config: { ...env.deps.config, PVE_CLONE_TASK_SECONDS: 1, STEP_RETRIES: 1 } };
    const done = runToEnd(deps, q.runId, { attempts: 2 });
    for (let i = 0; i < 200 && !env.sim.state.tasks().some((task) => task.type === 'qmclone' && task.status === 'running'); i++)
      await new Promise((r) => setTimeout(r, 25));
    env.sim.faults.setNodeOnline('pve1', false);
    const run = await done;
    expect(run.status).toBe('failed');
    expect(run.errorMessage).toContain('pve1');
    expect(run.errorMessage).toMatch(/Node tidak dapat dihubungi|tidak dapat dihubungi/);
    const finding = await db.selectFrom('reconcileFindings').selectAll().where('runId', '=', q.runId).executeTakeFirst();
    expect(finding).toMatchObject({ kind: 'cleanup_pending', status: 'open' });
    const held = await db
      .selectFrom('ipAllocations')
      .select('id')
      .where('requestId', '=', q.requestId)
      .where('releasedAt', 'is', null)
      .execute();
    expect(held).toHaveLength(1);
    expect((await db.selectFrom('vms').select('state').where('requestId', '=', q.requestId).executeTakeFirstOrThrow()).state).not.toBe(
      'failed',
    );

    // The node is back; the operator retries (the API writes a new provision run): the VM the
    // failed run left behind is adopted, not cloned a second time.
    env.sim.faults.setNodeOnline('pve1', true);
    env.sim.faults.slowTasks('qmclone', 1);
    const vmidBefore = (await db.selectFrom('vms').select('vmid').where('requestId', '=', q.requestId).executeTakeFirstOrThrow()).vmid;
    await db.updateTable('vpsRequests').set({ status: 'queued', statusReason: null }).where('id', '=', q.requestId).execute();
    const retry = await insertRun(db, { requestId: q.requestId, kind: 'provision' });
    const after = await runToEnd(env.deps, retry.id);
    expect(after.status).toBe('succeeded');
    const vm = await db.selectFrom('vms').select(['vmid', 'state']).where('requestId', '=', q.requestId).executeTakeFirstOrThrow();
    expect(vm).toEqual({ vmid: vmidBefore, state: 'running' });
    const built = env.sim.state
      .listVms()
      .filter(
        (v) =>
          /betang-run=/.test(String((v.config as Record<string, unknown>).description ?? '')) &&
          [q.runId, retry.id].some((id) => String((v.config as Record<string, unknown>).description).includes(id)),
      );
    expect(built.map((v) => v.vmid)).toEqual([vmidBefore]);
    expect((await listRunSteps(db, retry.id)).find((s) => s.key === 'clone')?.detail).toContain('adopted');
    // The worry of the failed run is gone with the hand-over: its finding no longer waits for an operator.
    const resolved = await db
      .selectFrom('reconcileFindings')
      .select(['status', 'resolvedAt'])
      .where('runId', '=', q.runId)
      .executeTakeFirstOrThrow();
    expect(resolved.status).toBe('resolved');
    expect(resolved.resolvedAt).toBeInstanceOf(Date);
  });

  it('should wait out a backup lock on the template and succeed', async () => {
    const q = await queued();
    env.sim.faults.setConfigLock(9000, 'backup');
    setTimeout(() => env.sim.faults.setConfigLock(9000, undefined), 150);
    const run = await runToEnd(env.deps, q.runId, { attempts: 5 });
    expect(run.status).toBe('succeeded');
  });

  it('should survive a clone worker that died leaving a stale lock: a new vmid, no second VM of its own', async () => {
    const q = await queued();
    env.sim.faults.staleCloneLock(1);
    const deps: WorkerDeps = { ...env.deps, config: { ...env.deps.config, PVE_CLONE_TASK_SECONDS: 1 } };
    const run = await runToEnd(deps, q.runId, { attempts: 4 });
    expect(run.status).toBe('succeeded');
    const vm = await db.selectFrom('vms').select(['vmid', 'state']).where('requestId', '=', q.requestId).executeTakeFirstOrThrow();
    expect(vm.state).toBe('running');
    expect(vmsOf(q.runId).map((v) => v.vmid)).toEqual([vm.vmid]);
  });

  it('should fail clearly when the token lacks a privilege', async () => {
    const q = await queued();
    env.sim.faults.denyPrivilege('VM.Clone', true);
    const run = await runToEnd(env.deps, q.runId);
    expect(run).toMatchObject({ status: 'failed', errorCode: 'PVE_FORBIDDEN' });
    expect(run.errorMessage).toContain('VM.Clone');
  });

  it('should fail clearly when the API token is revoked', async () => {
    const q = await queued();
    env.sim.faults.revokeToken(env.sim.tokenId, true);
    const run = await runToEnd(env.deps, q.runId);
    expect(run).toMatchObject({ status: 'failed', errorCode: 'PVE_UNAUTHORIZED' });
    expect(run.errorMessage).toContain('PVE_TOKEN_ID');
    expect(await getRun(db, q.runId)).toMatchObject({ errorRetryable: false });
  });
});
