import { DEFAULT_BACKUP_POLICY, Role } from '@betang/core';
import { makeApplication, makeCatalog, makeInstitution, makeUser, testSshKey } from '@betang/testkit';
import { signInAs, startApiHarness, type ApiHarness, type SignedIn } from '../testing/api-harness';

/** GET /vms/:id/backups: the owner institution and operators see the records; anyone else a 404. */
describe('VM backups over HTTP', () => {
  let h: ApiHarness;
  let staff: SignedIn;
  let operator: SignedIn;
  let outsider: SignedIn;
  let vmId: string;

  beforeAll(async () => {
    h = await startApiHarness();
    const { db } = h.database;
    await makeCatalog(db);
    const institutionId = (await makeInstitution(db)).id;
    const appId = await makeApplication(db, institutionId, 'SIMPEG Tinggi');
    await db.updateTable('applications').set({ dataClassification: 'tinggi' }).where('id', '=', appId).execute();
    const owner = await makeUser(db, { roles: [Role.InstitutionStaff], institutionId });
    staff = await signInAs(h.app, owner.email);
    operator = await signInAs(h.app, (await makeUser(db, { roles: [Role.Operator] })).email);
    const other = await makeInstitution(db);
    outsider = await signInAs(h.app, (await makeUser(db, { roles: [Role.InstitutionHead], institutionId: other.id })).email);
    const request = await db
      .insertInto('vpsRequests')
      .values({
        institutionId,
        applicationId: appId,
        requestedBy: owner.id,
        hostname: 'simpeg-1',
        templateId: 'debian-12',
        cores: 1,
        memoryMiB: 2048,
        diskGiB: 20,
        sshPublicKeys: [testSshKey()],
        purpose: 'VM uji pencadangan',
        contact: JSON.stringify({ name: 'Budi', nip: '198501012010011001', phone: '0812555501', email: 'pic@kalteng.go.id' }),
        status: 'active',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    vmId = (
      await db
        .insertInto('vms')
        .values({
          requestId: request.id,
          institutionId,
          vmid: 310_001,
          node: 'pve1',
          name: 'simpeg-1',
          cores: 1,
          memoryMiB: 2048,
          diskGiB: 20,
          state: 'running',
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    const base = { vmId, node: 'pve1', vmid: 310_001, storage: 'pbs' };
    await db
      .insertInto('vmBackups')
      .values([
        {
          ...base,
          backupDate: '2026-12-06',
          startedAt: new Date('2026-12-05T18:20:00Z'),
          finishedAt: new Date('2026-12-05T18:24:10Z'),
          outcome: 'ok',
          volid: 'pbs:backup/vm/310001/2026-12-05T18:20:00Z',
          sizeBytes: 21474836480,
          durationSeconds: 250,
          downtimeSeconds: 35,
          upid: 'UPID:pve1:00001234:00ABCDEF:6B16C007:vzdump:310001:root@pam!betang:',
        },
        {
          // the final backup of an ended lease, the same day as the nightly one
          ...base,
          backupDate: '2026-12-06',
          kept: true,
          startedAt: new Date('2026-12-05T10:00:00Z'),
          finishedAt: new Date('2026-12-05T10:03:00Z'),
          outcome: 'ok',
          volid: 'pbs:backup/vm/310001/2026-12-05T10:00:00Z',
          sizeBytes: 21474836480,
          durationSeconds: 180,
        },
        {
          ...base,
          backupDate: '2026-12-07',
          startedAt: new Date('2026-12-06T18:20:00Z'),
          finishedAt: new Date('2026-12-06T18:20:02Z'),
          outcome: 'failed',
          error: JSON.stringify({
            id: 'Tugas vzdump di pve1 gagal: VM is locked (snapshot)',
            en: 'The vzdump task on pve1 failed: VM is locked (snapshot)',
          }),
        },
      ])
      .execute();
  });
  afterAll(() => h.close());

  it('lists the VM’s backups newest first with the policy of its class, for the owner and operators', async () => {
    for (const who of [staff, operator]) {
      const r = await who.agent.get(`/api/v1/vms/${vmId}/backups`);
      expect(r.status).toBe(200);
      expect(r.body.classification).toBe('tinggi');
      expect(r.body.policy).toEqual(DEFAULT_BACKUP_POLICY.classes.tinggi);
      expect(r.body.items.map((i: { backupDate: string; outcome: string; kept: boolean }) => [i.backupDate, i.outcome, i.kept])).toEqual([
        ['2026-12-07', 'failed', false],
        ['2026-12-06', 'ok', false],
        ['2026-12-06', 'ok', true],
      ]);
      expect(r.body.items[1]).toMatchObject({
        sizeBytes: 21474836480,
        durationSeconds: 250,
        volid: 'pbs:backup/vm/310001/2026-12-05T18:20:00Z',
        error: null,
        downtimeSeconds: 35,
      });
      expect(r.body.items[2]).toMatchObject({ volid: 'pbs:backup/vm/310001/2026-12-05T10:00:00Z', kept: true, downtimeSeconds: null });
      expect(r.body.items[0].error.en).toBe('The vzdump task on pve1 failed: VM is locked (snapshot)');
    }
  });

  it('answers another institution exactly like a VM that does not exist (404, nothing named)', async () => {
    const foreign = await outsider.agent.get(`/api/v1/vms/${vmId}/backups`);
    const missing = await outsider.agent.get('/api/v1/vms/00000000-0000-4000-8000-000000000000/backups');
    expect(foreign.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(foreign.body.error.code).toBe(missing.body.error.code);
    expect(JSON.stringify(foreign.body)).not.toContain('simpeg');
    expect((await outsider.agent.get('/api/v1/vms/not-a-uuid/backups')).status).toBe(400);
  });
});
