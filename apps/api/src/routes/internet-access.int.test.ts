import { Role } from '@betang/core';
import { allocatePublicEndpoint, recordPublicEndpointProbe, type Db } from '@betang/db';
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
import { signInAs, startApiHarness, TEST_PUBLIC_NAT_ADDRESSES, type ApiHarness, type SignedIn } from '../testing/api-harness';
import { insertProvisionedVm } from '../testing/provisioned-vm';

/** An institution ready to submit: catalog, pool, application, quota, agreement and a signed-in staff member. */
async function readyInstitution(h: ApiHarness, octet: number): Promise<{ staff: SignedIn; applicationId: string }> {
  const { db } = h.database;
  await makeCatalog(db);
  await makeIpPool(db, { size: 20, octet });
  const institutionId = (await makeInstitution(db)).id;
  const applicationId = await makeApplication(db, institutionId);
  const admin = await makeUser(db, { roles: [Role.Admin] });
  await makeQuota(db, institutionId, admin.id, { cores: 40, memoryMiB: 100_000, diskGiB: 2000, vmCount: 20 });
  await makeAgreementInForce(db, institutionId);
  const staff = await signInAs(h.app, (await makeUser(db, { roles: [Role.InstitutionStaff], institutionId })).email);
  return { staff, applicationId };
}

const request = (applicationId: string, hostname: string, publicAccess: boolean) => ({
  applicationId,
  hostname,
  templateId: 'debian-12',
  presetId: 'small',
  sshPublicKeys: [testSshKey()],
  purpose: 'Server aplikasi untuk layanan publik',
  network: { publicAccess, ports: [443] },
  contact: { name: 'Budi Santoso', nip: '198501012010011001', phone: '+62 812-5555-0101', email: 'budi@kalteng.go.id' },
});

describe('internet access when the office has not configured a mechanism', () => {
  let h: ApiHarness;
  let staff: SignedIn;
  let applicationId: string;

  beforeAll(async () => {
    h = await startApiHarness({ publicNatAddresses: null });
    ({ staff, applicationId } = await readyInstitution(h, 141));
  });
  afterAll(() => h.close());

  it('should tell the form not to offer it, and refuse the flag on the field in the caller’s language, writing nothing', async () => {
    const catalog = await staff.agent.get('/api/v1/catalog');
    expect(catalog.status).toBe(200);
    expect(catalog.body.internetAccess).toEqual({ offered: false, mechanism: null });

    const refused = await staff.agent
      .post('/api/v1/vps-requests')
      .set('X-CSRF-Token', staff.csrfToken)
      .set('Accept-Language', 'en')
      .send(request(applicationId, 'publik-01', true));
    expect(refused.status).toBe(400);
    expect(refused.body.error.details).toEqual([
      expect.objectContaining({
        path: 'body.network.publicAccess',
        code: 'not_offered',
        message: 'Access from the internet is not offered by the data center',
      }),
    ]);
    const indonesian = await staff.agent
      .post('/api/v1/vps-requests')
      .set('X-CSRF-Token', staff.csrfToken)
      .set('Accept-Language', 'id')
      .send(request(applicationId, 'publik-01', true));
    expect(indonesian.body.error.details[0].message).toBe('Akses dari internet belum disediakan oleh Diskominfosantik');
    const written = await h.database.db.selectFrom('vpsRequests').select('id').where('hostname', '=', 'publik-01').execute();
    expect(written).toEqual([]);

    const internal = await staff.agent
      .post('/api/v1/vps-requests')
      .set('X-CSRF-Token', staff.csrfToken)
      .send(request(applicationId, 'internal-01', false));
    expect(internal.status).toBe(201);
  });
});

describe('internet access by 1:1 NAT', () => {
  let h: ApiHarness;
  let db: Db;
  let staff: SignedIn;
  let applicationId: string;

  beforeAll(async () => {
    h = await startApiHarness();
    db = h.database.db;
    ({ staff, applicationId } = await readyInstitution(h, 142));
  });
  afterAll(() => h.close());

  it('should offer it in the catalog and accept the flag', async () => {
    expect((await staff.agent.get('/api/v1/catalog')).body.internetAccess).toEqual({ offered: true, mechanism: 'nat' });
    const accepted = await staff.agent
      .post('/api/v1/vps-requests')
      .set('X-CSRF-Token', staff.csrfToken)
      .send(request(applicationId, 'publik-02', true));
    expect(accepted.status).toBe(201);
    expect(accepted.body.network).toEqual({ publicAccess: true, ports: [443] });
  });

  it('should show the endpoint with its probed ports on the VM and the request, to the owner only', async () => {
    const { provision, vmId } = await insertProvisionedVm(db, { poolOctet: 143, vmid: 310_001 });
    const owner = await signInAs(
      h.app,
      (await makeUser(db, { roles: [Role.InstitutionStaff], institutionId: provision.institutionId })).email,
    );
    const endpoint = await db.transaction().execute((tx) =>
      allocatePublicEndpoint(tx, {
        requestId: provision.requestId,
        vmId,
        privateAddress: provision.address,
        ports: [80, 443],
        pool: TEST_PUBLIC_NAT_ADDRESSES,
      }),
    );
    if (!endpoint) throw new Error('no endpoint');
    const probedAt = new Date('2026-12-08T01:02:03.000Z');
    await recordPublicEndpointProbe(db, endpoint.id, [443], probedAt);
    const expected = {
      mechanism: 'nat',
      publicAddress: '203.0.113.10',
      ports: [80, 443],
      openPorts: [443],
      probedAt: probedAt.toISOString(),
    };

    const vms = await owner.agent.get('/api/v1/vms');
    expect(vms.body.items.find((v: { id: string }) => v.id === vmId).publicEndpoint).toEqual(expected);
    const view = await owner.agent.get(`/api/v1/vps-requests/${provision.requestId}`);
    expect(view.status).toBe(200);
    expect(view.body.vm.publicEndpoint).toEqual(expected);

    // Another institution's staff learns nothing about it.
    expect((await staff.agent.get(`/api/v1/vps-requests/${provision.requestId}`)).status).toBe(404);
    const theirs = await staff.agent.get('/api/v1/vms');
    expect(JSON.stringify(theirs.body)).not.toContain('203.0.113.10');

    // Released (decommissioned): no endpoint is shown any more.
    await db.updateTable('publicEndpoints').set({ releasedAt: new Date(), releaseReason: 'test' }).where('id', '=', endpoint.id).execute();
    expect((await owner.agent.get(`/api/v1/vps-requests/${provision.requestId}`)).body.vm.publicEndpoint).toBeNull();
  });
});
