import { insertDecommission, transitionRequest, transitionVm, type Db } from '@betang/db';
import {
  createTestDatabase,
  makeOperator,
  makeQueuedActionRun,
  makeQueuedProvisionRun,
  testLogDestination,
  testLogOptions,
  type QueuedProvision,
  type TestDatabase,
} from '@betang/testkit';
import { pino } from 'pino';
import { startProvisioningEnv, type ProvisioningEnv } from '../testing/provisioning-env';
import { runToEnd } from '../testing/run-to-end';
import { sweepRetainedVms } from './decommission-sweep.job';

jest.setTimeout(180_000);

const logger = pino(testLogOptions('decommission-sweep'), testLogDestination('decommission-sweep'));
const HOUR = 3_600_000;

/**
 * The grace sweep against real PostgreSQL and the PVE simulator: two provisioned VMs are
 * decommissioned the way the API does it (retained until a deadline, stopped by a `stop` run);
 * the sweep reminds once, destroys only the VM whose grace period ended (through the unchanged
 * decommission run: VM gone, address and vmid released), and changes nothing when run again.
 */
describe('decommission.sweep', () => {
  let t: TestDatabase;
  let db: Db;
  let env: ProvisioningEnv;
  let due: QueuedProvision;
  let kept: QueuedProvision;
  const until = new Map<string, Date>();
  const headEmail = 'kepala-dinas@uji.kalteng.go.id';

  const vmOf = (requestId: string) => db.selectFrom('vms').selectAll().where('requestId', '=', requestId).executeTakeFirstOrThrow();
  const statusOf = async (requestId: string) =>
    (await db.selectFrom('vpsRequests').select('status').where('id', '=', requestId).executeTakeFirstOrThrow()).status;
  const runsOf = (requestId: string) =>
    db
      .selectFrom('provisioningRuns')
      .select(['id', 'kind', 'status'])
      .where('requestId', '=', requestId)
      .where('kind', '<>', 'provision')
      .orderBy('createdAt')
      .execute();

  /** What POST /vms/:id/decommission writes for a direct decommission, then the stop run through the worker. */
  async function retain(q: QueuedProvision, retainedUntil: Date): Promise<void> {
    const vm = await vmOf(q.requestId);
    await db.transaction().execute(async (tx) => {
      await insertDecommission(tx, {
        vmId: vm.id,
        requestId: q.requestId,
        institutionId: q.institutionId,
        requestedBy: q.requesterId,
        reason: 'Aplikasi dipindah',
        status: 'approved',
      });
      await transitionVm(tx, vm.id, ['running'], 'retained', { fields: { retainedUntil } });
      await transitionRequest(tx, q.requestId, ['active'], 'retained', { reason: 'Aplikasi dipindah' });
    });
    until.set(q.requestId, retainedUntil);
    const stop = await makeQueuedActionRun(db, q.requestId, 'stop', { reason: 'Aplikasi dipindah' });
    expect((await runToEnd(env.deps, stop)).status).toBe('succeeded');
  }

  beforeAll(async () => {
    t = await createTestDatabase();
    db = t.db;
    env = await startProvisioningEnv(db);
    await makeOperator(db);
    due = await makeQueuedProvisionRun(db, { ports: [], poolOctet: 31 });
    kept = await makeQueuedProvisionRun(db, { ports: [], poolOctet: 32 });
    for (const q of [due, kept]) {
      env.portsByHostname.set(q.hostname, q.ports);
      expect((await runToEnd(env.deps, q.runId)).status).toBe('succeeded');
    }
    const head = await db
      .insertInto('users')
      .values({ institutionId: due.institutionId, email: headEmail, name: 'Kepala Dinas Uji', passwordHash: 'x' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db.insertInto('userRoles').values({ userId: head.id, role: 'institution_head' }).execute();
    const now = Date.now();
    await retain(due, new Date(now + 2 * HOUR));
    await retain(kept, new Date(now + 5 * 24 * HOUR));
  });
  afterAll(async () => {
    await env?.close();
    await t?.drop();
  });

  it('should keep retained VMs stopped but intact, holding vmid and address, before their grace period ends', async () => {
    for (const q of [due, kept]) {
      const vm = await vmOf(q.requestId);
      expect(vm.state).toBe('retained');
      expect(await statusOf(q.requestId)).toBe('retained');
      expect(env.sim.state.vm(vm.vmid as number)?.status).toBe('stopped');
    }
    const result = await sweepRetainedVms(db, logger, new Date(Date.now() - 23 * HOUR));
    expect(result).toEqual({ destroyed: 0, reminders: 0 });
    expect(await runsOf(due.requestId)).toEqual([expect.objectContaining({ kind: 'stop', status: 'succeeded' })]);
  });

  it('should remind the requester, the PIC and the heads once, a day before the end', async () => {
    const first = await sweepRetainedVms(db, logger);
    expect(first).toEqual({ destroyed: 0, reminders: 1 });
    expect(await sweepRetainedVms(db, logger)).toEqual({ destroyed: 0, reminders: 0 });
    const vm = await vmOf(due.requestId);
    const mails = await db
      .selectFrom('outbox')
      .select(['dedupKey', 'payload'])
      .where('topic', '=', 'email')
      .where('dedupKey', 'like', 'decommission-reminder:%')
      .execute();
    expect(mails.map((m) => m.dedupKey)).toEqual([`decommission-reminder:${vm.id}:${until.get(due.requestId)?.toISOString()}`]);
    const payload = mails[0]?.payload as { to: string[]; subject: { id: string; en: string } };
    expect(payload.to.sort()).toEqual([due.requesterEmail, 'pic@uji.kalteng.go.id', headEmail].sort());
    expect(payload.subject.id).toContain(vm.name);
  });

  it('should destroy only the VM whose grace period ended, exactly once even when two sweeps race', async () => {
    const later = new Date(Date.now() + 3 * HOUR);
    const [a, b] = await Promise.all([sweepRetainedVms(db, logger, later), sweepRetainedVms(db, logger, later)]);
    expect(a.destroyed + b.destroyed).toBe(1);
    expect(await sweepRetainedVms(db, logger, later)).toEqual({ destroyed: 0, reminders: 0 });

    const runs = await runsOf(due.requestId);
    expect(runs.map((r) => [r.kind, r.status])).toEqual([
      ['stop', 'succeeded'],
      ['decommission', 'queued'],
    ]);
    expect((await vmOf(due.requestId)).state).toBe('decommissioning');
    expect(await statusOf(due.requestId)).toBe('decommissioning');
    expect((await vmOf(kept.requestId)).state).toBe('retained');
    expect(await runsOf(kept.requestId)).toHaveLength(1);
    const job = await db.selectFrom('outbox').select('payload').where('dedupKey', '=', `run:${runs[1]?.id}`).executeTakeFirstOrThrow();
    expect(job.payload).toEqual({ name: 'vm.action', data: { runId: runs[1]?.id } });

    const vmid = (await vmOf(due.requestId)).vmid as number;
    expect((await runToEnd(env.deps, runs[1]?.id as string)).status).toBe('succeeded');
    expect(env.sim.state.vm(vmid)).toBeUndefined();
    expect((await vmOf(due.requestId)).state).toBe('decommissioned');
    expect(await statusOf(due.requestId)).toBe('decommissioned');
    const held = await db.selectFrom('ipAllocations').select('releasedAt').where('requestId', '=', due.requestId).execute();
    expect(held.every((a) => a.releasedAt !== null)).toBe(true);
    // The vmid is free again: no live VM row holds it.
    const holding = await db
      .selectFrom('vms')
      .select('id')
      .where('vmid', '=', vmid)
      .where('state', 'not in', ['decommissioned', 'failed'])
      .execute();
    expect(holding).toEqual([]);
    // The retained neighbour is untouched in the cluster.
    expect(env.sim.state.vm((await vmOf(kept.requestId)).vmid as number)?.status).toBe('stopped');
  });

  it('should leave a VM restored before the end alone, and one whose restore run is still live', async () => {
    const vm = await vmOf(kept.requestId);
    // A restore queued (start run live): the sweep must not race it.
    const start = await makeQueuedActionRun(db, kept.requestId, 'start');
    const farLater = new Date(Date.now() + 30 * 24 * HOUR);
    expect((await sweepRetainedVms(db, logger, farLater)).destroyed).toBe(0);
    await db.transaction().execute(async (tx) => {
      await transitionVm(tx, vm.id, ['retained'], 'stopped', { fields: { retainedUntil: null } });
      await transitionRequest(tx, kept.requestId, ['retained'], 'stopped');
    });
    expect((await runToEnd(env.deps, start)).status).toBe('succeeded');
    expect(await sweepRetainedVms(db, logger, farLater)).toEqual({ destroyed: 0, reminders: 0 });
    expect((await vmOf(kept.requestId)).state).toBe('running');
    expect(await statusOf(kept.requestId)).toBe('active');
    expect(env.sim.state.vm(vm.vmid as number)?.status).toBe('running');
  });
});
