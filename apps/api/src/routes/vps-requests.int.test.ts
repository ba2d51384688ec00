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
import { generateKeyPairSync } from 'node:crypto';
import { signInAs, startApiHarness, type ApiHarness, type SignedIn } from '../testing/api-harness';

/** An ecdsa-sha2-nistp256 line whose point is not on the curve: well laid out (the browser's check passes), refused by OpenSSH. */
function offCurveP256Key(): string {
  const jwk = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ format: 'jwk' });
  const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
  point[64] = point[64]! ^ 1;
  const str = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  return `ecdsa-sha2-nistp256 ${Buffer.concat([str(Buffer.from('ecdsa-sha2-nistp256')), str(Buffer.from('nistp256')), str(point)]).toString('base64')} x`;
}

describe('VPS requests: submit, decide, cancel', () => {
  let h: ApiHarness;
  let institutionId: string;
  let applicationId: string;
  let staff: SignedIn;
  let operator: SignedIn;
  let operator2: SignedIn;
  let dcHead: SignedIn;
  let n = 0;

  const body = (overrides: Record<string, unknown> = {}) => ({
    applicationId,
    hostname: `web-${(n += 1)}`,
    templateId: 'debian-12',
    presetId: 'small',
    sshPublicKeys: [testSshKey()],
    purpose: 'Server aplikasi SIPD untuk layanan publik',
    network: { publicAccess: true, ports: [80, 443] },
    contact: { name: 'Budi Santoso', nip: '198501012010011001', phone: '+62 812-5555-0101', email: 'budi@kalteng.go.id' },
    ...overrides,
  });
  const submit = (who: SignedIn, payload: unknown) =>
    who.agent
      .post('/api/v1/vps-requests')
      .set('X-CSRF-Token', who.csrfToken)
      .send(payload as object);
  const idOf = async (who: SignedIn): Promise<string> => ((await who.agent.get('/api/v1/me')).body as { user: { id: string } }).user.id;
  const act = (who: SignedIn, id: string, action: string, payload: object = {}) =>
    who.agent.post(`/api/v1/vps-requests/${id}/${action}`).set('X-CSRF-Token', who.csrfToken).send(payload);

  beforeAll(async () => {
    h = await startApiHarness();
    const { db } = h.database;
    await makeCatalog(db);
    await makeIpPool(db, { size: 40, octet: 120 });
    institutionId = (await makeInstitution(db)).id;
    applicationId = await makeApplication(db, institutionId);
    const admin = await makeUser(db, { roles: [Role.Admin] });
    await makeQuota(db, institutionId, admin.id, { cores: 40, memoryMiB: 100_000, diskGiB: 2000, vmCount: 20 });
    await makeAgreementInForce(db, institutionId);
    staff = await signInAs(h.app, (await makeUser(db, { roles: [Role.InstitutionStaff], institutionId })).email);
    operator = await signInAs(h.app, (await makeUser(db, { roles: [Role.Operator] })).email);
    operator2 = await signInAs(h.app, (await makeUser(db, { roles: [Role.Operator] })).email);
    dcHead = await signInAs(h.app, (await makeUser(db, { roles: [Role.DcHead] })).email);
  });
  afterAll(() => h.close());

  it('should accept a valid request, show the pending level, notify operators and audit it', async () => {
    const response = await submit(staff, body());
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      status: 'submitted',
      resources: { cores: 1, memoryMiB: 2048, diskGiB: 20 },
      run: null,
      vm: null,
      ipAddress: null,
      pendingLevel: { level: 1, roles: ['operator'] },
    });
    const mails = await h.database.db
      .selectFrom('outbox')
      .select(['payload', 'dedupKey'])
      .where('topic', '=', 'email')
      .where('payload', '@>', JSON.stringify({ reason: `vps_request:${response.body.id}:submitted` }))
      .execute();
    // One e-mail per operator, each addressed to that operator alone, plus the in-app notification.
    expect(mails.length).toBeGreaterThanOrEqual(2);
    expect(mails.every((m) => (m.payload as { to: string[] }).to.length === 1)).toBe(true);
    const inApp = await h.database.db
      .selectFrom('notifications')
      .select(['userId', 'link'])
      .where('reason', '=', `vps_request:${response.body.id}:submitted`)
      .execute();
    expect(inApp.map((n) => n.userId)).toEqual(expect.arrayContaining([await idOf(operator), await idOf(operator2)]));
    expect(inApp.map((n) => n.userId)).not.toContain(await idOf(staff));
    expect(inApp[0]!.link).toBe(`/vps-requests/${response.body.id}`);
    const audit = await h.database.db.selectFrom('auditLog').select('action').where('targetId', '=', response.body.id).execute();
    expect(audit.map((a) => a.action)).toEqual(['vps_request.submitted']);
  });

  it('should approve a small request at one level: address reserved, run and exactly one job message created', async () => {
    const { body: created } = await submit(staff, body());
    const approved = await act(operator, created.id, 'approve', { comment: 'OK' });
    expect(approved.status).toBe(200);
    expect(approved.body.status).toBe('queued');
    expect(approved.body.ipAddress).toMatch(/^10\.120\.0\.\d+$/);
    expect(approved.body.run).toMatchObject({ status: 'queued', progress: 0 });
    expect(approved.body.approvals).toEqual([expect.objectContaining({ level: 1, decision: 'approved', comment: 'OK', role: 'operator' })]);
    const jobs = await h.database.db
      .selectFrom('outbox')
      .select(['payload', 'dedupKey'])
      .where('topic', '=', 'job')
      .where('dedupKey', '=', `run:${approved.body.run.id}`)
      .execute();
    expect(jobs).toEqual([
      { dedupKey: `run:${approved.body.run.id}`, payload: { name: 'vm.provision', data: { runId: approved.body.run.id } } },
    ]);
    const again = await act(operator2, created.id, 'approve');
    expect(again.status).toBe(409);
  });

  it('should require the data-center head for a large request, one decision per person', async () => {
    const { body: created } = await submit(staff, body({ presetId: undefined, resources: { cores: 8, memoryMiB: 16384, diskGiB: 100 } }));
    expect(created.pendingLevel.level).toBe(1);
    const first = await act(operator, created.id, 'approve');
    expect(first.body.status).toBe('partially_approved');
    expect(first.body.pendingLevel).toMatchObject({ level: 2, roles: ['dc_head'] });
    expect((await act(operator, created.id, 'approve')).status).toBe(403);
    const second = await act(dcHead, created.id, 'approve', { comment: 'Disetujui Kadis' });
    expect(second.body.status).toBe('queued');
    expect(second.body.approvals.map((a: { level: number }) => a.level)).toEqual([1, 2]);
  });

  it('should reject only with a reason and tell the requester', async () => {
    const { body: created } = await submit(staff, body());
    expect((await act(operator, created.id, 'reject', {})).status).toBe(400);
    const rejected = await act(operator, created.id, 'reject', { reason: 'Gunakan VPS yang sudah ada' });
    expect(rejected.body).toMatchObject({ status: 'rejected', statusReason: 'Gunakan VPS yang sudah ada' });
    const mail = await h.database.db
      .selectFrom('outbox')
      .select('payload')
      .where('topic', '=', 'email')
      .where('payload', '@>', JSON.stringify({ reason: `vps_request:${created.id}:rejected` }))
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(mail.payload)).toContain('Gunakan VPS yang sudah ada');
    const inApp = await h.database.db
      .selectFrom('notifications')
      .select('userId')
      .where('reason', '=', `vps_request:${created.id}:rejected`)
      .execute();
    expect(inApp).toEqual([{ userId: await idOf(staff) }]);
    expect((await act(operator2, created.id, 'approve')).status).toBe(409);
  });

  it('should let the requester cancel until provisioning starts, releasing the address', async () => {
    const { body: created } = await submit(staff, body());
    const approved = await act(operator, created.id, 'approve');
    const cancelled = await act(staff, created.id, 'cancel', { reason: 'Tidak jadi' });
    expect(cancelled.body).toMatchObject({ status: 'cancelled', ipAddress: null, run: { status: 'cancelled' } });
    const allocation = await h.database.db
      .selectFrom('ipAllocations')
      .select(['releasedAt', 'releaseReason'])
      .where('requestId', '=', created.id)
      .executeTakeFirstOrThrow();
    expect(allocation.releaseReason).toBe('cancelled');
    expect(approved.body.ipAddress).not.toBeNull();
    expect((await act(staff, created.id, 'cancel')).status).toBe(409);

    const { body: running } = await submit(staff, body());
    const queued = await act(operator, running.id, 'approve');
    await h.database.db.updateTable('provisioningRuns').set({ status: 'running' }).where('id', '=', queued.body.run.id).execute();
    const late = await act(staff, running.id, 'cancel');
    expect(late.status).toBe(409);
    expect(late.body.error.message).toMatch(/sudah dimulai/);
  });

  it('should answer 404 for another institution and list only its own requests', async () => {
    const { db } = h.database;
    const other = await makeInstitution(db);
    const outsider = await signInAs(h.app, (await makeUser(db, { roles: [Role.InstitutionHead], institutionId: other.id })).email);
    const { body: created } = await submit(staff, body());
    expect((await outsider.agent.get(`/api/v1/vps-requests/${created.id}`)).status).toBe(404);
    expect((await act(outsider, created.id, 'cancel')).status).toBe(404);
    expect((await outsider.agent.get(`/api/v1/vps-requests?institutionId=${institutionId}`)).status).toBe(404);
    expect((await outsider.agent.get('/api/v1/vps-requests')).body.items).toEqual([]);
    const mine = await staff.agent.get('/api/v1/vps-requests?limit=2');
    expect(mine.body.items).toHaveLength(2);
    expect(mine.body.nextCursor).not.toBeNull();
    expect((await act(staff, created.id, 'approve')).status).toBe(403);
  });

  it('should refuse with 422 and write nothing without an agreement in force, or beyond the quota', async () => {
    const { db } = h.database;
    const bare = await makeInstitution(db);
    const app2 = await makeApplication(db, bare.id);
    const admin = await makeUser(db, { roles: [Role.Admin] });
    await makeQuota(db, bare.id, admin.id, { cores: 2, memoryMiB: 4096, diskGiB: 40, vmCount: 1 });
    const bareStaff = await signInAs(h.app, (await makeUser(db, { roles: [Role.InstitutionStaff], institutionId: bare.id })).email);
    const none = await submit(bareStaff, body({ applicationId: app2 }));
    expect(none.status).toBe(422);
    expect(none.body.error.code).toBe('NO_AGREEMENT_IN_FORCE');
    expect(none.body.error.message).toMatch(/perjanjian/);
    await makeAgreementInForce(db, bare.id, { cores: 2, memoryMiB: 4096, diskGiB: 40, vmCount: 1, ipCount: 1 });
    const tooBig = await submit(bareStaff, body({ applicationId: app2, presetId: 'large' }));
    expect(tooBig.status).toBe(422);
    expect(tooBig.body.error.code).toBe('QUOTA_EXCEEDED');
    expect(tooBig.body.error.details.shortfalls.map((s: { dimension: string }) => s.dimension)).toEqual(['cores', 'memoryMiB', 'diskGiB']);
    const count = await db
      .selectFrom('vpsRequests')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('institutionId', '=', bare.id)
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(0);
  });

  it('should never let concurrent submissions overshoot the quota', async () => {
    const { db } = h.database;
    const inst = await makeInstitution(db);
    const app3 = await makeApplication(db, inst.id);
    const admin = await makeUser(db, { roles: [Role.Admin] });
    await makeQuota(db, inst.id, admin.id, { cores: 100, memoryMiB: 100_000, diskGiB: 5000, vmCount: 3 });
    await makeAgreementInForce(db, inst.id);
    const users = await Promise.all(
      Array.from({ length: 4 }, () => makeUser(db, { roles: [Role.InstitutionStaff], institutionId: inst.id })),
    );
    const sessions = await Promise.all(users.map((u) => signInAs(h.app, u.email)));
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => submit(sessions[i % sessions.length]!, body({ applicationId: app3, hostname: `race-${i}` }))),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(3);
    expect(statuses.filter((s) => s === 422)).toHaveLength(7);
    const live = await db.selectFrom('vpsRequests').select('id').where('institutionId', '=', inst.id).execute();
    expect(live).toHaveLength(3);
  });

  it('should validate every field with paths and keep hostile input out', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ hostname: 'web;reboot' }, 'body.hostname'],
      [{ hostname: '$(id)' }, 'body.hostname'],
      [{ hostname: 'wеb-01' /* Cyrillic е */ }, 'body.hostname'],
      [{ hostname: '-web' }, 'body.hostname'],
      [{ hostname: 'a'.repeat(64) }, 'body.hostname'],
      [{ sshPublicKeys: [`command="rm -rf /" ${testSshKey()}`] }, 'body.sshPublicKeys.0'],
      [{ sshPublicKeys: [`${testSshKey()}\nssh-ed25519 AAAA`] }, 'body.sshPublicKeys.0'],
      [{ sshPublicKeys: ['ssh-dss AAAAB3NzaC1kc3MAAACBAP== x'] }, 'body.sshPublicKeys.0'],
      [{ sshPublicKeys: [testSshKey(), offCurveP256Key()] }, 'body.sshPublicKeys.1'],
      [{ sshPublicKeys: [] }, 'body.sshPublicKeys'],
      [{ network: { publicAccess: true, ports: [80, 80] } }, 'body.network.ports.1'],
      [{ network: { publicAccess: true, ports: [70000] } }, 'body.network.ports.0'],
      [{ contact: { name: 'x', nip: '123', phone: '+62 812', email: 'x@y.id' } }, 'body.contact.nip'],
      [{ resources: { cores: 2, memoryMiB: 4096, diskGiB: 40 } }, 'body.presetId'],
      [{ evil: true }, 'body.evil'],
      [{ templateId: 'windows-xp' }, 'body.templateId'],
      [{ presetId: 'huge' }, 'body.presetId'],
    ];
    for (const [overrides, path] of cases) {
      const response = await submit(staff, body(overrides));
      expect({ overrides, status: response.status }).toEqual({ overrides, status: 400 });
      expect(response.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    }
    const en = await submit(staff, body({ sshPublicKeys: [`command="x" ${testSshKey()}`] })).set('Accept-Language', 'en');
    expect(en.body.error.details[0].message).toMatch(/Options before the key/);
    const huge = await staff.agent
      .post('/api/v1/vps-requests')
      .set('X-CSRF-Token', staff.csrfToken)
      .set('Content-Type', 'application/json')
      .send(JSON.stringify(body({ purpose: 'x'.repeat(10 * 1024 * 1024) })));
    expect(huge.status).toBe(413);
  });

  it('should refuse a duplicate live hostname with 409', async () => {
    await submit(staff, body({ hostname: 'unik-01' })).expect(201);
    const dup = await submit(staff, body({ hostname: 'unik-01' }));
    expect(dup.status).toBe(409);
    expect(dup.body.error.details[0].path).toBe('body.hostname');
  });

  it('should answer 409 NO_ADDRESS_AVAILABLE and leave the request as it was when the pools are full', async () => {
    const { db } = h.database;
    const inst = await makeInstitution(db);
    const app4 = await makeApplication(db, inst.id);
    const admin = await makeUser(db, { roles: [Role.Admin] });
    await makeQuota(db, inst.id, admin.id);
    await makeAgreementInForce(db, inst.id);
    // Every pool now belongs to another institution, so none is usable for this one.
    await db.updateTable('ipPools').set({ institutionId }).execute();
    const s = await signInAs(h.app, (await makeUser(db, { roles: [Role.InstitutionStaff], institutionId: inst.id })).email);
    const { body: created } = await submit(s, body({ applicationId: app4 }));
    const refused = await act(operator, created.id, 'approve');
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('NO_ADDRESS_AVAILABLE');
    const after = await s.agent.get(`/api/v1/vps-requests/${created.id}`);
    expect(after.body).toMatchObject({ status: 'submitted', run: null, approvals: [] });
    await db.updateTable('ipPools').set({ institutionId: null }).execute();
  });

  it('should auto-approve within the threshold admins set', async () => {
    const policy = (await operator.agent.get('/api/v1/settings/approval-policy')).body;
    const admin = await signInAs(h.app, (await makeUser(h.database.db, { roles: [Role.Admin] })).email);
    const put = await admin.agent
      .put('/api/v1/settings/approval-policy')
      .set('X-CSRF-Token', admin.csrfToken)
      .send({ ...policy, autoApproveUpTo: { cores: 1, memoryMiB: 2048, diskGiB: 20 } });
    expect(put.status).toBe(200);
    expect((await operator.agent.put('/api/v1/settings/approval-policy').set('X-CSRF-Token', operator.csrfToken).send(policy)).status).toBe(
      403,
    );
    expect((await staff.agent.put('/api/v1/settings/approval-policy').set('X-CSRF-Token', staff.csrfToken).send(policy)).status).toBe(403);
    const small = await submit(staff, body());
    expect(small.body.status).toBe('queued');
    const medium = await submit(staff, body({ presetId: 'medium' }));
    expect(medium.body.status).toBe('submitted');
    await admin.agent.put('/api/v1/settings/approval-policy').set('X-CSRF-Token', admin.csrfToken).send(policy).expect(200);
  });

  it('should serve the catalog and let only operators change it', async () => {
    const catalog = await staff.agent.get('/api/v1/catalog');
    expect(catalog.body.templates.map((t: { id: string }) => t.id)).toEqual(['debian-12', 'ubuntu-24.04']);
    expect(catalog.body.presets.map((p: { id: string }) => p.id)).toEqual(['small', 'medium', 'large']);
    await staff.agent
      .put('/api/v1/catalog/presets/xl')
      .set('X-CSRF-Token', staff.csrfToken)
      .send({ name: 'XL', cores: 8, memoryMiB: 16384, diskGiB: 160 })
      .expect(403);
    await operator.agent
      .put('/api/v1/catalog/presets/xl')
      .set('X-CSRF-Token', operator.csrfToken)
      .send({ name: 'XL', cores: 8, memoryMiB: 16384, diskGiB: 160 })
      .expect(204);
    expect((await staff.agent.get('/api/v1/catalog')).body.presets.map((p: { id: string }) => p.id)).toContain('xl');
  });

  it('should create IP pools only when gateway and range lie inside the CIDR', async () => {
    const bad = await operator.agent.post('/api/v1/ip-pools').set('X-CSRF-Token', operator.csrfToken).send({
      name: 'salah',
      cidr: '10.50.0.0/24',
      gateway: '10.51.0.1',
      bridge: 'vmbr0',
      rangeStart: '10.50.0.10',
      rangeEnd: '10.50.0.5',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['body.gateway', 'body.rangeEnd']);
    const good = await operator.agent
      .post('/api/v1/ip-pools')
      .set('X-CSRF-Token', operator.csrfToken)
      .send({
        name: 'vlan-50',
        cidr: '10.50.0.0/24',
        gateway: '10.50.0.1',
        vlanTag: 50,
        bridge: 'vmbr0',
        dnsServers: ['10.50.0.2'],
        rangeStart: '10.50.0.10',
        rangeEnd: '10.50.0.19',
      });
    expect(good.status).toBe(201);
    expect(good.body).toMatchObject({ size: 10, held: 0, dnsServers: ['10.50.0.2'], cidr: '10.50.0.0/24' });
    expect((await staff.agent.get('/api/v1/ip-pools')).status).toBe(403);
  });
});
