import { getRun, type Db } from '@betang/db';
import { DEFAULT_STORAGES } from '@betang/pve-simulator';
import {
  createTestDatabase,
  makeOperator,
  makeQueuedActionRun,
  makeQueuedProvisionRun,
  type QueuedProvision,
  type TestDatabase,
} from '@betang/testkit';
import { startProvisioningEnv, type ProvisioningEnv } from '../testing/provisioning-env';
import { runToEnd } from '../testing/run-to-end';

jest.setTimeout(180_000);

/** A snapshot row as the API writes it, and its run. */
async function queueSnapshotRun(
  db: Db,
  requestId: string,
  kind: 'snapshot' | 'snapshot_rollback' | 'snapshot_delete',
  o: { snapshotId?: string; withRam?: boolean; start?: boolean } = {},
): Promise<{ runId: string; snapshotId: string; name: string }> {
  const vm = await db.selectFrom('vms').select('id').where('requestId', '=', requestId).executeTakeFirstOrThrow();
  let snapshotId = o.snapshotId;
  if (!snapshotId) {
    const row = await db
      .insertInto('vmSnapshots')
      .values({
        vmId: vm.id,
        name: `betang-${Math.random().toString(16).slice(2, 14).padEnd(12, '0')}`,
        label: 'uji',
        withRam: o.withRam === true,
        status: 'creating',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    snapshotId = row.id;
  }
  if (kind === 'snapshot_delete') await db.updateTable('vmSnapshots').set({ status: 'deleting' }).where('id', '=', snapshotId).execute();
  const { name } = await db.selectFrom('vmSnapshots').select('name').where('id', '=', snapshotId).executeTakeFirstOrThrow();
  const runId = await makeQueuedActionRun(db, requestId, kind, { snapshotId, ...(o.start === undefined ? {} : { start: o.start }) });
  return { runId, snapshotId, name };
}

describe('snapshot runs against the simulator', () => {
  let t: TestDatabase;
  let db: Db;
  let env: ProvisioningEnv;
  let q: QueuedProvision;
  let vmid: number;
  const snapRow = (id: string) => db.selectFrom('vmSnapshots').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const simSnapshots = async () => (await env.pve.vm(env.sim.state.vm(vmid)?.node ?? 'pve1', vmid).snapshots()).snapshots;
  const stepStatus = async (runId: string, key: string) =>
    (await db.selectFrom('runSteps').select('status').where('runId', '=', runId).where('key', '=', key).executeTakeFirstOrThrow()).status;

  beforeAll(async () => {
    t = await createTestDatabase();
    db = t.db;
    env = await startProvisioningEnv(db);
    await makeOperator(db);
    q = await makeQueuedProvisionRun(db, { ports: [] });
    env.portsByHostname.set(q.hostname, q.ports);
    expect((await runToEnd(env.deps, q.runId)).status).toBe('succeeded');
    vmid = (await db.selectFrom('vms').select('vmid').where('requestId', '=', q.requestId).executeTakeFirstOrThrow()).vmid as number;
  });
  afterAll(async () => {
    await env?.close();
    await t?.drop();
  });

  it('should take a snapshot with RAM once, even when the run is repeated', async () => {
    const { runId, snapshotId, name } = await queueSnapshotRun(db, q.requestId, 'snapshot', { withRam: true });
    expect((await runToEnd(env.deps, runId)).status).toBe('succeeded');
    expect(await snapRow(snapshotId)).toMatchObject({ status: 'present', withRam: true, takenAt: expect.any(Date) });
    expect((await simSnapshots()).map((s) => [s.name, s.vmstate, s.description])).toEqual([[name, true, 'uji']]);
    // the same snapshot asked again (a retried job): kept, not taken twice
    const again = await makeQueuedActionRun(db, q.requestId, 'snapshot', { snapshotId });
    expect((await runToEnd(env.deps, again)).status).toBe('succeeded');
    expect(await stepStatus(again, 'snapshot')).toBe('skipped');
    expect(env.sim.state.tasks().filter((x) => x.type === 'qmsnapshot' && x.id === String(vmid))).toHaveLength(1);
    const audit = await db.selectFrom('auditLog').select('action').where('targetType', '=', 'vm').execute();
    expect(audit.map((a) => a.action)).toContain('vm.snapshot_taken');
  });

  it('should roll back once: a rollback already started by an earlier attempt is not sent again', async () => {
    const { runId: takeRun, snapshotId, name } = await queueSnapshotRun(db, q.requestId, 'snapshot');
    expect((await runToEnd(env.deps, takeRun)).status).toBe('succeeded');
    const node = env.sim.state.vm(vmid)?.node ?? 'pve1';
    const vm = env.pve.vm(node, vmid);
    // a change after the snapshot (pending on the running VM): the rollback takes it away
    await vm.updateConfigNow({ cores: 3 });
    expect(env.sim.state.vm(vmid)?.pending.cores).toBe('3');

    // the row says what a later change made of the VM; the snapshot predates it
    await db.updateTable('vms').set({ cores: 8, memoryMiB: 16_384 }).where('vmid', '=', vmid).execute();
    const { runId } = await queueSnapshotRun(db, q.requestId, 'snapshot_rollback', { snapshotId, start: true });
    expect((await runToEnd(env.deps, runId)).status).toBe('succeeded');
    expect(env.sim.state.vm(vmid)).toMatchObject({ status: 'running', config: expect.objectContaining({ parent: name }) });
    expect(env.sim.state.vm(vmid)?.pending).toEqual({});
    expect(env.sim.state.vm(vmid)?.config.cores).not.toBe('3');
    const row = await db.selectFrom('vms').select(['state', 'cores', 'memoryMiB']).where('vmid', '=', vmid).executeTakeFirstOrThrow();
    expect(row).toEqual({
      state: 'running',
      cores: Number(env.sim.state.vm(vmid)?.config.cores),
      memoryMiB: Number(env.sim.state.vm(vmid)?.config.memory),
    });

    // An attempt that died after Proxmox accepted the rollback: the retry sees the task and waits for it.
    const { runId: second } = await queueSnapshotRun(db, q.requestId, 'snapshot_rollback', { snapshotId, start: false });
    await vm.rollbackSnapshot(name, {}, { deadlineMs: 20_000 });
    const before = env.sim.state.tasks().filter((x) => x.type === 'qmrollback').length;
    expect((await runToEnd(env.deps, second)).status).toBe('succeeded');
    expect(env.sim.state.tasks().filter((x) => x.type === 'qmrollback')).toHaveLength(before);
    expect(env.sim.state.vm(vmid)?.status).toBe('stopped');
    expect((await db.selectFrom('vms').select('state').where('vmid', '=', vmid).executeTakeFirstOrThrow()).state).toBe('stopped');
    expect((await db.selectFrom('vpsRequests').select('status').where('id', '=', q.requestId).executeTakeFirstOrThrow()).status).toBe(
      'stopped',
    );
  });

  it('should delete a snapshot, and count one already gone as deleted', async () => {
    const { runId: takeRun, snapshotId, name } = await queueSnapshotRun(db, q.requestId, 'snapshot');
    expect((await runToEnd(env.deps, takeRun)).status).toBe('succeeded');
    const { runId } = await queueSnapshotRun(db, q.requestId, 'snapshot_delete', { snapshotId });
    expect((await runToEnd(env.deps, runId)).status).toBe('succeeded');
    expect(await snapRow(snapshotId)).toMatchObject({ status: 'deleted', deletedAt: expect.any(Date) });
    expect((await simSnapshots()).map((s) => s.name)).not.toContain(name);
    await db.updateTable('vmSnapshots').set({ status: 'deleting' }).where('id', '=', snapshotId).execute();
    const again = await makeQueuedActionRun(db, q.requestId, 'snapshot_delete', { snapshotId });
    expect((await runToEnd(env.deps, again)).status).toBe('succeeded');
    expect(await stepStatus(again, 'delete-snapshot')).toBe('skipped');
  });

  it('should fail a snapshot of a locked VM, marking the row failed with the reason (not an unsupported storage)', async () => {
    const { runId, snapshotId } = await queueSnapshotRun(db, q.requestId, 'snapshot');
    env.sim.faults.setConfigLock(vmid, 'backup');
    try {
      const run = await runToEnd(env.deps, runId);
      expect(run.status).toBe('failed');
      expect(run.errorMessage).toContain('VM is locked (backup)');
    } finally {
      env.sim.faults.setConfigLock(vmid, undefined);
    }
    expect(await snapRow(snapshotId)).toMatchObject({ status: 'failed', failure: expect.stringContaining('VM is locked (backup)') });
    expect(
      (await db.selectFrom('vms').select('snapshotsUnsupported').where('vmid', '=', vmid).executeTakeFirstOrThrow()).snapshotsUnsupported,
    ).toBeNull();
  });
  it('should mark the snapshots of a destroyed VM deleted', async () => {
    const { runId, snapshotId } = await queueSnapshotRun(db, q.requestId, 'snapshot');
    expect((await runToEnd(env.deps, runId)).status).toBe('succeeded');
    await db.updateTable('vms').set({ state: 'decommissioning' }).where('vmid', '=', vmid).execute();
    await db.updateTable('vpsRequests').set({ status: 'decommissioning' }).where('id', '=', q.requestId).execute();
    const destroy = await makeQueuedActionRun(db, q.requestId, 'decommission', { reason: 'uji snapshot' });
    expect((await runToEnd(env.deps, destroy)).status).toBe('succeeded');
    expect(env.sim.state.vm(vmid)).toBeUndefined();
    const live = await db
      .selectFrom('vmSnapshots')
      .select('id')
      .where('vmId', '=', (await db.selectFrom('vms').select('id').where('vmid', '=', vmid).executeTakeFirstOrThrow()).id)
      .where('status', '<>', 'deleted')
      .where('status', '<>', 'failed')
      .execute();
    expect(live).toEqual([]);
    expect((await snapRow(snapshotId)).status).toBe('deleted');
  });
});

describe('a VM on storage that cannot snapshot', () => {
  let t: TestDatabase;
  let db: Db;
  let env: ProvisioningEnv;

  beforeAll(async () => {
    t = await createTestDatabase();
    db = t.db;
    env = await startProvisioningEnv(db, {
      storages: [...DEFAULT_STORAGES, { id: 'files', type: 'dir', shared: true, content: 'images', totalGiB: 500 }],
      templates: [
        { vmid: 9000, name: 'debian-12-cloud', node: 'pve1', storage: 'files', diskGiB: 3, defaultUser: 'debian', pool: 'templates' },
      ],
    });
    await makeOperator(db);
  });
  afterAll(async () => {
    await env?.close();
    await t?.drop();
  });

  it('should refuse for good with a text naming the disk, and remember it on the VM', async () => {
    const q = await makeQueuedProvisionRun(db, { ports: [], templateStorage: 'files' });
    env.portsByHostname.set(q.hostname, q.ports);
    expect((await runToEnd(env.deps, q.runId)).status).toBe('succeeded');
    const vmid = (await db.selectFrom('vms').select('vmid').where('requestId', '=', q.requestId).executeTakeFirstOrThrow()).vmid as number;
    expect(env.sim.state.vm(vmid)?.config.scsi0).toMatch(/^files:\d+\/vm-\d+-disk-0\.raw,/);
    const { runId, snapshotId } = await queueSnapshotRun(db, q.requestId, 'snapshot');
    const run = await runToEnd(env.deps, runId);
    expect(run).toMatchObject({ status: 'failed', errorCode: 'SNAPSHOT_UNSUPPORTED' });
    expect((await getRun(db, runId))?.errorMessage).toMatch(/scsi0 \(files:\d+\/vm-\d+-disk-0\.raw\)/);
    const row = await db.selectFrom('vmSnapshots').selectAll().where('id', '=', snapshotId).executeTakeFirstOrThrow();
    expect(row.status).toBe('failed');
    const vm = await db.selectFrom('vms').select('snapshotsUnsupported').where('vmid', '=', vmid).executeTakeFirstOrThrow();
    expect(vm.snapshotsUnsupported).toContain('tidak mendukung snapshot');
    expect(vm.snapshotsUnsupported).toContain('cannot snapshot');
    expect(env.sim.state.vm(vmid)?.lock).toBeUndefined();
  });
});
