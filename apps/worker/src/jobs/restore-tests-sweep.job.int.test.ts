import {
  DEFAULT_BACKUP_POLICY,
  DEFAULT_RESTORE_TEST_POLICY,
  Role,
  restorePeriodOf,
  type BackupPolicy,
  type RestoreTestPolicy,
} from '@betang/core';
import { listVmBackups, putSetting, type Db } from '@betang/db';
import { backupClient, listClusterVms, startRestore, vmClient } from '@betang/proxmox';
import { DEFAULT_NODES } from '@betang/pve-simulator';
import {
  createTestDatabase,
  makeOperator,
  makeQueuedProvisionRun,
  makeUser,
  type QueuedProvision,
  type TestDatabase,
} from '@betang/testkit';
import { startProvisioningEnv, type ProvisioningEnv } from '../testing/provisioning-env';
import { runToEnd } from '../testing/run-to-end';
import { sweepBackups } from './backups-sweep.job';
import { RESTORE_TEST_TAG, sweepRestoreTests } from './restore-tests-sweep.job';

jest.setTimeout(240_000);

/** `HH:MM` in WIB, `minutes` from now. */
function wibClock(minutes: number): string {
  return new Date(Date.now() + 7 * 3_600_000 + minutes * 60_000).toISOString().slice(11, 16);
}

const POLICY: RestoreTestPolicy = {
  ...DEFAULT_RESTORE_TEST_POLICY,
  // every VM due on the 1st, which has passed (or is today): all of them are due now
  spreadDays: 1,
  windowStart: '00:00',
  windowEnd: '00:01',
  vmidMin: 990_000,
  vmidMax: 990_099,
  perNodeLimit: 1,
  bootTimeoutMinutes: 2,
};

/**
 * The monthly test restores against real PostgreSQL and the PVE simulator (one node, so the
 * per-node limit bites): three VMs — one whose backup restores and boots, one whose backup
 * vanished from the storage, one without any backup — and a leftover copy from an earlier run.
 */
