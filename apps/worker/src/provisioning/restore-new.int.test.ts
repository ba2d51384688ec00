import { type Db } from '@betang/db';
import { backupClient } from '@betang/proxmox';
import { createTestDatabase, makeOperator, makeQueuedProvisionRun, type QueuedProvision, type TestDatabase } from '@betang/testkit';
import { startProvisioningEnv, type ProvisioningEnv } from '../testing/provisioning-env';
import { runToEnd } from '../testing/run-to-end';

jest.setTimeout(180_000);

describe('restore into a new VM against the simulator', () => {
  let t: TestDatabase;
  let db: Db;
  let env: ProvisioningEnv;
  let source: QueuedProvision;
  let sourceVmid: number;
  let backupId: string;
  let volid: string;

  /** A queued provision run whose request restores `backupId` (as the API writes it on approval). */
  async function queuedRestore(backup: string): Promise<QueuedProvision> {
    const q = await makeQueuedProvisionRun(db, { ports: [], poolOctet: 160 + Math.floor(Math.random() * 40) });
    await db.updateTable('vpsRequests').set({ restoreFromBackupId: backup }).where('id', '=', q.requestId).execute();
    env.portsByHostname.set(q.hostname, q.ports);
    return q;
  }

  beforeAll(async () => {
    t = await createTestDatabase();
    db = t.db;
    env = await startProvisioningEnv(db);
    await makeOperator(db);
    source = await makeQueuedProvisionRun(db, { ports: [] });
    env.portsByHostname.set(source.hostname, source.ports);
    expect((await runToEnd(env.deps, source.runId)).status).toBe('succeeded');
    const vm = await db
      .selectFrom('vms')
      .select(['id', 'vmid', 'node'])
      .where('requestId', '=', source.requestId)
      .executeTakeFirstOrThrow();
    sourceVmid = vm.vmid as number;
    const done = await backupClient(env.pve).vzdump(vm.node ?? 'pve1', { vmid: sourceVmid, storage: 'pbs' }, { deadlineMs: 60_000 });
    volid = done.volid;
    const row = await db
      .insertInto('vmBackups')
      .values({
        vmId: vm.id,
        vmid: sourceVmid,
        node: vm.node ?? 'pve1',
        storage: 'pbs',
        backupDate: '2026-12-07',
        outcome: 'ok',
        volid: done.volid,
        upid: done.upid,
        sizeBytes: done.size,
        finishedAt: new Date(),
        durationSeconds: done.durationSec,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    backupId = row.id;
  });
  afterAll(async () => {
    await env?.close();
    await t?.drop();
  });

  it('should restore the backup to a new vmid with new MACs and uuid, re-apply its identity and start it, leaving the source alone', async () => {
    const sourceBefore = structuredClone(env.sim.state.vm(sourceVmid)!.config);
    const vmsBefore = env.sim.state.listVms().length;
    const q = await queuedRestore(backupId);
    const run = await runToEnd(env.deps, q.runId);
    expect(`${run.status} ${run.errorCode ?? ''} ${run.errorMessage ?? ''}`.trim()).toBe('succeeded');
    const vm = await db.selectFrom('vms').selectAll().where('requestId', '=', q.requestId).executeTakeFirstOrThrow();
    expect(vm.state).toBe('running');
    expect(vm.vmid).not.toBe(sourceVmid);
    const restored = env.sim.state.vm(vm.vmid as number)!;
    expect(restored.status).toBe('running');
    // one qmrestore of the archive, with unique=1: new MAC and SMBIOS uuid
    const tasks = env.sim.state.tasks().filter((x) => x.type === 'qmrestore' && x.id === String(vm.vmid));
    expect(tasks).toHaveLength(1);
    expect(restored.config.net0).not.toBe(sourceBefore.net0);
    expect(String(restored.config.net0)).not.toContain(String(sourceBefore.net0).match(/[0-9A-F]{2}(:[0-9A-F]{2}){5}/i)![0]);
    expect(restored.config.smbios1).not.toBe(sourceBefore.smbios1);
    // Betang's identity for the new request: name, marker, run tag, address
    expect(restored.config.name).toBe(q.hostname);
    expect(String(restored.config.description)).toContain(`betang-run=${q.runId}`);
    expect(String(restored.config.description)).not.toContain(`betang-run=${source.runId}`);
    expect(String(restored.config.tags)).toContain(`betang-run-${q.runId}`);
    const lease = await db
      .selectFrom('ipAllocations')
      .select((eb) => eb.fn<string>('host', [eb.ref('address')]).as('address'))
      .where('requestId', '=', q.requestId)
      .where('releasedAt', 'is', null)
      .executeTakeFirstOrThrow();
    expect(String(restored.config.ipconfig0)).toContain(`ip=${lease.address}/`);
    expect(vm.macAddress).toBeTruthy();
    expect(String(restored.config.net0).toLowerCase()).toContain(vm.macAddress!.toLowerCase());
    // the source VM is untouched
    expect(env.sim.state.vm(sourceVmid)!.config).toEqual(sourceBefore);
    expect(env.sim.state.vm(sourceVmid)!.status).toBe('running');
    expect(env.sim.state.listVms().length).toBe(vmsBefore + 1);
    const request = await db.selectFrom('vpsRequests').select('status').where('id', '=', q.requestId).executeTakeFirstOrThrow();
    expect(request.status).toBe('active');
    const audit = await db
      .selectFrom('auditLog')
      .select(['action', 'after'])
      .where('targetId', '=', vm.id)
      .where('action', '=', 'vm.restored_new')
      .orderBy('id')
      .execute();
    expect(audit).toEqual([{ action: 'vm.restored_new', after: expect.objectContaining({ backupId, volid, adopted: false }) }]);
  });

  it('should adopt (never restore twice) a restore an earlier attempt finished before it could record it', async () => {
    const q = await queuedRestore(backupId);
    // The first attempt: reserve and place ran, then PVE restored into the reserved vmid while
    // the worker died — simulated by running the run to the end once, then wiping Betang's record
    // of the clone step and running again.
    const first = await runToEnd(env.deps, q.runId);
    expect(first.status).toBe('succeeded');
    const vm = await db.selectFrom('vms').select(['vmid']).where('requestId', '=', q.requestId).executeTakeFirstOrThrow();
    const restoresBefore = env.sim.state.tasks().filter((x) => x.type === 'qmrestore' && x.id === String(vm.vmid)).length;
    expect(restoresBefore).toBe(1);
    const vmsBefore = env.sim.state.listVms().length;
    // the request retried by an operator: a new run adopts the VM its earlier run restored
    await db
      .updateTable('provisioningRuns')
      .set({ status: 'failed', finishedAt: new Date(), errorCode: 'WORKER_LOST', errorMessage: 'uji / test' })
      .where('id', '=', q.runId)
      .execute();
    await db.updateTable('vpsRequests').set({ status: 'failed' }).where('id', '=', q.requestId).execute();
    await db.updateTable('vms').set({ state: 'provisioning' }).where('requestId', '=', q.requestId).execute();
    const retry = await db
      .insertInto('provisioningRuns')
      .values({ requestId: q.requestId, kind: 'provision', status: 'queued', params: JSON.stringify({}) })
      .returning('id')
      .executeTakeFirstOrThrow();
    const second = await runToEnd(env.deps, retry.id);
    expect(`${second.status} ${second.errorMessage ?? ''}`.trim()).toBe('succeeded');
    expect(env.sim.state.tasks().filter((x) => x.type === 'qmrestore' && x.id === String(vm.vmid))).toHaveLength(1);
    expect(env.sim.state.listVms().length).toBe(vmsBefore);
    expect(String(env.sim.state.vm(vm.vmid as number)!.config.description)).toContain(`betang-run=${retry.id}`);
  });

  it('should fail clearly and leave nothing when the archive is gone', async () => {
    const src = await db.selectFrom('vms').select('id').where('requestId', '=', source.requestId).executeTakeFirstOrThrow();
    const missing = await db
      .insertInto('vmBackups')
      .values({
        vmId: src.id,
        vmid: sourceVmid,
        node: 'pve1',
        storage: 'pbs',
        backupDate: '2026-12-01',
        outcome: 'ok',
        volid: `pbs:backup/vm/${sourceVmid}/2026-12-01T18:00:00Z`,
        finishedAt: new Date(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const vmsBefore = env.sim.state.listVms().length;
    const q = await queuedRestore(missing.id);
    const run = await runToEnd(env.deps, q.runId);
    expect(run.status).toBe('failed');
    expect(run.errorCode).toMatch(/BACKUP_ARCHIVE_MISSING|RESTORE_FAILED/);
    expect(env.sim.state.listVms().length).toBe(vmsBefore);
    const held = await db
      .selectFrom('ipAllocations')
      .select('id')
      .where('requestId', '=', q.requestId)
      .where('releasedAt', 'is', null)
      .execute();
    expect(held).toHaveLength(0);
    const findings = await db.selectFrom('reconcileFindings').select('kind').where('runId', '=', q.runId).execute();
    expect(findings.filter((f) => f.kind === 'cleanup_pending')).toHaveLength(0);
  });
  it('should restore a backup on a node-local storage on the node that holds the archive', async () => {
    const src = await db.selectFrom('vms').select(['id', 'node']).where('requestId', '=', source.requestId).executeTakeFirstOrThrow();
    // `local` exists on every node under the same id, but only the source's node has this archive
    const done = await backupClient(env.pve).vzdump(src.node!, { vmid: sourceVmid, storage: 'local' }, { deadlineMs: 60_000 });
    const onLocal = await db
      .insertInto('vmBackups')
      .values({
        vmId: src.id,
        vmid: sourceVmid,
        node: src.node!,
        storage: 'local',
        backupDate: '2026-12-02',
        outcome: 'ok',
        volid: done.volid,
        upid: done.upid,
        finishedAt: new Date(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const q = await queuedRestore(onLocal.id);
    const run = await runToEnd(env.deps, q.runId);
    expect(`${run.status} ${run.errorCode ?? ''} ${run.errorMessage ?? ''}`.trim()).toBe('succeeded');
    const vm = await db.selectFrom('vms').select(['vmid', 'node']).where('requestId', '=', q.requestId).executeTakeFirstOrThrow();
    expect(vm.node).toBe(src.node);
    expect(env.sim.state.vm(vm.vmid as number)?.node).toBe(src.node);
  });
});
