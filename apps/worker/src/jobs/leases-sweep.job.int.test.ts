import { DEFAULT_BACKUP_POLICY, Role, type BackupPolicy } from '@betang/core';
import { putSetting, type Db } from '@betang/db';
import { backupClient } from '@betang/proxmox';
import { DEFAULT_NODES } from '@betang/pve-simulator';
import {
  createTestDatabase,
  makeQueuedProvisionRun,
  makeUser,
  testLogDestination,
  testLogOptions,
  type QueuedProvision,
  type TestDatabase,
} from '@betang/testkit';
import { pino } from 'pino';
import { bodyOf, startSmtp } from '../../../../test/support/smtp-server';
import { sendEmailsOnce } from '../notifications/email-sender';
import { createMailTransport } from '../notifications/mail-transport';
import { startProvisioningEnv, type ProvisioningEnv } from '../testing/provisioning-env';
import { runToEnd } from '../testing/run-to-end';
import { sweepBackups } from './backups-sweep.job';
import { sweepLeases } from './leases-sweep.job';

jest.setTimeout(180_000);

/** A moment whose WIB date is `date` (noon WIB): the clock the sweep is driven by. */
const at = (date: string) => new Date(`${date}T05:00:00Z`);

/** `HH:MM` in WIB, `minutes` from now. */
function wibClock(minutes: number): string {
  return new Date(Date.now() + 7 * 3_600_000 + minutes * 60_000).toISOString().slice(11, 16);
}

/**
 * The lease sweep against real PostgreSQL and the PVE simulator: a provisioned VM whose agreement
 * ends without a successor goes through grace → kept final backup → stop → destruction on the
 * days the policy gives, each step announced ahead and done once however often the sweep runs.
 */
