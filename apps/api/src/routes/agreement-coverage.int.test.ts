import { Role } from '@betang/core';
import {
  makeAgreementInForce,
  makeApplication,
  makeCatalog,
  makeInstitution,
  makeIpPool,
  makeQuota,
  makeUser,
  testSshKey,
} from '@betang/testkit';
import { signInAs, startApiHarness, type ApiHarness, type SignedIn } from '../testing/api-harness';

/**
 * The agreement decides what is covered: its listed applications and named OS templates.
 * Submission and approval refuse the rest with a bilingual reason; the review checks say it first.
 */
describe('agreement coverage: submission, approval and the review checks', () => {
  let h: ApiHarness;
  let institutionId: string;
  let agreementId: string;
  let listedApp: string;
  let unlistedApp: string;
  let staff: SignedIn;
  let operator: SignedIn;
  let n = 0;

  const body = (overrides: Record<string, unknown> = {}) => ({
    applicationId: listedApp,
    hostname: `cov-${(n += 1)}`,
    templateId: 'debian-12',
    presetId: 'small',
    sshPublicKeys: [testSshKey()],
    purpose: 'Server aplikasi untuk layanan publik',
    network: { publicAccess: false, ports: [443] },
    contact: { name: 'Budi Santoso', nip: '198501012010011001', phone: '+62 812-5555-0101', email: 'budi@kalteng.go.id' },
    ...overrides,
  });
  const submit = (payload: object) => staff.agent.post('/api/v1/vps-requests').set('X-CSRF-Token', staff.csrfToken).send(payload);
  const approve = (id: string) =>
    operator.agent.post(`/api/v1/vps-requests/${id}/approve`).set('X-CSRF-Token', operator.csrfToken).send({});
  const checks = (who: SignedIn, id: string) => who.agent.get(`/api/v1/vps-requests/${id}/checks`);
  const requestCount = async () =>
    Number(
      (
        await h.database.db
          .selectFrom('vpsRequests')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('institutionId', '=', institutionId)
          .executeTakeFirstOrThrow()
      ).n,
    );
  const statusOf = (c: { body: { checks: { key: string; status: string }[] } }) =>
    Object.fromEntries(c.body.checks.map((x) => [x.key, x.status]));

  beforeAll(async () => {
    h = await startApiHarness();
    const { db } = h.database;
    await makeCatalog(db);
    await makeIpPool(db, { size: 5, octet: 131 });
    institutionId = (await makeInstitution(db)).id;
    listedApp = await makeApplication(db, institutionId, 'SIMPEG Dinas');
    unlistedApp = await makeApplication(db, institutionId, 'Portal Lelang');
    const admin = await makeUser(db, { roles: [Role.Admin] });
    await makeQuota(db, institutionId, admin.id, { cores: 40, memoryMiB: 100_000, diskGiB: 2000, vmCount: 20 });
    agreementId = await makeAgreementInForce(db, institutionId);
    // Printed as the generator does: the listed applications, and the OS templates by name.
    await db.insertInto('agreementApplications').values({ agreementId, applicationId: listedApp }).execute();
    await db
      .updateTable('agreements')
      .set({ documentData: JSON.stringify({ osTemplates: ['Debian 12'] }) })
      .where('id', '=', agreementId)
      .execute();
    staff = await signInAs(h.app, (await makeUser(db, { roles: [Role.InstitutionStaff], institutionId })).email);
    operator = await signInAs(h.app, (await makeUser(db, { roles: [Role.Operator] })).email);
  });
  afterAll(() => h.close());

  it('should refuse at submission an application the agreement does not list, naming it, and write nothing', async () => {
    const before = await requestCount();
    const refused = await submit(body({ applicationId: unlistedApp }));
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('NO_AGREEMENT_IN_FORCE');
    expect(refused.body.error.message).toMatch(/Aplikasi Portal Lelang tidak tercantum/);
    expect(refused.body.error.details.gaps).toEqual([{ kind: 'application', subject: 'Portal Lelang' }]);
    const english = await staff.agent
      .post('/api/v1/vps-requests')
      .set('X-CSRF-Token', staff.csrfToken)
      .set('Accept-Language', 'en')
      .send(body({ applicationId: unlistedApp }));
    expect(english.body.error.message).toMatch(/Application Portal Lelang is not listed/);
    expect(await requestCount()).toBe(before);
  });

  it('should refuse at submission an OS template the agreement does not name', async () => {
    const before = await requestCount();
    const refused = await submit(body({ templateId: 'ubuntu-24.04' }));
    expect(refused.status).toBe(422);
    expect(refused.body.error.message).toMatch(/Templat OS Ubuntu 24.04 LTS tidak tercantum/);
    expect(refused.body.error.details.gaps).toEqual([{ kind: 'template', subject: 'Ubuntu 24.04 LTS' }]);
    expect(await requestCount()).toBe(before);
  });

  it('should list every check as passed for a covered request, to operators only', async () => {
    const created = await submit(body());
    expect(created.status).toBe(201);
    const seen = await checks(operator, created.body.id);
    expect(seen.status).toBe(200);
    expect(seen.body.checks.map((c: { key: string }) => c.key)).toEqual(['agreement', 'coverage', 'ceiling', 'quota', 'pool']);
    expect(statusOf(seen)).toEqual({ agreement: 'passed', coverage: 'passed', ceiling: 'passed', quota: 'passed', pool: 'passed' });
    expect(seen.body.approvable).toBe(true);
    expect(seen.body.checks[1].message.id).toMatch(/SIMPEG Dinas dan templat Debian 12 tercakup/);
    expect(seen.body.checks[1].message.en).toMatch(/SIMPEG Dinas and template Debian 12 are covered/);
    expect((await checks(staff, created.body.id)).status).toBe(403);
    expect((await checks(operator, '00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('should refuse an approval once the agreement stops listing the application, and record no decision', async () => {
    const { db } = h.database;
    const created = await submit(body());
    expect(created.status).toBe(201);
    // A renewal that dropped the application: the agreement now lists another one only.
    await db.deleteFrom('agreementApplications').where('agreementId', '=', agreementId).execute();
    await db.insertInto('agreementApplications').values({ agreementId, applicationId: unlistedApp }).execute();
    try {
      const seen = await checks(operator, created.body.id);
      expect(statusOf(seen)).toMatchObject({ agreement: 'passed', coverage: 'failed', ceiling: 'passed' });
      expect(seen.body.approvable).toBe(false);
      const refused = await approve(created.body.id);
      expect(refused.status).toBe(422);
      expect(refused.body.error.code).toBe('NO_AGREEMENT_IN_FORCE');
      expect(refused.body.error.message).toMatch(/Aplikasi SIMPEG Dinas tidak tercantum/);
      const approvals = await db.selectFrom('approvals').select('id').where('requestId', '=', created.body.id).execute();
      expect(approvals).toEqual([]);
      const row = await db.selectFrom('vpsRequests').select('status').where('id', '=', created.body.id).executeTakeFirstOrThrow();
      expect(row.status).toBe('submitted');
    } finally {
      await db.deleteFrom('agreementApplications').where('agreementId', '=', agreementId).execute();
      await db.insertInto('agreementApplications').values({ agreementId, applicationId: listedApp }).execute();
    }
    expect((await approve(created.body.id)).status).toBe(200);
  });

  it('should refuse an approval after the agreement was revoked, and show the agreement check failed', async () => {
    const { db } = h.database;
    const created = await submit(body());
    await db
      .updateTable('agreements')
      .set({ status: 'revoked', revokedAt: new Date(), revokeReason: 'uji' })
      .where('id', '=', agreementId)
      .execute();
    try {
      const seen = await checks(operator, created.body.id);
      expect(statusOf(seen)).toMatchObject({ agreement: 'failed', coverage: 'failed', ceiling: 'failed', quota: 'passed', pool: 'passed' });
      const refused = await approve(created.body.id);
      expect(refused.status).toBe(422);
      expect(refused.body.error.message).toMatch(/belum memiliki perjanjian/);
      expect(refused.body.error.message).not.toMatch(/Tidak dapat diperiksa/);
    } finally {
      await db
        .updateTable('agreements')
        .set({ status: 'in_force', revokedAt: null, revokeReason: null })
        .where('id', '=', agreementId)
        .execute();
    }
  });

  it('should show a failed pool check when no pool the institution may use has a free address', async () => {
    const { db } = h.database;
    const created = await submit(body());
    const other = await makeInstitution(db);
    // Every pool becomes another institution's own: none is left for this one.
    const pools = await db.selectFrom('ipPools').select(['id', 'institutionId']).execute();
    await db.updateTable('ipPools').set({ institutionId: other.id }).execute();
    try {
      const seen = await checks(operator, created.body.id);
      expect(statusOf(seen)).toMatchObject({ agreement: 'passed', coverage: 'passed', pool: 'failed' });
      // The pool is shown, not enforced here: the final approval refuses on its own.
      expect(seen.body.approvable).toBe(true);
      expect(seen.body.checks[4].message.en).toMatch(/No free IP address/);
    } finally {
      for (const p of pools) await db.updateTable('ipPools').set({ institutionId: p.institutionId }).where('id', '=', p.id).execute();
    }
  });
});
