import { DEFAULT_BACKUP_POLICY, openWindow, type BackupPolicy } from '@betang/core';
import { listVmBackups, putSetting, type Db } from '@betang/db';
import { backupClient, vmClient } from '@betang/proxmox';
import { DEFAULT_NODES } from '@betang/pve-simulator';
import { createTestDatabase, makeOperator, makeQueuedProvisionRun, type QueuedProvision, type TestDatabase } from '@betang/testkit';
import { startProvisioningEnv, type ProvisioningEnv } from '../testing/provisioning-env';
import { runToEnd } from '../testing/run-to-end';
import { sweepBackups } from './backups-sweep.job';

jest.setTimeout(180_000);

/** `HH:MM` in WIB, `minutes` from now. */
function wibClock(minutes: number): string {
  return new Date(Date.now() + 7 * 3_600_000 + minutes * 60_000).toISOString().slice(11, 16);
}

/**
 * The nightly backup sweep against real PostgreSQL and the PVE simulator (one node, so the
 * per-node limit bites): the window is set around the present so every VM is due now.
 */
describe('backups.sweep', () => {
  let t: TestDatabase;
  let db: Db;
  let env: ProvisioningEnv;
  const provisioned: QueuedProvision[] = [];
  const vmOf = (requestId: string) => db.selectFrom('vms').selectAll().where('requestId', '=', requestId).executeTakeFirstOrThrow();

  beforeAll(async () => {
    t = await createTestDatabase();
    db = t.db;
    env = await startProvisioningEnv(db, { nodes: [DEFAULT_NODES[0]!] });
    await makeOperator(db);
    for (const octet of [41, 42, 43]) {
      const q = await makeQueuedProvisionRun(db, { ports: [], poolOctet: octet });
      env.portsByHostname.set(q.hostname, q.ports);
      expect((await runToEnd(env.deps, q.runId)).status).toBe('succeeded');
      provisioned.push(q);
    }
    const window = { windowStart: wibClock(-60), windowEnd: wibClock(60), keepDaily: 1, keepWeekly: 0, keepMonthly: 0, storage: 'pbs' };
    const policy: BackupPolicy = {
      ...DEFAULT_BACKUP_POLICY,
      classes: { strategis: window, tinggi: window, rendah: window },
      perNodeLimit: 1,
    };
    await putSetting(db, 'backup_policy', policy, null);
  });
  afterAll(async () => {
    await env?.close();
    await t?.drop();
  });

  it('backs up every VM once a day, one at a time on the node, prunes by the retention and records each backup', async () => {
    const [a, b, locked] = await Promise.all(provisioned.map((q) => vmOf(q.requestId)));
    // a backup of A made earlier the same day: keep-daily=1 keeps only the day's newest
    const earlier = await backupClient(env.pve).vzdump('pve1', { vmid: a!.vmid!, storage: 'pbs' }, { deadlineMs: 20_000 });
    await new Promise((r) => setTimeout(r, 1100));
    env.sim.faults.setConfigLock(locked!.vmid!, 'snapshot');

    const seen: Array<{ started: number; ok: number; failed: number }> = [];
    for (let i = 0; i < 40; i++) {
      const r = await sweepBackups(env.deps);
      seen.push(r);
      const rows = await db.selectFrom('vmBackups').select('outcome').execute();
      if (rows.length === 3 && rows.every((x) => x.outcome !== 'running')) break;
      // one running per node: a sweep never starts a second one while one runs
      expect(rows.filter((x) => x.outcome === 'running').length).toBeLessThanOrEqual(1);
      await new Promise((res) => setTimeout(res, 100));
    }
    // the locked VM's vzdump starts too: PVE fails it inside the task
    expect(seen.reduce((n, r) => n + r.started, 0)).toBe(3);
    expect(seen[0]!.started).toBe(1);
    expect(seen.reduce((n, r) => n + r.ok, 0)).toBe(2);
    expect(seen.reduce((n, r) => n + r.failed, 0)).toBe(1);

    for (const vm of [a!, b!]) {
      const [row, ...more] = await listVmBackups(db, vm.id);
      expect(more).toEqual([]);
      // snapshot mode: the guest kept running
      expect(row).toMatchObject({ outcome: 'ok', storage: 'pbs', node: 'pve1', vmid: vm.vmid, error: null, downtimeSeconds: null });
      expect(row!.volid).toMatch(new RegExp(`^pbs:backup/vm/${vm.vmid}/\\d{4}-\\d\\d-\\d\\dT`));
      expect(row!.sizeBytes).toBeGreaterThan(0);
      expect(row!.durationSeconds).toBeGreaterThanOrEqual(0);
      expect(row!.upid).toContain(':vzdump:');
      const onStorage = await backupClient(env.pve).list('pve1', 'pbs', vm.vmid!);
      expect(onStorage.map((v) => v.volid)).toEqual([row!.volid]);
      expect(onStorage[0]?.notes).toBe(vm.name);
    }
    expect((await backupClient(env.pve).list('pve1', 'pbs', a!.vmid!)).map((v) => v.volid)).not.toContain(earlier.volid);

    const [failed] = await listVmBackups(db, locked!.id);
    expect(failed).toMatchObject({ outcome: 'failed', volid: null });
    expect(failed!.error).toEqual({
      id: 'Tugas vzdump di pve1 gagal: VM is locked (snapshot)',
      en: 'The vzdump task on pve1 failed: VM is locked (snapshot)',
    });
    const mail = await db
      .selectFrom('outbox')
      .select(['dedupKey', 'payload'])
      .where('dedupKey', '=', `vm_backup:${failed!.id}:failed`)
      .execute();
    expect(mail).toHaveLength(1);
    expect(JSON.stringify(mail[0]!.payload)).toContain('VM is locked (snapshot)');
    env.sim.faults.setConfigLock(locked!.vmid!, undefined);
  });

  it('a second sweep the same day starts nothing and changes no record', async () => {
    const before = await db.selectFrom('vmBackups').selectAll().orderBy('id').execute();
    expect(await sweepBackups(env.deps)).toEqual({ started: 0, ok: 0, failed: 0 });
    expect(await db.selectFrom('vmBackups').selectAll().orderBy('id').execute()).toEqual(before);
    expect(await db.selectFrom('outbox').select('id').where('dedupKey', 'like', 'vm_backup:%').execute()).toHaveLength(1);
  });
  it('never prunes the kept final backup of an ended lease: the nightly retention leaves the protected archive', async () => {
    const [, b] = await Promise.all(provisioned.map((q) => vmOf(q.requestId)));
    // archives are named by the second: not in the second of the previous test's backup
    await new Promise((r) => setTimeout(r, 1100));
    const kept = await backupClient(env.pve).vzdump('pve1', { vmid: b!.vmid!, storage: 'pbs', protected: true }, { deadlineMs: 20_000 });
    await db
      .insertInto('vmBackups')
      .values({
        vmId: b!.id,
        backupDate: '2026-01-01',
        node: 'pve1',
        vmid: b!.vmid!,
        storage: 'pbs',
        kept: true,
        outcome: 'ok',
        volid: kept.volid,
        startedAt: new Date(Date.now() - 60_000),
        finishedAt: new Date(),
      })
      .execute();
    // today's nightly backup of B is forgotten, so the sweep takes (and prunes after) another one
    await db.deleteFrom('vmBackups').where('vmId', '=', b!.id).where('kept', '=', false).execute();
    await new Promise((r) => setTimeout(r, 1100));
    for (let i = 0; i < 40; i++) {
      await sweepBackups(env.deps);
      const rows = await db.selectFrom('vmBackups').select('outcome').where('vmId', '=', b!.id).execute();
      if (rows.length === 2 && rows.every((x) => x.outcome !== 'running')) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    const [nightly, final] = await listVmBackups(db, b!.id);
    expect(nightly).toMatchObject({ outcome: 'ok', kept: false, error: null });
    expect(final).toMatchObject({ kept: true, volid: kept.volid });
    // keep-daily=1 keeps only the newest of the day, except the protected one
    const onStorage = await backupClient(env.pve).list('pve1', 'pbs', b!.vmid!);
    expect(onStorage.map((v) => v.volid).sort()).toEqual([kept.volid, nightly!.volid].sort());
    expect(onStorage.find((v) => v.volid === kept.volid)?.protected).toBeTruthy();
  });
  it('in stop mode the guest is shut down and started again: the record keeps how long it was off, and it runs afterwards', async () => {
    const [a] = await Promise.all(provisioned.map((q) => vmOf(q.requestId)));
    const window = { windowStart: wibClock(-60), windowEnd: wibClock(60), keepDaily: 2, keepWeekly: 0, keepMonthly: 0, storage: 'pbs' };
    const stopMode = { ...window, mode: 'stop' as const };
    await putSetting(
      db,
      'backup_policy',
      { ...DEFAULT_BACKUP_POLICY, classes: { strategis: stopMode, tinggi: stopMode, rendah: stopMode }, perNodeLimit: 1 },
      null,
    );
    await db.deleteFrom('vmBackups').where('vmId', '=', a!.id).where('kept', '=', false).execute();
    await new Promise((r) => setTimeout(r, 1100));
    for (let i = 0; i < 200; i++) {
      await sweepBackups(env.deps);
      const rows = await db.selectFrom('vmBackups').select('outcome').where('vmId', '=', a!.id).where('kept', '=', false).execute();
      if (rows.length === 1 && rows[0]!.outcome !== 'running') break;
      await new Promise((res) => setTimeout(res, 50));
    }
    const [row] = await listVmBackups(db, a!.id);
    expect(row).toMatchObject({ outcome: 'ok', kept: false, error: null });
    // a number only when the task log says the guest was taken down (snapshot mode records null, above)
    expect(row!.downtimeSeconds).toEqual(expect.any(Number));
    expect(row!.downtimeSeconds).toBeGreaterThanOrEqual(0);
    expect(env.sim.state.vm(a!.vmid!)?.status).toBe('running');
  });
  it('follows a vzdump whose worker died before recording its UPID: one task, its archive recorded, nothing unrecorded left', async () => {
    const [, b] = await Promise.all(provisioned.map((q) => vmOf(q.requestId)));
    const window = { windowStart: wibClock(-60), windowEnd: wibClock(60), keepDaily: 7, keepWeekly: 0, keepMonthly: 0, storage: 'pbs' };
    await putSetting(
      db,
      'backup_policy',
      { ...DEFAULT_BACKUP_POLICY, classes: { strategis: window, tinggi: window, rendah: window } },
      null,
    );
    await db.deleteFrom('vmBackups').where('kept', '=', false).execute();
    await new Promise((r) => setTimeout(r, 1100));
    const backupDate = openWindow(window, new Date())!.backupDate;
    // what a worker leaves when SIGKILLed right after PVE answered the vzdump POST
    const claimedAt = new Date(Date.now() - 1000);
    await db
      .insertInto('vmBackups')
      .values({ vmId: b!.id, backupDate, node: 'pve1', vmid: b!.vmid!, storage: 'pbs', outcome: 'running', startedAt: claimedAt })
      .execute();
    const upid = await backupClient(env.pve).start('pve1', { vmid: b!.vmid!, storage: 'pbs', mode: 'snapshot' });
    for (let i = 0; i < 100; i++) {
      await sweepBackups(env.deps);
      const rows = await db.selectFrom('vmBackups').select('outcome').where('vmId', '=', b!.id).execute();
      if (rows.every((x) => x.outcome !== 'running')) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    const [row, ...more] = await db.selectFrom('vmBackups').selectAll().where('vmId', '=', b!.id).where('kept', '=', false).execute();
    expect(more).toEqual([]);
    expect(row).toMatchObject({ outcome: 'ok', upid, error: null });
    const tasks = await vmClient(env.pve, 'pve1', b!.vmid!).tasksSince('vzdump', Math.floor(claimedAt.getTime() / 1000));
    expect(tasks.map((t) => t.upid)).toEqual([upid]);
    const onStorage = (await backupClient(env.pve).list('pve1', 'pbs', b!.vmid!)).map((v) => v.volid);
    expect(onStorage).toContain(row!.volid);
    const recorded = (await db.selectFrom('vmBackups').select('volid').where('vmId', '=', b!.id).execute()).map((r) => r.volid);
    for (const volid of onStorage) expect(recorded).toContain(volid);
  });

  it('ends a claim whose vzdump never reached the node as interrupted, once the node has had time to start it', async () => {
    const [a] = await Promise.all(provisioned.map((q) => vmOf(q.requestId)));
    const window = { windowStart: wibClock(-60), windowEnd: wibClock(60), keepDaily: 7, keepWeekly: 0, keepMonthly: 0, storage: 'pbs' };
    await db.deleteFrom('vmBackups').where('vmId', '=', a!.id).where('kept', '=', false).execute();
    // past the clock slack after the previous test's vzdump of this VM
    await new Promise((r) => setTimeout(r, 6000));
    const backupDate = openWindow(window, new Date())!.backupDate;
    const claim = await db
      .insertInto('vmBackups')
      .values({ vmId: a!.id, backupDate, node: 'pve1', vmid: a!.vmid!, storage: 'pbs', outcome: 'running', startedAt: new Date() })
      .returning('id')
      .executeTakeFirstOrThrow();
    // young: maybe still on its way to the node
    await sweepBackups(env.deps);
    expect(await db.selectFrom('vmBackups').select('outcome').where('id', '=', claim.id).executeTakeFirstOrThrow()).toEqual({
      outcome: 'running',
    });
    await sweepBackups(env.deps, new Date(Date.now() + 3 * 60_000));
    const row = await db.selectFrom('vmBackups').selectAll().where('id', '=', claim.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ outcome: 'failed', volid: null });
    expect(row.error).toEqual({
      id: 'Pencadangan terputus: worker berhenti sebelum vzdump dimulai.',
      en: 'Backup interrupted: the worker stopped before vzdump started.',
    });
  });
});