describe('backups.test-restore', () => {
  let t: TestDatabase;
  let db: Db;
  let env: ProvisioningEnv;
  let dcHead: string;
  const provisioned: QueuedProvision[] = [];
  const vmOf = (q: QueuedProvision) => db.selectFrom('vms').selectAll().where('requestId', '=', q.requestId).executeTakeFirstOrThrow();
  const tests = () => db.selectFrom('vmRestoreTests').selectAll().orderBy('startedAt').execute();

  beforeAll(async () => {
    t = await createTestDatabase();
    db = t.db;
    env = await startProvisioningEnv(db, { nodes: [DEFAULT_NODES[0]!] });
    await makeOperator(db);
    dcHead = (await makeUser(db, { roles: [Role.DcHead] })).id;
    for (const octet of [51, 52, 53]) {
      const q = await makeQueuedProvisionRun(db, { ports: [], poolOctet: octet });
      env.portsByHostname.set(q.hostname, q.ports);
      expect((await runToEnd(env.deps, q.runId)).status).toBe('succeeded');
      provisioned.push(q);
    }
    // VMs provisioned days ago, each backed up last night
    await db
      .updateTable('vms')
      .set({ createdAt: new Date(Date.now() - 5 * 86_400_000) })
      .execute();
    const window = { windowStart: wibClock(-60), windowEnd: wibClock(60), keepDaily: 3, keepWeekly: 0, keepMonthly: 0, storage: 'pbs' };
    const backups: BackupPolicy = {
      ...DEFAULT_BACKUP_POLICY,
      classes: { strategis: window, tinggi: window, rendah: window },
      perNodeLimit: 3,
    };
    await putSetting(db, 'backup_policy', backups, null);
    for (let i = 0; i < 60; i++) {
      await sweepBackups(env.deps);
      const rows = await db.selectFrom('vmBackups').select('outcome').execute();
      if (rows.length === 3 && rows.every((r) => r.outcome === 'ok')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await putSetting(db, 'restore_test_policy', POLICY, null);
  });
  afterAll(async () => {
    await env?.close();
    await t?.drop();
  });

  it('restores, boots on the isolated bridge, checks and destroys each copy; records what failed and why; sweeps leftovers', async () => {
    const [good, vanished, none] = await Promise.all(provisioned.map(vmOf));
    // B's archive is gone from the storage; C's backup record never succeeded
    const [bBackup] = await listVmBackups(db, vanished!.id);
    await backupClient(env.pve).remove('pve1', 'pbs', bBackup!.volid!, { deadlineMs: 20_000 });
    await db.deleteFrom('vmBackups').where('vmId', '=', none!.id).execute();
    // a copy an earlier run left behind (its row lost): tagged, in the test range
    const leftover = await leaveLeftoverCopy(env, 990_050);

    const seenOnIsolated: string[] = [];
    for (let i = 0; i < 200; i++) {
      await sweepRestoreTests(env.deps);
      const rows = await tests();
      // while a copy is checked it sits on the isolated bridge, marked as a test copy, running
      for (const r of rows.filter((x) => x.stage === 'check' && x.testVmid !== null)) {
        const vm = env.sim.state.vm(r.testVmid!);
        if (vm) seenOnIsolated.push(`${vm.config.net0}|${vm.config.tags}|${vm.status}`);
      }
      expect(rows.filter((x) => x.stage !== 'done').length).toBeLessThanOrEqual(POLICY.perNodeLimit);
      if (rows.length === 3 && rows.every((x) => x.stage === 'done')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const rows = await tests();
    const byVm = new Map(rows.map((r) => [r.vmId, r]));
    const period = restorePeriodOf(new Date());

    expect(byVm.get(good!.id)).toMatchObject({ period, outcome: 'ok', stage: 'done', error: null, node: 'pve1' });
    expect(byVm.get(good!.id)!.checks).toEqual({
      agent: true,
      os: 'Debian GNU/Linux 12 (bookworm)',
      rootFilesystem: { type: 'ext4', usedBytes: expect.any(Number), totalBytes: expect.any(Number) },
    });
    expect(byVm.get(good!.id)!.upid).toContain(':qmrestore:');
    expect(seenOnIsolated.length).toBeGreaterThan(0);
    for (const seen of seenOnIsolated) expect(seen).toMatch(new RegExp(`bridge=vmbr9\\|${RESTORE_TEST_TAG}\\|running$`));

    expect(byVm.get(vanished!.id)).toMatchObject({ outcome: 'failed', stage: 'done' });
    expect((byVm.get(vanished!.id)!.error as { en: string }).en).toMatch(/^Restoring the backup failed: .*|^The restore could not start: /);
    expect(byVm.get(none!.id)).toMatchObject({ outcome: 'failed', stage: 'done', testVmid: null });
    expect(byVm.get(none!.id)!.error).toEqual({
      id: 'VPS ini belum punya cadangan yang berhasil untuk diuji.',
      en: 'This VPS has no successful backup to test.',
    });

    // nothing left in the test range: every copy destroyed, the leftover too; the originals untouched
    const cluster = await listClusterVms(env.pve);
    expect(cluster.filter((v) => v.vmid >= POLICY.vmidMin && v.vmid <= POLICY.vmidMax)).toEqual([]);
    expect(cluster.map((v) => v.vmid)).toEqual(expect.arrayContaining([good!.vmid, vanished!.vmid, none!.vmid]));
    expect(leftover).toBe(990_050);

    // operators told of each failure once
    const alerts = await db
      .selectFrom('notifications')
      .select(['kind', 'reason'])
      .where('kind', '=', 'backup.restore_test_failed')
      .execute();
    expect(alerts.map((a) => a.reason).sort()).toEqual(
      [`restore_test:${byVm.get(vanished!.id)!.id}:failed`, `restore_test:${byVm.get(none!.id)!.id}:failed`].sort(),
    );
  });

  it('a second sweep the same month claims nothing, changes no record and alerts no one again', async () => {
    const before = await tests();
    const notices = await db.selectFrom('notifications').select('id').execute();
    const r = await sweepRestoreTests(env.deps);
    expect(r).toMatchObject({ ran: true, claimed: 0, leftovers: 0, reported: false });
    expect(await tests()).toEqual(before);
    expect(await db.selectFrom('notifications').select('id').execute()).toHaveLength(notices.length);
  });

  it('a restore whose answer was lost (worker killed after Proxmox took it) is found by its task, not started twice', async () => {
    const [good] = await Promise.all(provisioned.map(vmOf));
    const [backup] = await listVmBackups(db, good!.id);
    const next = '2099-01';
    // the claim is written, then the worker dies right after POSTing the restore
    const [row] = await db
      .insertInto('vmRestoreTests')
      .values({ vmId: good!.id, period: next, node: 'pve1', testVmid: 990_070, backupId: backup!.id, volid: backup!.volid })
      .returning('id')
      .execute();
    const upid = await startRestore(env.pve, 'pve1', { vmid: 990_070, archive: backup!.volid!, unique: true });
    for (let i = 0; i < 200; i++) {
      await sweepRestoreTests(env.deps);
      const r = await db.selectFrom('vmRestoreTests').selectAll().where('id', '=', row!.id).executeTakeFirstOrThrow();
      if (r.stage === 'done') break;
      await new Promise((res) => setTimeout(res, 100));
    }
    const done = await db.selectFrom('vmRestoreTests').selectAll().where('id', '=', row!.id).executeTakeFirstOrThrow();
    expect(done).toMatchObject({ outcome: 'ok', stage: 'done', upid });
    expect(env.sim.state.vm(990_070)).toBeUndefined();
  });

  it('a copy whose agent never answers fails at the boot deadline, and is destroyed all the same', async () => {
    const [good] = await Promise.all(provisioned.map(vmOf));
    const [backup] = await listVmBackups(db, good!.id);
    const [row] = await db
      .insertInto('vmRestoreTests')
      .values({ vmId: good!.id, period: '2099-02', node: 'pve1', testVmid: 990_080, backupId: backup!.id, volid: backup!.volid })
      .returning('id')
      .execute();
    env.sim.faults.agentNeverStarts(990_080);
    const read = () => db.selectFrom('vmRestoreTests').selectAll().where('id', '=', row!.id).executeTakeFirstOrThrow();
    for (let i = 0; i < 200 && (await read()).stage === 'restore'; i++) {
      await sweepRestoreTests(env.deps);
      await new Promise((res) => setTimeout(res, 100));
    }
    expect(await read()).toMatchObject({ stage: 'check', outcome: 'running' });
    // before the deadline the sweep keeps waiting
    await sweepRestoreTests(env.deps, new Date(Date.now() + 60_000));
    expect((await read()).stage).toBe('check');
    for (let i = 0; i < 50 && (await read()).stage !== 'done'; i++) await sweepRestoreTests(env.deps, new Date(Date.now() + 3 * 60_000));
    const done = await read();
    expect(done).toMatchObject({ stage: 'done', outcome: 'failed', checks: { agent: false, os: null, rootFilesystem: null } });
    expect((done.error as { en: string }).en).toBe(
      'The guest agent did not answer within 2 minutes of starting the copy (QEMU guest agent is not running).',
    );
    expect(env.sim.state.vm(990_080)).toBeUndefined();
    env.healthy();
    await db.deleteFrom('vmRestoreTests').where('period', '=', '2099-02').execute();
  });

  it("sends last month's report once, to the data-center head and the operators", async () => {
    const period = restorePeriodOf(new Date());
    const [y, m] = period.split('-').map(Number) as [number, number];
    // 00:30 WIB on the 1st of next month, before that night's window: nothing new is due yet
    await putSetting(db, 'restore_test_policy', { ...POLICY, windowStart: '23:00', windowEnd: '23:59' }, null);
    const nextMonth = new Date(Date.UTC(m === 12 ? y + 1 : y, m === 12 ? 0 : m, 1, 0, 30) - 7 * 3_600_000);
    await db.deleteFrom('vmRestoreTests').where('period', '=', '2099-01').execute();
    const first = await sweepRestoreTests(env.deps, nextMonth);
    expect(first).toMatchObject({ reported: true, claimed: 0 });
    const second = await sweepRestoreTests(env.deps, nextMonth);
    expect(second.reported).toBe(false);
    const reports = await db
      .selectFrom('notifications')
      .select(['userId', 'body'])
      .where('kind', '=', 'backup.restore_test_report')
      .execute();
    expect(reports.map((r) => r.userId)).toContain(dcHead);
    expect(reports.length).toBe(2);
    const body = reports.find((r) => r.userId === dcHead)!.body as { id: string; en: string };
    expect(body.id).toContain(`Cadangan 1 dari 3 VPS berhasil dipulihkan dan dinyalakan pada ${period}.`);
    expect(body.en).toMatch(/Failed: .+, .+\./);
  });
});

/** Clones the template into `vmid` in the test range and tags it as a test copy: what a lost run leaves. */
async function leaveLeftoverCopy(env: ProvisioningEnv, vmid: number): Promise<number> {
  const template = vmClient(env.pve, 'pve1', 9000);
  const upid = await template.clone({ newid: vmid, full: true, storage: 'ceph', name: 'uji-pulih-lama' });
  expect(upid).toContain(':qmclone:');
  for (let i = 0; i < 100 && !(env.sim.state.vm(vmid) && !env.sim.state.vm(vmid)!.config.lock); i++)
    await new Promise((r) => setTimeout(r, 50));
  await vmClient(env.pve, 'pve1', vmid).updateConfigNow({ tags: RESTORE_TEST_TAG });
  return vmid;
}
