import { Role } from '@betang/core';
import { createTestDatabase, makeQueuedProvisionRun, makeUser, type QueuedProvision, type TestDatabase } from '@betang/testkit';
import { sql } from 'kysely';
import pg from 'pg';
import { latestEventId, latestRequestEventId, listRequestEventsAfter, requestsWithEventsBetween } from './request-event.repository';

/** The triggers of migration 20261127T2300: every relevant change → one event, in commit order, never secrets. */
describe('request events written by the database', () => {
  let t: TestDatabase;
  let octet = 30;
  const provision = () => makeQueuedProvisionRun(t.db, { poolOctet: (octet += 1) });

  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());

  it('should record the request, its address and its run when the API approves, without secrets', async () => {
    const p = await provision();
    const events = await listRequestEventsAfter(t.db, p.requestId, 0);
    expect(events.map((e) => e.kind)).toEqual(['request.status', 'address', 'run']);
    expect(events[0]!.data).toEqual({ status: 'queued', previousStatus: null, statusReason: null });
    expect(events[1]!.data).toMatchObject({ address: p.address, held: true, vmId: null, releaseReason: null });
    expect(events[2]!.data).toEqual({
      runId: p.runId,
      kind: 'provision',
      status: 'queued',
      attempt: 0,
      progress: 0,
      currentStep: null,
      error: null,
    });
    const all = JSON.stringify(events);
    expect(all).not.toContain(p.sshPublicKeys[0]!.split(' ')[1]);
    expect(all).not.toContain('pic@uji.kalteng.go.id');
    expect(all).not.toContain('0811');
    expect(events.every((e, i) => i === 0 || e.id > events[i - 1]!.id)).toBe(true);
  });

  it('should ignore updates that change nothing watched (heartbeats, same status, touches)', async () => {
    const p = await provision();
    const before = await latestRequestEventId(t.db, p.requestId);
    await t.db.updateTable('provisioningRuns').set({ heartbeatAt: new Date() }).where('id', '=', p.runId).execute();
    await t.db.updateTable('vpsRequests').set({ status: 'queued', purpose: 'diubah' }).where('id', '=', p.requestId).execute();
    await t.db
      .updateTable('provisioningRuns')
      .set({ progress: 0, params: JSON.stringify({ x: 1 }) })
      .where('id', '=', p.runId)
      .execute();
    expect(await latestRequestEventId(t.db, p.requestId)).toBe(before);
  });

  it('should record each change of the worker, step, VM and address, and nothing of a rolled-back transaction', async () => {
    const p = await provision();
    const start = await latestRequestEventId(t.db, p.requestId);
    await t.db.transaction().execute(async (tx) => {
      await tx
        .updateTable('provisioningRuns')
        .set({ status: 'running', attempt: 1, progress: 5, currentStep: 'reserve', startedAt: new Date() })
        .where('id', '=', p.runId)
        .execute();
      await tx
        .insertInto('runSteps')
        .values({ runId: p.runId, key: 'reserve', position: 1, status: 'running', attempt: 1, startedAt: new Date() })
        .execute();
      await tx
        .updateTable('runSteps')
        .set({ status: 'done', detail: 'vmid 101 di pve1', result: JSON.stringify({ secret: 'never-shown' }) })
        .where('runId', '=', p.runId)
        .execute();
      await tx.updateTable('vpsRequests').set({ status: 'provisioning' }).where('id', '=', p.requestId).execute();
    });
    await expect(
      t.db.transaction().execute(async (tx) => {
        await tx.updateTable('provisioningRuns').set({ progress: 50 }).where('id', '=', p.runId).execute();
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    const vm = await t.db
      .insertInto('vms')
      .values({
        requestId: p.requestId,
        institutionId: p.institutionId,
        name: p.hostname,
        cores: 2,
        memoryMiB: 2048,
        diskGiB: 10,
        state: 'provisioning',
        vmid: 101,
        node: 'pve1',
        hostKey: 'ssh-ed25519 AAAAhostkey',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await t.db.updateTable('vms').set({ state: 'running' }).where('id', '=', vm.id).execute();
    await t.db
      .updateTable('ipAllocations')
      .set({ releasedAt: new Date(), releaseReason: 'uji' })
      .where('requestId', '=', p.requestId)
      .execute();

    const events = await listRequestEventsAfter(t.db, p.requestId, start);
    expect(events.map((e) => e.kind)).toEqual(['run', 'run.step', 'run.step', 'request.status', 'vm', 'vm', 'address']);
    expect(events[0]!.data).toMatchObject({ status: 'running', attempt: 1, progress: 5, currentStep: 'reserve' });
    expect(events[2]!.data).toMatchObject({ runId: p.runId, key: 'reserve', position: 1, status: 'done', detail: 'vmid 101 di pve1' });
    expect(events[3]!.data).toEqual({ status: 'provisioning', previousStatus: 'queued', statusReason: null });
    expect(events[4]!.data).toEqual({ vmId: vm.id, state: 'provisioning', node: 'pve1', vmid: 101, name: p.hostname });
    expect(events[6]!.data).toMatchObject({ held: false, releaseReason: 'uji' });
    expect(JSON.stringify(events)).not.toMatch(/never-shown|hostkey/);
  });

  it('should record approvals with who decided', async () => {
    const p = await provision();
    const operator = await makeUser(t.db, { roles: [Role.Operator], name: 'Operator Satu' });
    const start = await latestRequestEventId(t.db, p.requestId);
    await t.db
      .insertInto('approvals')
      .values({ requestId: p.requestId, level: 1, decision: 'approved', decidedBy: operator.id, role: 'operator', comment: 'OK' })
      .execute();
    const [event] = await listRequestEventsAfter(t.db, p.requestId, start);
    expect(event).toMatchObject({
      kind: 'approval',
      data: { level: 1, decision: 'approved', by: operator.id, byName: 'Operator Satu', role: 'operator', comment: 'OK' },
    });
  });

  it('should number events in commit order, so a reader paging by last id never skips a late commit', async () => {
    const p: QueuedProvision = await provision();
    const a = new pg.Client({ connectionString: t.url });
    const b = new pg.Client({ connectionString: t.url });
    await Promise.all([a.connect(), b.connect()]);
    try {
      const start = await latestEventId(t.db);
      await a.query('BEGIN');
      await a.query('UPDATE provisioning_runs SET progress = 7 WHERE id = $1', [p.runId]); // changed first…
      await b.query('BEGIN');
      await b.query("UPDATE vps_requests SET status = 'provisioning' WHERE id = $1", [p.requestId]);
      await b.query('COMMIT'); // …but committed second
      const seenBetween = await listRequestEventsAfter(t.db, p.requestId, start);
      await a.query('COMMIT');
      const events = await listRequestEventsAfter(t.db, p.requestId, start);
      expect(seenBetween.map((e) => e.kind)).toEqual(['request.status']);
      expect(events.map((e) => e.kind)).toEqual(['request.status', 'run']);
      // The late commit's event is after everything a reader could already have seen.
      expect(events[1]!.id).toBeGreaterThan(seenBetween[0]!.id);
      expect(await requestsWithEventsBetween(t.db, start, await latestEventId(t.db))).toEqual([p.requestId]);
    } finally {
      await Promise.all([a.end(), b.end()]);
    }
  });

  it('should NOTIFY the request id on the betang_request_events channel at commit', async () => {
    const p = await provision();
    const listener = new pg.Client({ connectionString: t.url });
    await listener.connect();
    try {
      await listener.query('LISTEN betang_request_events');
      const received = new Promise<string | undefined>((resolve) => listener.once('notification', (m) => resolve(m.payload)));
      await sql`UPDATE vps_requests SET status = 'provisioning' WHERE id = ${p.requestId}`.execute(t.db);
      await expect(received).resolves.toBe(p.requestId);
    } finally {
      await listener.end();
    }
  });
});
