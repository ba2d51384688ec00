import { Role } from '@betang/core';
import { makeAgreementInForce, makeApplication, makeCatalog, makeInstitution, makeIpPool, makeQuota, makeUser } from '@betang/testkit';
import { activeVmThroughApi } from '../testing/active-vm';
import { signInAs, startApiHarness, type ApiHarness, type SignedIn } from '../testing/api-harness';

describe('restore from a backup into a new VM', () => {
  let h: ApiHarness;
  let staff: SignedIn;
  let operator: SignedIn;
  let outsider: SignedIn;
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
    await makeQuota(db, institutionId, adminUser.id, { cores: 16, memoryMiB: 65_536, diskGiB: 500, vmCount: 16 });
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
  const newVmRequests = (backupId: string) =>
    h.database.db.selectFrom('vpsRequests').selectAll().where('restoreFromBackupId', '=', backupId).orderBy('createdAt').execute();
  const requestCount = async () =>
    Number(
      (
        await h.database.db
          .selectFrom('vpsRequests')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it("should put the owner's restore into a new VM through the approval queue as a new request, then provision it once", async () => {
    const { vmId, requestId } = await activeVm();
    const backupId = await backupOf(vmId);
    const asked = await post(staff, `/api/v1/vms/${vmId}/backups/${backupId}/restore`, { mode: 'new_vm', confirm: true });
    expect(asked.status).toBe(202);
    expect(asked.body).toEqual({ runId: null, status: 'awaiting_approval', requestId: expect.any(String) });
    const { db } = h.database;
    const [created] = await newVmRequests(backupId);
    const source = await db.selectFrom('vpsRequests').selectAll().where('id', '=', requestId).executeTakeFirstOrThrow();
    expect(created).toMatchObject({
      id: asked.body.requestId,
      status: 'submitted',
      institutionId,
      applicationId,
      hostname: `vm-${n}-pulih`,
      templateId: source.templateId,
      cores: 1,
      memoryMiB: 2048,
      diskGiB: 20,
      publicAccess: false,
      sshPublicKeys: source.sshPublicKeys,
    });
    expect(await db.selectFrom('provisioningRuns').select('id').where('requestId', '=', created!.id).execute()).toHaveLength(0);
    // the source VM is only read: no run on it, its request stays active
    expect(
      await db.selectFrom('provisioningRuns').select('id').where('vmId', '=', vmId).where('kind', '=', 'restore').execute(),
    ).toHaveLength(0);
    // a second one is a second new VM: refused while the first holds the default hostname
    const again = await post(staff, `/api/v1/vms/${vmId}/backups/${backupId}/restore`, { mode: 'new_vm', confirm: true }, 'en');
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain(`vm-${n}-pulih`);
    // the operator approves it like any new VPS: one provision run, one job
    const approved = await post(operator, `/api/v1/vps-requests/${created!.id}/approve`, {});
    expect(approved.status).toBe(200);
    const runs = await db.selectFrom('provisioningRuns').select(['id', 'kind', 'status']).where('requestId', '=', created!.id).execute();
    expect(runs).toEqual([{ id: expect.any(String), kind: 'provision', status: 'queued' }]);
    expect(await db.selectFrom('outbox').select('id').where('dedupKey', '=', `run:${runs[0]!.id}`).execute()).toHaveLength(1);
    const audit = await db
      .selectFrom('auditLog')
      .select(['action', 'after'])
      .where('targetId', '=', vmId)
      .where('action', '=', 'vm.restore_requested')
      .orderBy('id')
      .execute();
    expect(audit).toEqual([{ action: 'vm.restore_requested', after: expect.objectContaining({ mode: 'new_vm', requestId: created!.id }) }]);
  });

  it('should let an operator restore into a new VM at once, with a chosen hostname, even while the source VM has a run', async () => {
    const { vmId } = await activeVm();
    const backupId = await backupOf(vmId);
    const inPlace = await post(operator, `/api/v1/vms/${vmId}/backups/${backupId}/restore`, { mode: 'in_place', confirm: true });
    expect(inPlace.body.status).toBe('queued');
    const asked = await post(operator, `/api/v1/vms/${vmId}/backups/${backupId}/restore`, {
      mode: 'new_vm',
      confirm: true,
      hostname: 'salinan-uji',
    });
    expect(asked.status).toBe(202);
    expect(asked.body).toEqual({ runId: expect.any(String), status: 'queued', requestId: expect.any(String) });
    const { db } = h.database;
    const request = await db.selectFrom('vpsRequests').selectAll().where('id', '=', asked.body.requestId).executeTakeFirstOrThrow();
    expect(request).toMatchObject({ hostname: 'salinan-uji', status: 'queued', restoreFromBackupId: backupId, institutionId });
    const run = await db.selectFrom('provisioningRuns').selectAll().where('id', '=', asked.body.runId).executeTakeFirstOrThrow();
    expect(run).toMatchObject({ kind: 'provision', status: 'queued', requestId: request.id });
    expect(await db.selectFrom('outbox').select('id').where('dedupKey', '=', `run:${run.id}`).execute()).toHaveLength(1);
    // the address is held for the new request, not taken from the source
    const held = await db
      .selectFrom('ipAllocations')
      .select('requestId')
      .where('requestId', '=', request.id)
      .where('releasedAt', 'is', null)
      .execute();
    expect(held).toHaveLength(1);
  });

  it('should refuse bad input in the caller’s language and write nothing', async () => {
    const { vmId } = await activeVm();
    const backupId = await backupOf(vmId);
    const before = await requestCount();
    const noConfirm = await post(staff, `/api/v1/vms/${vmId}/backups/${backupId}/restore`, { mode: 'new_vm' }, 'en');
    expect(noConfirm.status).toBe(422);
    expect(JSON.stringify(noConfirm.body)).toContain('a new VM is made');
    const noConfirmId = await post(staff, `/api/v1/vms/${vmId}/backups/${backupId}/restore`, { mode: 'new_vm', confirm: false }, 'id');
    expect(JSON.stringify(noConfirmId.body)).toContain('VM baru dibuat');
    expect(JSON.stringify(noConfirmId.body)).not.toContain('a new VM is made');
    for (const hostname of ['Bad_Host', '-x', 'a'.repeat(64), 'x; reboot', '']) {
      const r = await post(staff, `/api/v1/vms/${vmId}/backups/${backupId}/restore`, { mode: 'new_vm', confirm: true, hostname });
      expect(r.status).toBe(400);
    }
    const hostInPlace = await post(staff, `/api/v1/vms/${vmId}/backups/${backupId}/restore`, {
      mode: 'in_place',
      confirm: true,
      hostname: 'abc',
    });
    expect(hostInPlace.status).toBe(400);
    // the source VM's own hostname is taken
    const taken = await post(staff, `/api/v1/vms/${vmId}/backups/${backupId}/restore`, {
      mode: 'new_vm',
      confirm: true,
      hostname: `vm-${n}`,
    });
    expect(taken.status).toBe(409);
    expect(taken.body.error.details ?? taken.body.error.issues).toBeDefined();
    const failed = await backupOf(vmId, 'failed');
    expect((await post(staff, `/api/v1/vms/${vmId}/backups/${failed}/restore`, { mode: 'new_vm', confirm: true })).status).toBe(409);
    expect(await requestCount()).toBe(before);
  });

  it("should answer 404 for another institution's backup and refuse what the quota does not allow", async () => {
    const { vmId } = await activeVm();
    const backupId = await backupOf(vmId);
    const { vmId: otherVm } = await activeVm();
    const before = await requestCount();
    const outside = await post(outsider, `/api/v1/vms/${vmId}/backups/${backupId}/restore`, { mode: 'new_vm', confirm: true });
    expect(outside.status).toBe(404);
    const crossed = await post(staff, `/api/v1/vms/${otherVm}/backups/${backupId}/restore`, { mode: 'new_vm', confirm: true });
    expect(crossed.status).toBe(404);
    const { db } = h.database;
    const quota = await db.selectFrom('quotas').selectAll().where('institutionId', '=', institutionId).executeTakeFirstOrThrow();
    await db.updateTable('quotas').set({ cores: 1 }).where('institutionId', '=', institutionId).execute();
    try {
      const over = await post(operator, `/api/v1/vms/${vmId}/backups/${backupId}/restore`, { mode: 'new_vm', confirm: true }, 'en');
      expect(over.status).toBe(422);
      expect(over.body.error.code).toBe('QUOTA_EXCEEDED');
      expect(over.body.error.message).toContain('quota');
    } finally {
      await db.updateTable('quotas').set({ cores: quota.cores }).where('institutionId', '=', institutionId).execute();
    }
    expect(await requestCount()).toBe(before);
    expect(await newVmRequests(backupId)).toHaveLength(0);
  });
});
