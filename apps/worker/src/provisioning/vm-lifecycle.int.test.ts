import { RunSecretBox } from '@betang/config';
import { stepDetailIn } from '@betang/core';
import { getRun, listOpenFindings, type Db } from '@betang/db';
import { bootDisk } from './pve-vm';
import {
  createTestDatabase,
  makeOperator,
  makeQueuedActionRun,
  makeQueuedProvisionRun,
  testSshKey,
  TEST_SIGNING_MASTER_SECRET,
  type QueuedProvision,
  type TestDatabase,
} from '@betang/testkit';
import { waitForTask, ZVmConfig } from '@betang/proxmox';
import { reapRuns } from '../reconcile/reap-runs';
import { reconcileCluster } from '../reconcile/reconcile-cluster';
import { startProvisioningEnv, type ProvisioningEnv } from '../testing/provisioning-env';
import { runToEnd } from '../testing/run-to-end';

jest.setTimeout(120_000);

describe('day-2 actions, reconciliation and the reaper', () => {
  let t: TestDatabase;
  let db: Db;
  let env: ProvisioningEnv;
  let q: QueuedProvision;
  let vmid: number;

  const status = async () =>
    (await db.selectFrom('vpsRequests').select('status').where('id', '=', q.requestId).executeTakeFirstOrThrow()).status;
  const vmRow = () => db.selectFrom('vms').selectAll().where('requestId', '=', q.requestId).executeTakeFirstOrThrow();
  const simConfig = () => ZVmConfig.parse(env.sim.state.vm(vmid)?.config ?? {});

  beforeAll(async () => {
    t = await createTestDatabase();
    db = t.db;
    env = await startProvisioningEnv(db);
    await makeOperator(db);
    q = await makeQueuedProvisionRun(db, { ports: [] });
    env.portsByHostname.set(q.hostname, q.ports);
    expect((await runToEnd(env.deps, q.runId)).status).toBe('succeeded');
    vmid = (await vmRow()).vmid as number;
  });
  afterAll(async () => {
    await env?.close();
    await t?.drop();
  });

  it('should stop and start the VM, skipping what is already done, and keep request and VM rows in step', async () => {
    const stop = await makeQueuedActionRun(db, q.requestId, 'stop');
    expect((await runToEnd(env.deps, stop)).status).toBe('succeeded');
    expect(env.sim.state.vm(vmid)?.status).toBe('stopped');
    expect(await status()).toBe('stopped');
    expect((await vmRow()).state).toBe('stopped');
    const stopAgain = await makeQueuedActionRun(db, q.requestId, 'shutdown');
    expect((await runToEnd(env.deps, stopAgain)).status).toBe('succeeded');
    const skipped = await db
      .selectFrom('runSteps')
      .select('status')
      .where('runId', '=', stopAgain)
      .where('key', '=', 'power')
      .executeTakeFirstOrThrow();
    expect(skipped.status).toBe('skipped');
    const start = await makeQueuedActionRun(db, q.requestId, 'start');
    expect((await runToEnd(env.deps, start)).status).toBe('succeeded');
    expect(env.sim.state.vm(vmid)?.status).toBe('running');
    expect(await status()).toBe('active');
    const audit = await db.selectFrom('auditLog').select('action').where('targetType', '=', 'vm').execute();
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['vm.stopped', 'vm.shut_down', 'vm.started']));
  });

  it('should grow the VM and refuse to shrink it', async () => {
    const grow = await makeQueuedActionRun(db, q.requestId, 'resize', { cores: 4, memoryMiB: 4096, diskGiB: 20 });
    expect((await runToEnd(env.deps, grow)).status).toBe('succeeded');
    expect(bootDisk(simConfig())?.sizeBytes).toBe(20 * 1024 ** 3);
    expect(await vmRow()).toMatchObject({ cores: 4, memoryMiB: 4096, diskGiB: 20 });
    const shrink = await makeQueuedActionRun(db, q.requestId, 'resize', { diskGiB: 15 });
    const failed = await runToEnd(env.deps, shrink);
    expect(failed).toMatchObject({ status: 'failed', errorCode: 'RESIZE_SHRINK' });
    expect(failed.errorMessage).toContain('disk 20 GiB → 15 GiB');
    expect(bootDisk(simConfig())?.sizeBytes).toBe(20 * 1024 ** 3);
  });

  it('should apply a change: grow the disk and its filesystem online, open the new ports, reboot once for cores and memory', async () => {
    const before = await vmRow();
    const fsBefore = env.guests.state(vmid)?.disk.fsBytes ?? 0;
    const params = {
      cores: 6,
      memoryMiB: 6144,
      diskGiB: 30,
      from: { cores: before.cores, memoryMiB: before.memoryMiB, diskGiB: before.diskGiB },
      before: { cores: before.cores, memoryMiB: before.memoryMiB, diskGiB: before.diskGiB },
      ports: [80, 443],
      portsFrom: [],
    };
    const change = await makeQueuedActionRun(db, q.requestId, 'resize', params);
    expect((await runToEnd(env.deps, change)).status).toBe('succeeded');
    const steps = await db.selectFrom('runSteps').select(['key', 'status']).where('runId', '=', change).orderBy('key').execute();
    expect(Object.fromEntries(steps.map((st) => [st.key, st.status]))).toEqual({
      locate: 'done',
      resize: 'done',
      'grow-filesystem': 'done',
      ports: 'done',
      reboot: 'done',
      record: 'done',
    });
    // Proxmox: the disk is 30 GiB, cores and memory are current (the reboot applied them), nothing pending.
    const sim = env.sim.state.vm(vmid);
    expect(bootDisk(simConfig())?.sizeBytes).toBe(30 * 1024 ** 3);
    expect(sim?.pending).toEqual({});
    expect(simConfig()).toMatchObject({ cores: 6, memory: 6144 });
    // The guest: partition and ext4 grew by the 10 GiB; ufw opens exactly 22, 80, 443.
    const guest = env.guests.state(vmid);
    expect((guest?.disk.fsBytes ?? 0) - fsBefore).toBeGreaterThanOrEqual(10 * 1024 ** 3 - 4096);
    expect(guest?.ufw.rules.slice().sort()).toEqual(['22/tcp', '443/tcp', '80/tcp']);
    expect(await vmRow()).toMatchObject({ cores: 6, memoryMiB: 6144, diskGiB: 30 });
    expect((await db.selectFrom('vpsRequests').select('ports').where('id', '=', q.requestId).executeTakeFirstOrThrow()).ports).toEqual([
      80, 443,
    ]);

    // The same change again changes nothing: no second reboot, no growth, no firewall change.
    const again = await makeQueuedActionRun(db, q.requestId, 'resize', params);
    expect((await runToEnd(env.deps, again)).status).toBe('succeeded');
    const second = await db.selectFrom('runSteps').select(['key', 'status', 'detail']).where('runId', '=', again).execute();
    const byKey = Object.fromEntries(second.map((st) => [st.key, st]));
    expect(byKey.reboot?.status).toBe('skipped');
    expect(stepDetailIn(byKey['grow-filesystem']?.detail ?? '', 'en')).toMatch(/^already full/);
    expect(stepDetailIn(byKey.ports?.detail ?? '', 'id')).toBe('sudah sesuai');
    expect(guest?.disk.fsBytes).toBe(env.guests.state(vmid)?.disk.fsBytes);
  });

  it('should report orphans, missing VMs and drift without touching the cluster, one leader at a time', async () => {
    // An orphan: a Betang-tagged VM nobody recorded.
    // Both calls start PVE tasks: wait for each to finish, as a real client would, before looking.
    const clone = await env.pve.request<string>('POST', '/nodes/pve1/qemu/9000/clone', {
      newid: 100_950,
      full: 1,
      storage: 'ceph',
      name: 'stray',
    });
    await waitForTask(env.pve, clone, { deadlineMs: 60_000 });
    const tag = await env.pve.request<string>('POST', '/nodes/pve1/qemu/100950/config', { tags: 'betang' });
    await waitForTask(env.pve, tag, { deadlineMs: 60_000 });
    expect(env.sim.state.vm(100_950)?.lock).toBeUndefined();
    const round = await reconcileCluster(env.deps);
    expect(round).toMatchObject({ leader: true });
    const open = await listOpenFindings(db);
    const kinds = open.map((f) => `${f.kind}:${f.vmid}`);
    expect(kinds).toContain('orphan_vm:100950');
    expect(env.sim.state.vm(100_950)).toBeDefined();
    const again = await reconcileCluster(env.deps);
    expect(again).toMatchObject({ leader: true, findings: (round as { findings: number }).findings, resolved: 0 });
    expect((await listOpenFindings(db)).length).toBe(open.length);
    // A concurrent round while one holds the leader lock is skipped.
    const [a, b] = await Promise.all([reconcileCluster(env.deps), reconcileCluster(env.deps)]);
    expect([a.leader, b.leader].sort()).toEqual([false, true]);
  });

  it('should fail a run left running by a dead worker, but not one whose job is alive', async () => {
    const other = await makeQueuedProvisionRun(db, { enqueue: false });
    const runId = other.runId;
    await db
      .updateTable('provisioningRuns')
      .set({ status: 'running', heartbeatAt: new Date(Date.now() - 3_600_000), currentStep: 'clone' })
      .where('id', '=', runId)
      .execute();
    const alive = await reapRuns({ ...env.deps, jobState: async () => 'active' });
    expect(alive).not.toContain(runId);
    // Parked off the worker (no heartbeat while it sleeps): alive until its time and a stale period after.
    const parkedFor = (ms: number) =>
      db
        .updateTable('provisioningRuns')
        .set({ parkedUntil: new Date(Date.now() + ms) })
        .where('id', '=', runId)
        .execute();
    await parkedFor(30_000);
    expect(await reapRuns({ ...env.deps, jobState: async () => undefined })).not.toContain(runId);
    await parkedFor(-3_600_000);
    const reaped = await reapRuns({ ...env.deps, jobState: async () => undefined });
    expect(reaped).toContain(runId);
    const run = await getRun(db, runId);
    expect(run).toMatchObject({ status: 'failed', errorCode: 'RUN_LOST', errorRetryable: true });
    expect(run?.errorMessage).toContain('clone');
    expect(await reapRuns({ ...env.deps, jobState: async () => undefined })).toEqual([]);
    const held = await db
      .selectFrom('ipAllocations')
      .select('id')
      .where('requestId', '=', other.requestId)
      .where('releasedAt', 'is', null)
      .execute();
    expect(held).toEqual([]);
  });

  it("should replace the admin user's SSH keys through the guest agent, once, and refuse a stopped VM", async () => {
    const admin = q.institutionCode.toLowerCase();
    const file = `/home/${admin}/.ssh/authorized_keys`;
    const keys = [testSshKey('budi@laptop-baru'), testSshKey('rina@kantor')];
    const writesBefore = env.sim.state.guestFiles(vmid).has(file);
    expect(writesBefore).toBe(false);
    const run = await makeQueuedActionRun(db, q.requestId, 'ssh_keys', { sshPublicKeys: keys, adminUser: admin });
    expect((await runToEnd(env.deps, run)).status).toBe('succeeded');
    expect(env.sim.state.guestFiles(vmid).get(file)?.toString('utf8')).toBe(`${keys.join('\n')}\n`);
    const steps = await db.selectFrom('runSteps').select(['key', 'status']).where('runId', '=', run).orderBy('position').execute();
    expect(steps).toEqual([
      { key: 'locate', status: 'done' },
      { key: 'write-keys', status: 'done' },
      { key: 'record', status: 'done' },
    ]);
    const request = await db.selectFrom('vpsRequests').select('sshPublicKeys').where('id', '=', q.requestId).executeTakeFirstOrThrow();
    expect(request.sshPublicKeys).toEqual(keys);
    const audit = await db.selectFrom('auditLog').select('action').where('targetType', '=', 'vm').execute();
    expect(audit.map((a) => a.action)).toContain('vm.ssh_keys_replaced');

    // A replayed job (the same run again) changes nothing: the finished run is not executed twice.
    expect((await runToEnd(env.deps, run)).status).toBe('succeeded');
    expect(await db.selectFrom('auditLog').select('action').where('action', '=', 'vm.ssh_keys_replaced').execute()).toHaveLength(1);

    // No agent in a stopped VM: a clear, permanent failure; the file is left as it was.
    const stop = await makeQueuedActionRun(db, q.requestId, 'stop');
    expect((await runToEnd(env.deps, stop)).status).toBe('succeeded');
    const refused = await makeQueuedActionRun(db, q.requestId, 'ssh_keys', { sshPublicKeys: [testSshKey()], adminUser: admin });
    expect(await runToEnd(env.deps, refused)).toMatchObject({ status: 'failed', errorCode: 'VM_NOT_RUNNING' });
    expect(env.sim.state.guestFiles(vmid).get(file)?.toString('utf8')).toBe(`${keys.join('\n')}\n`);
    const start = await makeQueuedActionRun(db, q.requestId, 'start');
    expect((await runToEnd(env.deps, start)).status).toBe('succeeded');
  });

  it('should set the console password through the guest agent from the sealed params, then wipe them', async () => {
    const admin = q.institutionCode.toLowerCase();
    const box = new RunSecretBox(TEST_SIGNING_MASTER_SECRET);
    const deps = { ...env.deps, runSecrets: box };
    const vmRowId = (await vmRow()).id;
    const sealed = box.seal(`console-password/${vmRowId}`, 'Kuda-Lari-Di-Pantai-7319');
    const run = await makeQueuedActionRun(db, q.requestId, 'console_password', { adminUser: admin, consolePassword: sealed });
    expect(await runToEnd(deps, run)).toMatchObject({ status: 'succeeded' });
    expect(env.sim.state.guestPassword(vmid, admin)).toEqual({ value: 'Kuda-Lari-Di-Pantai-7319', crypted: false });
    const steps = await db.selectFrom('runSteps').select(['key', 'status']).where('runId', '=', run).orderBy('position').execute();
    expect(steps.map((s) => `${s.key}:${s.status}`)).toEqual(['locate:done', 'set-console-password:done', 'record:done']);
    const row = await db.selectFrom('provisioningRuns').select('params').where('id', '=', run).executeTakeFirstOrThrow();
    expect(row.params).toEqual({ adminUser: admin });
    const audit = await db.selectFrom('auditLog').select(['action', 'after']).where('action', '=', 'vm.console_password_set').execute();
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit)).not.toContain('enc:v1:');

    // Sealed for another VM, or a worker without the key: a permanent failure, and the sealed value is wiped all the same.
    const foreign = await makeQueuedActionRun(db, q.requestId, 'console_password', {
      adminUser: admin,
      consolePassword: box.seal('console-password/00000000-0000-4000-8000-000000000001', 'lain-lagi-sekali-99'),
    });
    expect(await runToEnd(deps, foreign)).toMatchObject({ status: 'failed', errorCode: 'PARAMS_INVALID' });
    const failedRow = await db.selectFrom('provisioningRuns').select('params').where('id', '=', foreign).executeTakeFirstOrThrow();
    expect(failedRow.params).toEqual({ adminUser: admin });
    const keyless = await makeQueuedActionRun(db, q.requestId, 'console_password', { adminUser: admin, consolePassword: sealed });
    expect(await runToEnd(env.deps, keyless)).toMatchObject({ status: 'failed', errorCode: 'PARAMS_INVALID' });
    expect(env.sim.state.guestPassword(vmid, admin)?.value).toBe('Kuda-Lari-Di-Pantai-7319');
  });

  it('should decommission: destroy with purge, release the address, keep history', async () => {
    const run = await makeQueuedActionRun(db, q.requestId, 'decommission', { reason: 'aplikasi dihentikan' });
    expect((await runToEnd(env.deps, run)).status).toBe('succeeded');
    expect(env.sim.state.vm(vmid)).toBeUndefined();
    expect(await status()).toBe('decommissioned');
    expect((await vmRow()).state).toBe('decommissioned');
    const lease = await db
      .selectFrom('ipAllocations')
      .select(['releasedAt', 'releaseReason'])
      .where('requestId', '=', q.requestId)
      .executeTakeFirstOrThrow();
    expect(lease.releasedAt).not.toBeNull();
    const runs = await db.selectFrom('provisioningRuns').select('kind').where('requestId', '=', q.requestId).execute();
    expect(runs.length).toBeGreaterThanOrEqual(6);
    const missing = await reconcileCluster(env.deps);
    expect(missing).toMatchObject({ leader: true });
    expect((await listOpenFindings(db)).some((f) => f.kind === 'missing_vm' && f.vmid === vmid)).toBe(false);
  });

  it("should make a new request that reuses the destroyed VM's vmid active: the emulated guest starts fresh", async () => {
    // The demo bug: the emulated guest kept the destroyed VM's hostname and files, so every later
    // request on that vmid failed with GUEST_STEP_NOT_CONVERGED.
    expect(env.sim.state.vm(vmid)).toBeUndefined();
    // An operator who does not keep PBS backup groups per vmid may allow reuse at once.
    env.deps.config.VMID_REUSE_DAYS = 0;
    const next = await makeQueuedProvisionRun(db, { ports: [8080] });
    env.portsByHostname.set(next.hostname, next.ports);
    const run = await runToEnd(env.deps, next.runId);
    expect(run).toMatchObject({ status: 'succeeded', errorCode: null });
    const row = await db.selectFrom('vms').select(['vmid', 'state']).where('requestId', '=', next.requestId).executeTakeFirstOrThrow();
    expect(row).toEqual({ vmid, state: 'running' });
    expect(env.guests.state(vmid)).toMatchObject({ hostname: next.hostname, ufw: { rules: ['22/tcp', '8080/tcp'] } });
  });
});
