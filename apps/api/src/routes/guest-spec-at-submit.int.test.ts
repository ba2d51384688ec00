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

describe('requests the worker could never provision are refused at submit', () => {
  let h: ApiHarness;
  let admin: SignedIn;
  let n = 0;

  async function staffOf(code?: string): Promise<{ staff: SignedIn; applicationId: string }> {
    const { db } = h.database;
    const institution = await makeInstitution(db, code ? { code } : {});
    const applicationId = await makeApplication(db, institution.id);
    const owner = await makeUser(db, { roles: [Role.Admin] });
    await makeQuota(db, institution.id, owner.id);
    await makeAgreementInForce(db, institution.id);
    const staff = await signInAs(h.app, (await makeUser(db, { roles: [Role.InstitutionStaff], institutionId: institution.id })).email);
    return { staff, applicationId };
  }
  const submit = (staff: SignedIn, applicationId: string, sshPublicKeys: string[]) =>
    staff.agent
      .post('/api/v1/vps-requests')
      .set('X-CSRF-Token', staff.csrfToken)
      .send({
        applicationId,
        hostname: `spec-${(n += 1)}`,
        templateId: 'debian-12',
        presetId: 'small',
        sshPublicKeys,
        purpose: 'Uji spesifikasi tamu',
        network: { publicAccess: false, ports: [] },
        contact: { name: 'Budi', nip: '198501012010011001', phone: '0812555501', email: 'budi@kalteng.go.id' },
      });

  beforeAll(async () => {
    h = await startApiHarness();
    await makeCatalog(h.database.db);
    await makeIpPool(h.database.db, { size: 10, octet: 170 });
    admin = await signInAs(h.app, (await makeUser(h.database.db, { roles: [Role.Admin] })).email);
  });
  afterAll(() => h.close());

  it('should refuse the same SSH key twice under different comments, naming the second one', async () => {
    const { staff, applicationId } = await staffOf();
    const key = testSshKey('laptop@kantor');
    const [type, blob] = key.split(' ');
    const refused = await submit(staff, applicationId, [key, `${type} ${blob} rumah@pribadi`]);
    expect(refused.status).toBe(400);
    expect(refused.body.error.details).toEqual([
      expect.objectContaining({ path: 'body.sshPublicKeys.1', message: expect.stringMatching(/^Kunci SSH ini sudah ada di daftar[^/]*$/) }),
    ]);
    expect(await h.database.db.selectFrom('vpsRequests').select('id').where('hostname', '=', `spec-${n}`).execute()).toEqual([]);
    expect((await submit(staff, applicationId, [key, testSshKey('lain@kantor')])).status).toBe(201);
  });

  it('should refuse a request of an institution whose code is a reserved Linux user (STAFF → staff)', async () => {
    const { staff, applicationId } = await staffOf('STAFF');
    const refused = await submit(staff, applicationId, [testSshKey()]);
    expect(refused.status).toBe(400);
    expect(refused.body.error.details).toEqual([expect.objectContaining({ path: 'institution.code', code: 'reserved_admin_user' })]);
    expect(refused.body.error.message).toMatch(/staff/);
    expect(await h.database.db.selectFrom('vpsRequests').select('id').where('hostname', '=', `spec-${n}`).execute()).toEqual([]);
  });

  it('should refuse to create an institution whose code maps to a reserved Linux user', async () => {
    for (const code of ['STAFF', 'ROOT', 'SYSTEMD-NETWORK']) {
      const created = await admin.agent
        .post('/api/v1/institutions')
        .set('X-CSRF-Token', admin.csrfToken)
        .send({ code, name: `Instansi ${code}` });
      expect([code, created.status]).toEqual([code, 400]);
      expect(created.body.error.details[0]).toMatchObject({ path: 'body.code', message: expect.stringMatching(/dicadangkan[^/]*$/) });
    }
    expect(
      (await admin.agent.post('/api/v1/institutions').set('X-CSRF-Token', admin.csrfToken).send({ code: 'BAPPEDA', name: 'Bappeda' }))
        .status,
    ).toBe(201);
  });
});
