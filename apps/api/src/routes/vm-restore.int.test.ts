import { Role } from '@betang/core';
import { makeAgreementInForce, makeApplication, makeCatalog, makeInstitution, makeIpPool, makeQuota, makeUser } from '@betang/testkit';
import { activeVmThroughApi } from '../testing/active-vm';
import { signInAs, startApiHarness, type ApiHarness, type SignedIn } from '../testing/api-harness';

describe('restore from a backup', () => {
  let h: ApiHarness;
  let staff: SignedIn;
  let operator: SignedIn;
  let outsider: SignedIn;
  let admin: SignedIn;
  let applicationId: string;
  let institutionId: string;
  let n = 0;

  const activeVm = () => {
    n += 1;
    return activeVmThroughApi(
      { db: h.database.db, staff, operator, institutionId, applicationId },
      { hostname: `vm-${n}`, vmid: 100_000 + n },
    );
  };
  const post = (who: SignedIn, path: string, body: object, lang = 'id') =>
    who.agent.post(path).set('X-CSRF-Token', who.csrfToken).set('Accept-Language', lang).send(body);

  beforeAll(async () => {
    h = await startApiHarness();
    const { db } = h.database;
    await makeCatalog(db);
    await makeIpPool(db, { size: 20, octet: 150 });
    institutionId = (await makeInstitution(db)).id;
    applicationId = await makeApplication(db, institutionId);
    const adminUser = await makeUser(db, { roles: [Role.Admin] });
    admin = await signInAs(h.app, adminUser.email);
    await makeQuota(db, institutionId, adminUser.id, { cores: 6, memoryMiB: 32_768, diskGiB: 500, vmCount: 12 });
    await makeAgreementInForce(db, institutionId);
    staff = await signInAs(h.app, (await makeUser(db, { roles: [Role.InstitutionStaff], institutionId })).email);
    operator = await signInAs(h.app, (await makeUser(db, { roles: [Role.Operator] })).email);
    const other = await makeInstitution(db);
    outsider = await signInAs(h.app, (await makeUser(db, { roles: [Role.InstitutionHead], institutionId: other.id })).email);
  });
  afterAll(() => h.close());

  let backups = 0;
  /** A backup as the backups sweep records it. */
  async function backupOf(vmId: string, outcome: 'ok' | 'failed' = 'ok'): Promise<string> {
    const { db } = h.database;
    const vm = await db.selectFrom('vms').select(['vmid', 'node']).where('id', '=', vmId).executeTakeFirstOrThrow();
    const row = await db
      .insertInto('vmBackups')
      .values({
        vmId,
        vmid: vm.vmid as number,
        node: vm.node ?? 'pve1',
        storage: 'pbs',
        backupDate: `2026-11-${String((backups += 1)).padStart(2, '0')}`,
        outcome,
        finishedAt: new Date(),
        ...(outcome === 'ok'
          ? { volid: `pbs:backup/vm/${vm.vmid}/2026-12-06T18:00:00Z`, sizeBytes: 1024 ** 3, durationSeconds: 40 }
          : { error: JSON.stringify({ id: 'gagal', en: 'failed' }) }),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }
  const runCount = async () =>
    Number(
      (
        await h.database.db
          .selectFrom('provisioningRuns')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('kind', '=', 'restore')
          .executeTakeFirstOrThrow()
      ).n,
    );

  it("should put the owner's restore through the change approval, then queue it exactly once", async () => {
    const { vmId, requestId } = await activeVm();
    const backupId = await backupOf(vmId);
    const asked = await post(staff, `/api/v1/vms/${vmId}/backups/${backupId}/restore`, { mode: 'in_place', confirm: true });
    expect(asked.status).toBe(202);
    expect(asked.body).toEqual({ runId: expect.any(String), status: 'awaiting_approval' });
    const { db } = h.database;
    const run = await db.selectFrom('provisioningRuns').selectAll().where('id', '=', asked.body.runId).executeTakeFirstOrThrow();
    expect(run).toMatchObject({ kind: 'restore', status: 'awaiting_approval', vmId, params: { backupId, mode: 'in_place' } });
    expect(await db.selectFrom('outbox').select('id').where('dedupKey', '=', `run:${run.id}`).execute()).toHaveLength(0);
    // a second restore while the first awaits approval: 409 naming it
    const again = await post(staff, `/api/v1/vms/${vmId}/backups/${backupId}/restore`, { mode: 'in_place', confirm: true }, 'en');
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain(`a restore from a backup, awaiting approval, run ${run.id}`);
    // the operators' queue shows it as a restore waiting for a decision, not as a resize
    const queue = await operator.agent.get('/api/v1/operator/queue');
    expect(queue.status).toBe(200);
    const item = (queue.body.pendingApprovals as Array<{ runId?: string; kind?: string; change?: unknown }>).find(
      (p) => p.runId === run.id,
    );
    expect(item).toMatchObject({ kind: 'restore' });
    expect(item?.change).toBeUndefined();
    // the operator approves it as a change: queued with one job
    const approved = await post(operator, `/api/v1/vps-requests/${requestId}/approve`, {});
    expect(approved.status).toBe(200);
    expect((await db.selectFrom('provisioningRuns').select('status').where('id', '=', run.id).executeTakeFirstOrThrow()).status).toBe(
      'queued',
    );
    expect(await db.selectFrom('outbox').select('id').where('dedupKey', '=', `run:${run.id}`).execute()).toHaveLength(1);
    const audit = await db.selectFrom('auditLog').select('action').where('targetId', '=', vmId).execute();
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['vm.restore_requested', 'vm.restore_approved']));
  });

  it('should let an operator restore any VM at once, and refuse while the VM has a run, naming it', async () => {
    const { vmId } = await activeVm();
    const backupId = await backupOf(vmId);
    const asked = await post(operator, `/api/v1/vms/${vmId}/backups/${backupId}/restore`, { mode: 'in_place', confirm: true });
    expect(asked.status).toBe(202);
    expect(asked.body.status).toBe('queued');
    const busy = await post(staff, `/api/v1/vms/${vmId}/backups/${backupId}/restore`, { mode: 'in_place', confirm: true });
    expect(busy.status).toBe(409);
    expect(busy.body.error.message).toContain(`pemulihan dari cadangan, run ${asked.body.runId}`);
    expect(busy.body.error.message).not.toContain('restore from');
  });

  it('should answer 422 without the confirmation, in the caller’s language, and write nothing', async () => {
    const { vmId } = await activeVm();
    const backupId = await backupOf(vmId);
    const before = await runCount();
    for (const body of [{ mode: 'in_place' }, { mode: 'in_place', confirm: false }]) {
      const id = await post(staff, `/api/v1/vms/${vmId}/backups/${backupId}/restore`, body, 'id');
      expect(id.status).toBe(422);
      expect(JSON.stringify(id.body)).not.toContain('Confirm the restore');
    }
    const en = await post(staff, `/api/v1/vms/${vmId}/backups/${backupId}/restore`, { mode: 'in_place', confirm: false }, 'en');
    expect(en.status).toBe(422);
    expect(JSON.stringify(en.body)).toContain('Confirm the restore');
    expect(JSON.stringify(en.body)).not.toContain('Konfirmasi pemulihan');
    const bad = await post(staff, `/api/v1/vms/${vmId}/backups/${backupId}/restore`, { mode: 'new_vm; rm -rf /', confirm: true });
    expect(bad.status).toBe(400);
    const huge = await post(staff, `/api/v1/vms/${vmId}/backups/${backupId}/restore`, {
      mode: 'in_place',
      confirm: true,
      x: 'a'.repeat(200_000),
    });
    expect([400, 413]).toContain(huge.status);
    expect(await runCount()).toBe(before);
  });

  it("should answer 404 for another institution's VM or backup, and for a backup of another VM", async () => {
    const { vmId } = await activeVm();
    const backupId = await backupOf(vmId);
    const { vmId: otherVm } = await activeVm();
    const before = await runCount();
    const outside = await post(outsider, `/api/v1/vms/${vmId}/backups/${backupId}/restore`, { mode: 'in_place', confirm: true });
    expect(outside.status).toBe(404);
    const crossed = await post(staff, `/api/v1/vms/${otherVm}/backups/${backupId}/restore`, { mode: 'in_place', confirm: true });
    expect(crossed.status).toBe(404);
    const unknown = await post(staff, `/api/v1/vms/${vmId}/backups/00000000-0000-4000-8000-000000000000/restore`, {
      mode: 'in_place',
      confirm: true,
    });
    expect(unknown.status).toBe(404);
    expect(await runCount()).toBe(before);
  });

  it('should refuse a backup that did not finish (409) and leave admins’ rights to operators and the institution', async () => {
    const { vmId } = await activeVm();
    const failed = await backupOf(vmId, 'failed');
    const r = await post(staff, `/api/v1/vms/${vmId}/backups/${failed}/restore`, { mode: 'in_place', confirm: true });
    expect(r.status).toBe(409);
    const ok = await backupOf(vmId);
    const byAdmin = await post(admin, `/api/v1/vms/${vmId}/backups/${ok}/restore`, { mode: 'in_place', confirm: true });
    expect(byAdmin.status).toBe(202);
  });
});
