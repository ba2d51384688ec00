import { Role } from '@betang/core';
import { makeAgreementInForce, makeApplication, makeCatalog, makeInstitution, makeIpPool, makeQuota, makeUser } from '@betang/testkit';
import { activeVmThroughApi } from '../testing/active-vm';
import { signInAs, startApiHarness, type ApiHarness, type SignedIn } from '../testing/api-harness';

describe('VM snapshots', () => {
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

  const put = (who: SignedIn, path: string, body: object) => who.agent.put(path).set('X-CSRF-Token', who.csrfToken).send(body);
  const del = (who: SignedIn, path: string) => who.agent.delete(path).set('X-CSRF-Token', who.csrfToken).send();
  /** What the worker leaves when a snapshot run succeeded. */
  async function finish(runId: string, snapshotStatus: 'present' | 'deleted' | null): Promise<void> {
    const { db } = h.database;
    const run = await db
      .updateTable('provisioningRuns')
      .set({ status: 'succeeded', progress: 100, finishedAt: new Date() })
      .where('id', '=', runId)
      .returning('params')
      .executeTakeFirstOrThrow();
    const id = (run.params as { snapshotId: string }).snapshotId;
    if (snapshotStatus === 'present')
      await db.updateTable('vmSnapshots').set({ status: 'present', takenAt: new Date() }).where('id', '=', id).execute();
    if (snapshotStatus === 'deleted')
      await db.updateTable('vmSnapshots').set({ status: 'deleted', deletedAt: new Date() }).where('id', '=', id).execute();
  }
  const counts = async () => {
    const { db } = h.database;
    const [s, r] = await Promise.all([
      db
        .selectFrom('vmSnapshots')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow(),
      db
        .selectFrom('provisioningRuns')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow(),
    ]);
    return { snapshots: Number(s.n), runs: Number(r.n) };
  };

  it('should queue a snapshot run exactly once, list it, and refuse a second one while it runs, naming it', async () => {
    const { vmId } = await activeVm();
    const taken = await post(staff, `/api/v1/vms/${vmId}/snapshots`, { label: 'sebelum upgrade', withRam: true });
    expect(taken.status).toBe(202);
    expect(taken.body.snapshot).toMatchObject({ label: 'sebelum upgrade', withRam: true, status: 'creating', takenAt: null });
    expect(taken.body.snapshot.name).toMatch(/^betang-[0-9a-f]{12}$/);
    const { db } = h.database;
    const run = await db.selectFrom('provisioningRuns').selectAll().where('id', '=', taken.body.runId).executeTakeFirstOrThrow();
    expect(run).toMatchObject({ kind: 'snapshot', status: 'queued', vmId, params: { snapshotId: taken.body.snapshot.id } });
    const jobs = await db.selectFrom('outbox').select('payload').where('dedupKey', '=', `run:${run.id}`).execute();
    expect(jobs).toHaveLength(1);
    const list = await staff.agent.get(`/api/v1/vms/${vmId}/snapshots`);
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ policy: { maxPerVm: 3, maxAgeDays: 7 }, unsupported: null });
    expect(list.body.items.map((s: { id: string }) => s.id)).toEqual([taken.body.snapshot.id]);

    const before = await counts();
    const busy = await post(staff, `/api/v1/vms/${vmId}/snapshots`, {});
    expect(busy.status).toBe(409);
    expect(busy.body.error.message).toContain('pengambilan snapshot');
    const busyEn = await post(staff, `/api/v1/vms/${vmId}/snapshots`, {}, 'en');
    expect(busyEn.body.error.message).toContain('taking a snapshot');
    expect(busyEn.body.error.message).toContain(run.id);
    expect(await counts()).toEqual(before);
  });

  it('should refuse a snapshot beyond the limit, naming the limit, and honour a lowered limit', async () => {
    const { vmId } = await activeVm();
    expect((await put(staff, '/api/v1/settings/snapshot-policy', { maxPerVm: 2, maxAgeDays: 3 })).status).toBe(403);
    expect((await put(admin, '/api/v1/settings/snapshot-policy', { maxPerVm: 21, maxAgeDays: 3 })).status).toBe(400);
    expect((await put(admin, '/api/v1/settings/snapshot-policy', { maxPerVm: 2, maxAgeDays: 3 })).status).toBe(200);
    try {
      for (let i = 0; i < 2; i++) {
        const ok = await post(staff, `/api/v1/vms/${vmId}/snapshots`, { label: `ke-${i}` });
        expect(ok.status).toBe(202);
        await finish(ok.body.runId, 'present');
      }
      const before = await counts();
      const refused = await post(staff, `/api/v1/vms/${vmId}/snapshots`, {});
      expect(refused.status).toBe(422);
      expect(refused.body.error.code).toBe('QUOTA_EXCEEDED');
      expect(refused.body.error.message).toContain('paling banyak 2 snapshot per VM');
      expect((await post(staff, `/api/v1/vms/${vmId}/snapshots`, {}, 'en')).body.error.message).toContain('at most 2 snapshots per VM');
      expect(await counts()).toEqual(before);
      const list = await staff.agent.get(`/api/v1/vms/${vmId}/snapshots`);
      expect(list.body.items[0].expiresAt).toBeTruthy();
      expect(new Date(list.body.items[0].expiresAt).getTime() - new Date(list.body.items[0].takenAt).getTime()).toBe(3 * 86_400_000);
      expect((await put(admin, '/api/v1/settings/snapshot-policy', { maxPerVm: 0, maxAgeDays: 3 })).status).toBe(200);
      const off = await post(operator, `/api/v1/vms/${vmId}/snapshots`, {}, 'en');
      expect(off.status).toBe(422);
      expect(off.body.error.message).toContain('limit 0');
    } finally {
      await put(admin, '/api/v1/settings/snapshot-policy', { maxPerVm: 3, maxAgeDays: 7 });
    }
  });

  it('should roll back and delete through runs, starting the VM after a rollback when it ran', async () => {
    const { vmId } = await activeVm();
    const taken = await post(staff, `/api/v1/vms/${vmId}/snapshots`, {});
    const snapshotId = taken.body.snapshot.id as string;
    // not yet taken: cannot be used
    await finish(taken.body.runId, null);
    const early = await post(staff, `/api/v1/vms/${vmId}/snapshots/${snapshotId}/rollback`, {});
    expect(early.status).toBe(409);
    await h.database.db.updateTable('vmSnapshots').set({ status: 'present', takenAt: new Date() }).where('id', '=', snapshotId).execute();

    const back = await post(staff, `/api/v1/vms/${vmId}/snapshots/${snapshotId}/rollback`, {});
    expect(back.status).toBe(202);
    const run = await h.database.db.selectFrom('provisioningRuns').selectAll().where('id', '=', back.body.runId).executeTakeFirstOrThrow();
    expect(run).toMatchObject({ kind: 'snapshot_rollback', params: { snapshotId, start: true } });
    await finish(back.body.runId, null);
    const cold = await post(operator, `/api/v1/vms/${vmId}/snapshots/${snapshotId}/rollback`, { start: false });
    expect(cold.status).toBe(202);
    await finish(cold.body.runId, null);

    const gone = await del(staff, `/api/v1/vms/${vmId}/snapshots/${snapshotId}`);
    expect(gone.status).toBe(202);
    expect(gone.body.snapshot.status).toBe('deleting');
    const twice = await del(staff, `/api/v1/vms/${vmId}/snapshots/${snapshotId}`);
    expect(twice.status).toBe(409);
    await finish(gone.body.runId, 'deleted');
    expect((await del(staff, `/api/v1/vms/${vmId}/snapshots/${snapshotId}`)).status).toBe(404);
    expect((await staff.agent.get(`/api/v1/vms/${vmId}/snapshots`)).body.items).toEqual([]);
  });

  it('should answer 404 for another institution and for another VM’s snapshot, writing nothing', async () => {
    const { vmId } = await activeVm();
    const { vmId: otherVm } = await activeVm();
    const taken = await post(staff, `/api/v1/vms/${vmId}/snapshots`, {});
    await finish(taken.body.runId, 'present');
    const id = taken.body.snapshot.id as string;
    const before = await counts();
    expect((await outsider.agent.get(`/api/v1/vms/${vmId}/snapshots`)).status).toBe(404);
    expect((await post(outsider, `/api/v1/vms/${vmId}/snapshots`, {})).status).toBe(404);
    expect((await post(outsider, `/api/v1/vms/${vmId}/snapshots/${id}/rollback`, {})).status).toBe(404);
    expect((await del(outsider, `/api/v1/vms/${vmId}/snapshots/${id}`)).status).toBe(404);
    expect((await post(staff, `/api/v1/vms/${otherVm}/snapshots/${id}/rollback`, {})).status).toBe(404);
    expect((await del(staff, `/api/v1/vms/${otherVm}/snapshots/${id}`)).status).toBe(404);
    expect(await counts()).toEqual(before);
  });

  it('should refuse bad input and a storage known not to snapshot, clearly and in both languages', async () => {
    const { vmId } = await activeVm();
    const before = await counts();
    const bad = [
      await post(staff, `/api/v1/vms/${vmId}/snapshots`, { label: 'x'.repeat(201) }),
      await post(staff, `/api/v1/vms/${vmId}/snapshots`, { label: 'baris\u0007' }),
      await post(staff, `/api/v1/vms/${vmId}/snapshots`, { withRam: 'ya' }),
      await post(staff, `/api/v1/vms/${vmId}/snapshots`, { name: 'mine' }),
      await post(staff, `/api/v1/vms/${vmId}/snapshots/not-a-uuid/rollback`, {}),
      await post(staff, `/api/v1/vms/${vmId}/snapshots/${vmId}/rollback`, { start: 'yes' }),
    ];
    for (const r of bad) {
      expect(r.status).toBe(400);
      expect(r.body.error).toMatchObject({ code: 'VALIDATION_FAILED', message: 'Data yang dikirim tidak valid.' });
      expect(r.body.error.details.length).toBeGreaterThan(0);
    }
    expect(await counts()).toEqual(before);
    const reason = 'Storage VM ini tidak mendukung snapshot: scsi0 (files:1/vm-1-disk-0.raw).';
    await h.database.db.updateTable('vms').set({ snapshotsUnsupported: reason }).where('id', '=', vmId).execute();
    // operators read the worker's detail; the institution a humane reason without storage names
    const refused = await post(operator, `/api/v1/vms/${vmId}/snapshots`, {});
    expect(refused.status).toBe(422);
    expect(refused.body.error.message).toContain('files:1/vm-1-disk-0.raw');
    expect((await operator.agent.get(`/api/v1/vms/${vmId}/snapshots`)).body.unsupported).toBe(reason);
    const humane = await post(staff, `/api/v1/vms/${vmId}/snapshots`, {});
    expect(humane.status).toBe(422);
    expect(humane.body.error.message).toContain('tidak mendukung snapshot');
    expect(humane.body.error.message).not.toContain('files:');
    const seen = (await staff.agent.get(`/api/v1/vms/${vmId}/snapshots`)).body.unsupported as string;
    expect(seen).toContain('cannot take snapshots');
    expect(seen).not.toContain('files:');
    expect(await counts()).toEqual(before);
  });
});
