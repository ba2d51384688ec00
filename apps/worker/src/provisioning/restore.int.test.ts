import { type Db } from '@betang/db';
import { backupClient } from '@betang/proxmox';
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

describe('restore runs against the simulator', () => {
  let t: TestDatabase;
  let db: Db;
  let env: ProvisioningEnv;
  let q: QueuedProvision;
  let vmid: number;
  let vmId: string;
  let backupId: string;
  const node = (): string => env.sim.state.vm(vmid)?.node ?? 'pve1';
  const restores = () => env.sim.state.tasks().filter((x) => x.type === 'qmrestore' && x.id === String(vmid));
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
    const vm = await db.selectFrom('vms').select(['id', 'vmid']).where('requestId', '=', q.requestId).executeTakeFirstOrThrow();
    vmid = vm.vmid as number;
    vmId = vm.id;
    // a backup as the backups sweep records it
    const done = await backupClient(env.pve).vzdump(node(), { vmid, storage: 'pbs' }, { deadlineMs: 60_000 });
    const row = await db
      .insertInto('vmBackups')
      .values({
        vmId,
        vmid,
        node: node(),
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

  it('should put the VM back to its backup in place: same vmid, MAC and marker, started again, sizes recorded, snapshots gone', async () => {
    const before = { ...env.sim.state.vm(vmid)!.config };
    // a change after the backup, and a snapshot the restore removes with the disks
    await env.pve.vm(node(), vmid).updateConfigNow({ memory: 4096 });
    await db.updateTable('vms').set({ memoryMiB: 4096 }).where('id', '=', vmId).execute();
    const snap = await db
      .insertInto('vmSnapshots')
      .values({ vmId, name: 'betang-aaaaaaaaaaaa', withRam: false, status: 'present', takenAt: new Date() })
      .returning('id')
      .executeTakeFirstOrThrow();
    const runId = await makeQueuedActionRun(db, q.requestId, 'restore', { backupId });
    expect((await runToEnd(env.deps, runId)).status).toBe('succeeded');
    const after = env.sim.state.vm(vmid)!;
    expect(after.status).toBe('running');
    expect(after.config.memory).toBe(before.memory);
    expect(after.config.net0).toBe(before.net0);
    expect(after.config.smbios1).toBe(before.smbios1);
    expect(after.config.description).toBe(before.description);
    expect(after.config.protection).toBe('1');
    expect(restores()).toHaveLength(1);
    expect(await db.selectFrom('vms').select(['state', 'memoryMiB']).where('id', '=', vmId).executeTakeFirstOrThrow()).toEqual({
      state: 'running',
      memoryMiB: Number(before.memory),
    });
    expect((await db.selectFrom('vmSnapshots').select('status').where('id', '=', snap.id).executeTakeFirstOrThrow()).status).toBe(
      'deleted',
    );
    const audit = await db.selectFrom('auditLog').select('action').where('targetId', '=', vmId).execute();
    expect(audit.map((a) => a.action)).toContain('vm.backup_restored');
  });

  it('should restore once: a qmrestore an earlier attempt started is waited for and not sent again', async () => {
    const runId = await makeQueuedActionRun(db, q.requestId, 'restore', { backupId });
    const vm = env.pve.vm(node(), vmid);
    // The earlier attempt stopped the VM and sent the restore, then died.
    await vm.stop({ deadlineMs: 30_000 });
    const volid = (await db.selectFrom('vmBackups').select('volid').where('id', '=', backupId).executeTakeFirstOrThrow()).volid as string;
    await vm.setProtection(false);
    env.sim.faults.slowTasks('qmrestore', 20);
    const count = restores().length;
    const started = backupClient(env.pve).restore(node(), { vmid, archive: volid, force: true }, { deadlineMs: 120_000 });
    try {
      expect((await runToEnd(env.deps, runId)).status).toBe('succeeded');
    } finally {
      env.sim.faults.slowTasks('qmrestore', 1);
    }
    await started;
    expect(restores()).toHaveLength(count + 1);
    expect(await stepStatus(runId, 'stop-before-restore')).toBe('skipped');
    // the earlier attempt stopped it, but Betang's record says it ran: it is started again
    expect(env.sim.state.vm(vmid)?.status).toBe('running');
    expect(env.sim.state.vm(vmid)?.config.protection).toBe('1');
    expect((await db.selectFrom('vms').select('state').where('id', '=', vmId).executeTakeFirstOrThrow()).state).toBe('running');
  });

  it('should leave a VM that Betang knows stopped stopped after the restore', async () => {
    const vm = env.pve.vm(node(), vmid);
    await vm.stop({ deadlineMs: 30_000 });
    await db.updateTable('vms').set({ state: 'stopped' }).where('id', '=', vmId).execute();
    const runId = await makeQueuedActionRun(db, q.requestId, 'restore', { backupId });
    expect((await runToEnd(env.deps, runId)).status).toBe('succeeded');
    expect(await stepStatus(runId, 'start-after-restore')).toBe('skipped');
    expect(env.sim.state.vm(vmid)?.status).toBe('stopped');
    expect((await db.selectFrom('vms').select('state').where('id', '=', vmId).executeTakeFirstOrThrow()).state).toBe('stopped');
  });

  it('should fail for good, naming the archive, when the backup is gone from the storage', async () => {
    const runId = await makeQueuedActionRun(db, q.requestId, 'restore', { backupId });
    const volid = (await db.selectFrom('vmBackups').select('volid').where('id', '=', backupId).executeTakeFirstOrThrow()).volid as string;
    await backupClient(env.pve).remove(node(), 'pbs', volid, { deadlineMs: 30_000 });
    const count = restores().length;
    const run = await runToEnd(env.deps, runId);
    expect(run.status).toBe('failed');
    expect(run.errorCode).toBe('RESTORE_FAILED');
    expect(run.errorMessage).toContain(volid);
    expect(restores()).toHaveLength(count + 1);
  });

  it('should refuse a backup of another VM or one that did not finish', async () => {
    const failed = await db
      .insertInto('vmBackups')
      .values({
        vmId,
        vmid,
        node: node(),
        storage: 'pbs',
        backupDate: '2026-12-06',
        outcome: 'failed',
        finishedAt: new Date(),
        error: JSON.stringify({ id: 'gagal', en: 'failed' }),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const runId = await makeQueuedActionRun(db, q.requestId, 'restore', { backupId: failed.id });
    const run = await runToEnd(env.deps, runId);
    expect(run.status).toBe('failed');
    expect(run.errorCode).toBe('BACKUP_UNKNOWN');
  });
});