describe('leases.sweep', () => {
  let t: TestDatabase;
  let db: Db;
  let env: ProvisioningEnv;
  let q: QueuedProvision;
  let other: QueuedProvision;
  let operatorId: string;
  let headId: string;
  const vmOf = (requestId: string) => db.selectFrom('vms').selectAll().where('requestId', '=', requestId).executeTakeFirstOrThrow();
  const leaseOf = (vmId: string) => db.selectFrom('vmLeases').selectAll().where('vmId', '=', vmId).executeTakeFirst();
  /** An institution's lease notices, each reason without its last part (the digest of the VPS set). */
  const noticesOf = async (institutionId: string) =>
    (
      await db
        .selectFrom('notifications')
        .select(['userId', 'reason', 'kind', 'link', 'body'])
        .where('reason', 'like', `lease:${institutionId}:%`)
        .orderBy('id')
        .execute()
    ).map((n) => ({ ...n, reason: n.reason.split(':').slice(0, -1).join(':') }));
  const sweep = (date: string) => sweepLeases(env.deps, at(date));

  beforeAll(async () => {
    t = await createTestDatabase();
    db = t.db;
    env = await startProvisioningEnv(db, { nodes: [DEFAULT_NODES[0]!] });
    operatorId = (await makeUser(db, { roles: [Role.Operator] })).id;
    for (const octet of [51, 52]) {
      const p = await makeQueuedProvisionRun(db, { ports: [], poolOctet: octet });
      env.portsByHostname.set(p.hostname, p.ports);
      expect((await runToEnd(env.deps, p.runId)).status).toBe('succeeded');
      if (octet === 51) q = p;
      else other = p;
    }
    headId = (await makeUser(db, { roles: [Role.InstitutionHead], institutionId: q.institutionId })).id;
    // scheduled backups' window far from now, so only the lease's kept backup runs
    const window = { windowStart: wibClock(180), windowEnd: wibClock(240), keepDaily: 1, keepWeekly: 0, keepMonthly: 0, storage: 'pbs' };
    const policy: BackupPolicy = { ...DEFAULT_BACKUP_POLICY, classes: { strategis: window, tinggi: window, rendah: window } };
    await putSetting(db, 'backup_policy', policy, null);
    // both agreements end on 31 December 2026
    await db
      .updateTable('agreements')
      .set({ termEnd: '2026-12-31' })
      .where('institutionId', 'in', [q.institutionId, other.institutionId])
      .execute();
  });
  afterAll(async () => {
    await env?.close();
    await t?.drop();
  });

  it('records, at provisioning, the agreement that covers the VM', async () => {
    const vm = await vmOf(q.requestId);
    const agreement = await db.selectFrom('agreements').select('id').where('institutionId', '=', q.institutionId).executeTakeFirstOrThrow();
    expect(vm.agreementId).toBe(agreement.id);
  });

  it('moves a VM to a successor in force instead of starting its grace period', async () => {
    const vm = await vmOf(other.requestId);
    const old = await db.selectFrom('agreements').selectAll().where('institutionId', '=', other.institutionId).executeTakeFirstOrThrow();
    const { id: _id, createdAt: _c, updatedAt: _u, ...copy } = old;
    const successor = await db
      .insertInto('agreements')
      .values({ ...copy, number: `${old.number}-R`, verificationCode: 'RENEWALTEST2345A', termStart: '2027-01-01', termEnd: '2027-12-31' })
      .returning('id')
      .executeTakeFirstOrThrow();
    // on the last day of the term both VMs are still covered
    expect(await sweep('2026-12-31')).toMatchObject({ graced: 0, covered: 0 });
    expect(await leaseOf((await vmOf(q.requestId)).id)).toBeUndefined();
    // the day after: one moves to its successor, the other (no successor) starts its grace period
    expect(await sweep('2027-01-01')).toMatchObject({ graced: 1, covered: 1 });
    expect((await vmOf(other.requestId)).agreementId).toBe(successor.id);
    expect(await leaseOf(vm.id)).toBeUndefined();
    const audit = await db
      .selectFrom('auditLog')
      .select(['action', 'actorLabel'])
      .where('targetId', '=', vm.id)
      .where('action', 'like', 'vm.lease%')
      .execute();
    expect(audit).toEqual([{ action: 'vm.lease_renewed', actorLabel: 'system: leases.sweep' }]);
  });

  it('starts the grace period of a VM whose agreement was revoked, from the day before the revocation', async () => {
    const r = await makeQueuedProvisionRun(db, { ports: [], poolOctet: 53 });
    env.portsByHostname.set(r.hostname, r.ports);
    expect((await runToEnd(env.deps, r.runId)).status).toBe('succeeded');
    const vm = await vmOf(r.requestId);
    // revoked at 10:00 WIB on 10 November 2026; its term would have run until 2027-12-31
    await db
      .updateTable('agreements')
      .set({ status: 'revoked', revokedAt: new Date('2026-11-10T03:00:00Z'), revokeReason: 'uji pencabutan' })
      .where('id', '=', vm.agreementId!)
      .execute();
    expect((await sweepLeases(env.deps, at('2026-11-10'))).graced).toBeGreaterThanOrEqual(1);
    expect(await leaseOf(vm.id)).toMatchObject({ state: 'grace', endedOn: '2026-11-09', graceUntil: '2026-12-09' });
    // out of the way of the next test's sweeps
    await db.deleteFrom('vmLeases').where('vmId', '=', vm.id).execute();
    await db.updateTable('vms').set({ agreementId: null }).where('id', '=', vm.id).execute();
  });

  it('takes a VM without a successor through grace, a kept backup, the stop and the destruction, each announced once', async () => {
    const vm = await vmOf(q.requestId);
    expect(await sweep('2027-01-01')).toMatchObject({ graced: 0, covered: 0 });
    expect(await leaseOf(vm.id)).toMatchObject({ state: 'grace', endedOn: '2026-12-31', graceUntil: '2027-01-30' });
    let notices = await noticesOf(q.institutionId);
    // to the institution's head and staff and to the operators, linked to the agreement page
    expect(new Set(notices.map((n) => n.userId))).toEqual(new Set([headId, q.requesterId, operatorId]));
    expect(new Set(notices.map((n) => n.reason))).toEqual(new Set([`lease:${q.institutionId}:grace_started:2027-01-30`]));
    expect(notices[0]!.link).toBe(`/agreements/${vm.agreementId}`);
    expect((notices[0]!.body as { id: string }).id).toContain(`- ${vm.name} (perjanjian `);

    expect((await sweep('2027-01-22')).notices).toBe(0);
    expect((await sweep('2027-01-23')).notices).toBe(1);
    expect((await sweep('2027-01-24')).notices).toBe(0);
    expect((await sweep('2027-01-29')).notices).toBe(1);
    notices = await noticesOf(q.institutionId);
    expect([...new Set(notices.map((n) => n.reason))]).toEqual([
      `lease:${q.institutionId}:grace_started:2027-01-30`,
      `lease:${q.institutionId}:stop_ahead:2027-01-30:7`,
      `lease:${q.institutionId}:stop_ahead:2027-01-30:1`,
    ]);
    expect((await vmOf(q.requestId)).state).toBe('running');

    // the grace period ends: the kept backup first, then the stop once it is recorded
    expect((await sweep('2027-01-30')).backups).toBe(1);
    expect((await sweep('2027-01-30')).backups).toBe(0);
    let stopped = 0;
    for (let i = 0; i < 60 && stopped === 0; i++) {
      await sweepBackups(env.deps);
      stopped += (await sweep('2027-01-30')).stopped;
      if (stopped === 0) await new Promise((r) => setTimeout(r, 200));
    }
    expect(stopped).toBe(1);
    const lease = (await leaseOf(vm.id))!;
    expect(lease).toMatchObject({ state: 'stopped', stoppedOn: '2027-01-30', destroyOn: '2027-03-01' });
    const kept = await db.selectFrom('vmBackups').selectAll().where('id', '=', lease.backupId!).executeTakeFirstOrThrow();
    expect(kept).toMatchObject({ kept: true, outcome: 'ok', backupDate: '2027-01-30' });
    const onStorage = await backupClient(env.pve).list('pve1', 'pbs', vm.vmid!);
    expect(onStorage.find((v) => v.volid === kept.volid)?.protected).toBeTruthy();

    const stopRun = await db
      .selectFrom('provisioningRuns')
      .select(['id', 'kind', 'status'])
      .where('id', '=', lease.stopRunId!)
      .executeTakeFirstOrThrow();
    expect(stopRun).toMatchObject({ kind: 'stop', status: 'queued' });
    expect((await runToEnd(env.deps, stopRun.id)).status).toBe('succeeded');
    expect((await vmOf(q.requestId)).state).toBe('stopped');
    expect(env.sim.state.vm(vm.vmid!)?.status).toBe('stopped');

    expect((await sweep('2027-02-21')).notices).toBe(0);
    expect((await sweep('2027-02-22')).notices).toBe(1);
    expect((await sweep('2027-02-28')).notices).toBe(1);
    expect((await sweep('2027-02-28')).destroyed).toBe(0);

    // two workers sweeping at once destroy it once
    const both = await Promise.all([sweep('2027-03-01'), sweep('2027-03-01')]);
    expect(both[0].destroyed + both[1].destroyed).toBe(1);
    expect(await sweep('2027-03-01')).toMatchObject({ destroyed: 0, stopped: 0, backups: 0, graced: 0 });
    const destroying = (await leaseOf(vm.id))!;
    expect(destroying.state).toBe('destroying');
    expect((await vmOf(q.requestId)).state).toBe('decommissioning');
    expect((await runToEnd(env.deps, destroying.destroyRunId!)).status).toBe('succeeded');
    expect((await vmOf(q.requestId)).state).toBe('decommissioned');
    // the kept backup outlives the VM
    expect((await backupClient(env.pve).list('pve1', 'pbs', vm.vmid!)).map((v) => v.volid)).toContain(kept.volid);

    notices = await noticesOf(q.institutionId);
    expect([...new Set(notices.map((n) => n.reason))].slice(3)).toEqual([
      `lease:${q.institutionId}:stopped:2027-03-01`,
      `lease:${q.institutionId}:destroy_ahead:2027-03-01:7`,
      `lease:${q.institutionId}:destroy_ahead:2027-03-01:1`,
      `lease:${q.institutionId}:destroying:2027-03-01`,
    ]);
    const audit = await db
      .selectFrom('auditLog')
      .select('action')
      .where('targetId', '=', vm.id)
      .where('action', 'like', 'vm.lease%')
      .orderBy('id')
      .execute();
    expect(audit.map((a) => a.action)).toEqual([
      'vm.lease_grace_started',
      'vm.lease_final_backup',
      'vm.lease_stopped',
      'vm.lease_destroying',
    ]);
  });

  it('does not stop a VM whose final backup failed: operators are told and it is tried again the next day', async () => {
    const r = await makeQueuedProvisionRun(db, { ports: [], poolOctet: 54 });
    env.portsByHostname.set(r.hostname, r.ports);
    expect((await runToEnd(env.deps, r.runId)).status).toBe('succeeded');
    const vm = await vmOf(r.requestId);
    await db.updateTable('agreements').set({ termEnd: '2027-03-31' }).where('id', '=', vm.agreementId!).execute();
    expect((await sweep('2027-04-01')).graced).toBe(1);
    expect(await leaseOf(vm.id)).toMatchObject({ state: 'grace', graceUntil: '2027-04-30' });

    env.sim.faults.setConfigLock(vm.vmid!, 'backup');
    expect((await sweep('2027-04-30')).backups).toBe(1);
    const first = (await leaseOf(vm.id))!.backupId!;
    for (let i = 0; i < 60; i++) {
      await sweepBackups(env.deps);
      const row = await db.selectFrom('vmBackups').select('outcome').where('id', '=', first).executeTakeFirstOrThrow();
      if (row.outcome !== 'running') break;
      await new Promise((res) => setTimeout(res, 200));
    }
    expect(await sweep('2027-04-30')).toMatchObject({ stopped: 0, backups: 0 });
    expect(await leaseOf(vm.id)).toMatchObject({ state: 'final_backup', backupId: null });
    expect((await vmOf(r.requestId)).state).toBe('running');
    const alert = await db.selectFrom('outbox').select('payload').where('dedupKey', '=', `lease-final-backup-failed:${first}`).execute();
    expect(alert).toHaveLength(1);
    expect(JSON.stringify(alert[0]!.payload)).toContain('LEASE_FINAL_BACKUP_FAILED');
    // the same day holds its failed attempt: nothing new until tomorrow
    expect(await sweep('2027-04-30')).toMatchObject({ stopped: 0, backups: 0 });

    env.sim.faults.setConfigLock(vm.vmid!, undefined);
    expect((await sweep('2027-05-01')).backups).toBe(1);
    let stopped = 0;
    for (let i = 0; i < 60 && stopped === 0; i++) {
      await sweepBackups(env.deps);
      stopped += (await sweep('2027-05-01')).stopped;
      if (stopped === 0) await new Promise((res) => setTimeout(res, 200));
    }
    expect(stopped).toBe(1);
    expect(await leaseOf(vm.id)).toMatchObject({ state: 'stopped', stoppedOn: '2027-05-01', destroyOn: '2027-05-31' });
  });
  it('sends an institution with several VPSs at a milestone ONE notice listing them all (in-app and e-mail), once however often it sweeps', async () => {
    const made: QueuedProvision[] = [];
    for (const octet of [55, 56, 57]) {
      const p = await makeQueuedProvisionRun(db, { ports: [], poolOctet: octet });
      env.portsByHostname.set(p.hostname, p.ports);
      expect((await runToEnd(env.deps, p.runId)).status).toBe('succeeded');
      made.push(p);
    }
    const [home, ...moved] = made as [QueuedProvision, ...QueuedProvision[]];
    const homeVm = await vmOf(home.requestId);
    // the other two VPSs belong to the same institution, under the same agreement
    for (const p of moved) {
      await db.updateTable('vpsRequests').set({ institutionId: home.institutionId }).where('id', '=', p.requestId).execute();
      await db
        .updateTable('vms')
        .set({ institutionId: home.institutionId, agreementId: homeVm.agreementId })
        .where('requestId', '=', p.requestId)
        .execute();
    }
    await db.updateTable('agreements').set({ termEnd: '2027-06-30' }).where('id', '=', homeVm.agreementId!).execute();
    const names = (await Promise.all(made.map(async (p) => (await vmOf(p.requestId)).name))).sort();

    expect((await sweep('2027-07-01')).graced).toBeGreaterThanOrEqual(3);
    await sweep('2027-07-01');
    const inApp = (await noticesOf(home.institutionId)).filter((n) => n.userId === home.requesterId);
    expect(inApp.map((n) => n.reason)).toEqual([`lease:${home.institutionId}:grace_started:2027-07-30`]);
    for (const name of names) expect((inApp[0]!.body as { id: string; en: string }).id).toContain(`- ${name} (perjanjian `);

    const smtp = await startSmtp();
    try {
      const transport = createMailTransport({ SMTP_URL: smtp.url }, () => undefined);
      const logger = pino(testLogOptions('lease-notice-mail'), testLogDestination('lease-notice-mail'));
      // the outbox holds the earlier tests' mails too: send until it is empty
      const sendAll = async () => {
        while ((await sendEmailsOnce(db, transport, 'Betang <betang@kalteng.go.id>', logger)) > 0);
      };
      await sendAll();
      // a third sweep after the mail went out writes nothing new
      await sweep('2027-07-01');
      await sendAll();
      transport.close();
      const leaseMails = smtp.received.filter(
        (m) => m.to.includes(home.requesterEmail) && /^Subject: Perjanjian berakhir: 3 VPS dalam masa tenggang\r?$/m.test(m.raw),
      );
      expect(leaseMails).toHaveLength(1);
      const text = bodyOf(leaseMails[0]!.raw);
      for (const name of names) {
        expect(text).toContain(`- ${name} (perjanjian `);
        expect(text).toContain(`- ${name} (agreement `);
      }
    } finally {
      await smtp.close();
    }
  });
});
