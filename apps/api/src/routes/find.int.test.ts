import { Role, plusDaysIso, todayInJakarta } from '@betang/core';
import { appendAudit } from '@betang/db';
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
import { insertProvisionedVm } from '../testing/provisioned-vm';
import { parseCsv } from '../use-cases/csv';

type Item = { id: string; hostname?: string; name?: string; runs?: unknown[]; run?: unknown };

describe('find anything: filtered, keyset-paged lists', () => {
  let h: ApiHarness;
  let staff: SignedIn;
  let head: SignedIn;
  let operator: SignedIn;
  let outsider: SignedIn;
  let institutionId: string;
  let otherInstitutionId: string;
  let applicationId: string;
  const today = todayInJakarta();

  const submit = (hostname: string, purpose: string) =>
    staff.agent
      .post('/api/v1/vps-requests')
      .set('X-CSRF-Token', staff.csrfToken)
      .send({
        applicationId,
        hostname,
        templateId: 'debian-12',
        presetId: 'small',
        sshPublicKeys: [testSshKey()],
        purpose,
        network: { publicAccess: false, ports: [] },
        contact: { name: 'Budi', nip: '198501012010011001', phone: '0812555501', email: 'budi@kalteng.go.id' },
      });

  /** Every item of a list, following nextCursor with pages of `limit`. */
  async function allPages(who: SignedIn, path: string, limit: number): Promise<Item[]> {
    const items: Item[] = [];
    let cursor: string | null = null;
    for (let guard = 0; guard < 50; guard += 1) {
      const sep = path.includes('?') ? '&' : '?';
      const res = await who.agent.get(`${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.status).toBe(200);
      items.push(...res.body.items);
      cursor = res.body.nextCursor;
      if (!cursor) return items;
    }
    throw new Error('paging did not end');
  }

  beforeAll(async () => {
    h = await startApiHarness();
    const { db } = h.database;
    await makeCatalog(db);
    await makeIpPool(db, { size: 20, octet: 161 });
    institutionId = (await makeInstitution(db)).id;
    applicationId = await makeApplication(db, institutionId);
    const admin = await makeUser(db, { roles: [Role.Admin] });
    await makeQuota(db, institutionId, admin.id, { cores: 32, memoryMiB: 65_536, diskGiB: 2000, vmCount: 20 });
    await makeAgreementInForce(db, institutionId, undefined, { start: '2026-01-01', end: plusDaysIso(today, 400) });
    staff = await signInAs(h.app, (await makeUser(db, { roles: [Role.InstitutionStaff], institutionId })).email);
    head = await signInAs(h.app, (await makeUser(db, { roles: [Role.InstitutionHead], institutionId })).email);
    operator = await signInAs(h.app, (await makeUser(db, { roles: [Role.Operator] })).email);
    otherInstitutionId = (await makeInstitution(db)).id;
    outsider = await signInAs(h.app, (await makeUser(db, { roles: [Role.InstitutionHead], institutionId: otherInstitutionId })).email);
    for (const [hostname, purpose] of [
      ['alpha-web', 'Portal layanan publik'],
      ['beta-db', 'Basis data kepegawaian'],
      ['alpha-api', 'Antarmuka 100% sinkron'],
    ] as const) {
      expect((await submit(hostname, purpose)).status).toBe(201);
    }
  });
  afterAll(() => h.close());

  describe('GET /vps-requests', () => {
    it('should filter by status, host name and free text, matching % and _ literally', async () => {
      const alpha = await staff.agent.get('/api/v1/vps-requests?status=submitted&hostname=ALPHA');
      expect(alpha.status).toBe(200);
      expect(alpha.body.items.map((r: Item) => r.hostname).sort()).toEqual(['alpha-api', 'alpha-web']);
      expect((await staff.agent.get('/api/v1/vps-requests?status=active&hostname=alpha')).body.items).toEqual([]);
      const byPurpose = await staff.agent.get('/api/v1/vps-requests?q=kepegawaian');
      expect(byPurpose.body.items.map((r: Item) => r.hostname)).toEqual(['beta-db']);
      // A literal percent sign matches only the purpose that holds one, not everything.
      const percent = await staff.agent.get(`/api/v1/vps-requests?q=${encodeURIComponent('100%')}`);
      expect(percent.body.items.map((r: Item) => r.hostname)).toEqual(['alpha-api']);
      expect((await staff.agent.get(`/api/v1/vps-requests?hostname=${encodeURIComponent('%')}`)).body.items).toEqual([]);
      expect((await staff.agent.get('/api/v1/vps-requests?hostname=alpha_web')).body.items).toEqual([]);
    });

    it('should filter by submission day in WIB and refuse a range that ends before it starts', async () => {
      expect((await staff.agent.get(`/api/v1/vps-requests?from=${today}&to=${today}`)).body.items).toHaveLength(3);
      expect((await staff.agent.get(`/api/v1/vps-requests?to=${plusDaysIso(today, -1)}`)).body.items).toEqual([]);
      expect((await staff.agent.get(`/api/v1/vps-requests?from=${plusDaysIso(today, 1)}`)).body.items).toEqual([]);
      const wrong = await staff.agent.get(`/api/v1/vps-requests?from=${today}&to=${plusDaysIso(today, -1)}`).set('Accept-Language', 'en');
      expect(wrong.status).toBe(400);
      expect(wrong.body.error.details).toEqual([
        expect.objectContaining({ path: 'query.to', message: 'The end date may not come before the start date.' }),
      ]);
      expect((await staff.agent.get('/api/v1/vps-requests?from=2026-02-30')).status).toBe(400);
    });

    it('should leave out the run history with runs=none and keep it by default', async () => {
      const full = await staff.agent.get('/api/v1/vps-requests?hostname=beta');
      expect(full.body.items[0]).toHaveProperty('runs');
      const lean = await staff.agent.get('/api/v1/vps-requests?hostname=beta&runs=none');
      expect(lean.body.items[0]).not.toHaveProperty('runs');
      expect(lean.body.items[0]).toHaveProperty('run');
      expect((await staff.agent.get('/api/v1/vps-requests?runs=some')).status).toBe(400);
    });

    it('should page with the filter kept, every match once', async () => {
      const paged = await allPages(staff, '/api/v1/vps-requests?hostname=a', 1);
      expect(paged.map((r) => r.hostname).sort()).toEqual(['alpha-api', 'alpha-web', 'beta-db']);
      expect(new Set(paged.map((r) => r.id)).size).toBe(3);
    });

    it('should answer 404 for another institution and refuse hostile filters', async () => {
      expect((await outsider.agent.get(`/api/v1/vps-requests?institutionId=${institutionId}`)).status).toBe(404);
      expect((await outsider.agent.get('/api/v1/vps-requests?hostname=alpha')).body.items).toEqual([]);
      expect((await staff.agent.get(`/api/v1/vps-requests?q=${'x'.repeat(101)}`)).status).toBe(400);
      expect((await staff.agent.get(`/api/v1/vps-requests?q=${encodeURIComponent("a'; DROP TABLE vms; --")}`)).body.items).toEqual([]);
      expect((await staff.agent.get(`/api/v1/vps-requests?q=${encodeURIComponent('a\u0000b')}`)).status).toBe(400);
    });
  });

  describe('GET /vms', () => {
    let first: Awaited<ReturnType<typeof insertProvisionedVm>>;
    let second: Awaited<ReturnType<typeof insertProvisionedVm>>;
    beforeAll(async () => {
      first = await insertProvisionedVm(h.database.db, { poolOctet: 171, vmid: 4711 });
      second = await insertProvisionedVm(h.database.db, { poolOctet: 172, vmid: 4712, state: 'stopped' });
      await h.database.db.updateTable('vms').set({ node: 'pve2' }).where('id', '=', second.vmId).execute();
    });

    it('should filter by vmid, node, address, host name, state and free text', async () => {
      const ids = async (query: string) => ((await operator.agent.get(`/api/v1/vms?${query}`)).body.items as Item[]).map((v) => v.id);
      expect(await ids('vmid=4711')).toEqual([first.vmId]);
      expect(await ids('node=pve2')).toEqual([second.vmId]);
      expect(await ids(`address=${first.provision.address}`)).toEqual([first.vmId]);
      expect(await ids(`hostname=${second.provision.hostname}`)).toEqual([second.vmId]);
      expect(await ids('state=stopped')).toEqual([second.vmId]);
      expect(await ids('state=melted')).toEqual([]);
      expect(await ids('q=4712')).toEqual([second.vmId]);
      expect(await ids(`q=${first.provision.address}`)).toEqual([first.vmId]);
      expect(await ids(`institutionId=${first.provision.institutionId}`)).toEqual([first.vmId]);
      expect(await ids(`from=${plusDaysIso(today, 1)}`)).toEqual([]);
    });

    it('should page newest first with nextCursor', async () => {
      const page = await operator.agent.get('/api/v1/vms?limit=1');
      expect(page.body.items.map((v: Item) => v.id)).toEqual([second.vmId]);
      expect(page.body.nextCursor).toEqual(expect.any(String));
      const all = await allPages(operator, '/api/v1/vms', 1);
      expect(all.map((v) => v.id)).toEqual([second.vmId, first.vmId]);
      expect((await operator.agent.get('/api/v1/vms?cursor=not-a-cursor')).status).toBe(400);
    });

    it('should not let institution roles filter by node or see another institution', async () => {
      expect((await staff.agent.get('/api/v1/vms?node=pve1')).status).toBe(403);
      expect((await staff.agent.get('/api/v1/vms?vmid=4711')).body.items).toEqual([]);
      expect((await outsider.agent.get(`/api/v1/vms?institutionId=${first.provision.institutionId}`)).status).toBe(404);
    });
  });

  describe('GET /agreements?expiringWithinDays', () => {
    it('should keep only agreements in force ending within the days, across the whole list', async () => {
      const { db } = h.database;
      const soon = await makeAgreementInForce(db, otherInstitutionId, undefined, { start: '2026-01-01', end: plusDaysIso(today, 10) });
      const later = await makeAgreementInForce(db, otherInstitutionId, undefined, { start: '2026-01-01', end: plusDaysIso(today, 90) });
      const ended = await makeAgreementInForce(db, otherInstitutionId, undefined, { start: '2026-01-01', end: plusDaysIso(today, -1) });
      const ids = (await allPages(operator, '/api/v1/agreements?expiringWithinDays=60', 1)).map((a) => a.id);
      expect(ids).toContain(soon);
      expect(ids).not.toContain(later);
      expect(ids).not.toContain(ended);
      expect((await operator.agent.get('/api/v1/agreements?expiringWithinDays=-1')).status).toBe(400);
      expect((await outsider.agent.get('/api/v1/agreements?expiringWithinDays=60')).body.items.map((a: Item) => a.id)).toEqual([soon]);
    });
  });

  describe('GET /agreements?q', () => {
    it('should find agreements by institution name or code, number, or a listed application, only where the reader may look', async () => {
      const { db } = h.database;
      const ids = async (who: SignedIn, q: string) =>
        (await allPages(who, `/api/v1/agreements?q=${encodeURIComponent(q)}`, 50)).map((a) => a.id).sort();
      const inst = await db
        .selectFrom('institutions')
        .select(['name', 'code'])
        .where('id', '=', otherInstitutionId)
        .executeTakeFirstOrThrow();
      const theirs = (await db.selectFrom('agreements').select('id').where('institutionId', '=', otherInstitutionId).execute())
        .map((a) => a.id)
        .sort();
      expect(theirs.length).toBeGreaterThan(0);
      expect(await ids(operator, inst.name)).toEqual(theirs);
      expect(await ids(operator, inst.code.toLowerCase())).toEqual(theirs);
      // An application the agreement lists, by a part of its name.
      const listed = await makeApplication(db, otherInstitutionId, 'Sistem Zonasi Sekolah');
      const agreementId = theirs[0]!;
      await db.insertInto('agreementApplications').values({ agreementId, applicationId: listed }).execute();
      expect(await ids(operator, 'zonasi')).toEqual([agreementId]);
      const number = (await db.selectFrom('agreements').select('number').where('id', '=', agreementId).executeTakeFirstOrThrow()).number;
      expect(await ids(operator, number)).toEqual([agreementId]);
      // Another institution's agreements stay out of a head's results; wildcards are literal.
      expect(await ids(head, 'zonasi')).toEqual([]);
      expect(await ids(operator, '%')).toEqual([]);
    });
  });

  describe('GET /applications?q', () => {
    it('should find an application by a part of its name, only in the own institution', async () => {
      const { db } = h.database;
      const name = (await db.selectFrom('applications').select('name').where('id', '=', applicationId).executeTakeFirstOrThrow()).name;
      const part = name.slice(1, 6);
      expect((await staff.agent.get(`/api/v1/applications?q=${encodeURIComponent(part)}`)).body.items.map((a: Item) => a.id)).toEqual([
        applicationId,
      ]);
      expect((await outsider.agent.get(`/api/v1/applications?q=${encodeURIComponent(part)}`)).body.items).toEqual([]);
    });
  });

  describe('GET /institutions/:id/users?q', () => {
    it('should find users by a part of the name or e-mail, only where the reader may look', async () => {
      const { db } = h.database;
      const wanted = await makeUser(db, { roles: [Role.InstitutionStaff], institutionId, name: 'Siti Rahmawati Cari' });
      const byName = await head.agent.get(`/api/v1/institutions/${institutionId}/users?q=rahmawati`);
      expect(byName.body.items.map((u: Item) => u.id)).toEqual([wanted.id]);
      const byEmail = await head.agent.get(
        `/api/v1/institutions/${institutionId}/users?q=${encodeURIComponent(wanted.email.slice(0, 12))}`,
      );
      expect(byEmail.body.items.map((u: Item) => u.id)).toContain(wanted.id);
      expect((await outsider.agent.get(`/api/v1/institutions/${institutionId}/users?q=rahmawati`)).status).toBe(404);
    });
  });

  describe('GET /ip-pools/:id/addresses', () => {
    it('should name each held address with its holder and list the free ones', async () => {
      const vm = await insertProvisionedVm(h.database.db, { poolOctet: 173, vmid: 4713 });
      const held = await operator.agent.get(`/api/v1/ip-pools/${vm.provision.poolId}/addresses?status=held`);
      expect(held.status).toBe(200);
      expect(held.body.items).toEqual([
        expect.objectContaining({
          address: vm.provision.address,
          holder: expect.objectContaining({ hostname: vm.provision.hostname, vmid: 4713, institutionId: vm.provision.institutionId }),
        }),
      ]);
      const free = await allPages(operator, `/api/v1/ip-pools/${vm.provision.poolId}/addresses?status=free`, 100);
      const pool = await operator.agent.get(`/api/v1/ip-pools/${vm.provision.poolId}`);
      expect(free).toHaveLength(pool.body.size - 1);
      expect(free.map((a) => (a as unknown as { address: string }).address)).not.toContain(vm.provision.address);
      expect((await staff.agent.get(`/api/v1/ip-pools/${vm.provision.poolId}/addresses`)).status).toBe(403);
      expect((await operator.agent.get('/api/v1/ip-pools/00000000-0000-4000-8000-000000000000/addresses')).status).toBe(404);
    });
  });

  describe('GET /audit-log and its CSV export', () => {
    let otherActorId: string;
    beforeAll(async () => {
      const { db } = h.database;
      otherActorId = (await makeUser(db, { roles: [Role.Operator], name: 'Sari Operator' })).id;
      const base = { targetType: 'vps_request', targetId: null, requestId: null, userAgent: null };
      await appendAudit(db, {
        ...base,
        actorUserId: otherActorId,
        actorLabel: '=HYPERLINK("http://evil.example","klik")',
        institutionId,
        action: 'request.approved',
        ip: '192.0.2.7',
        after: { note: 'a;b "kutip"\nbaris' },
      });
      await appendAudit(db, {
        ...base,
        actorUserId: null,
        actorLabel: '@SUM(1+1)',
        institutionId: otherInstitutionId,
        action: 'request.rejected',
        ip: '192.0.2.8',
      });
      await appendAudit(db, { ...base, actorUserId: null, actorLabel: '+cmd', institutionId, action: 'request.rejected', ip: '192.0.2.9' });
    });

    it('should filter by actor, action, institution and day', async () => {
      const actions = async (who: SignedIn, query: string) =>
        ((await who.agent.get(`/api/v1/audit-log?${query}`)).body.items as { actorLabel: string }[]).map((e) => e.actorLabel);
      expect(await actions(operator, `actorUserId=${otherActorId}`)).toEqual(['=HYPERLINK("http://evil.example","klik")']);
      expect(await actions(operator, 'actor=hyperlink')).toEqual(['=HYPERLINK("http://evil.example","klik")']);
      expect(await actions(operator, 'action=request.rejected')).toEqual(['+cmd', '@SUM(1+1)']);
      expect(await actions(operator, `action=request.rejected&institutionId=${institutionId}`)).toEqual(['+cmd']);
      expect(await actions(operator, `action=request.rejected&from=${plusDaysIso(today, 1)}`)).toEqual([]);
      expect(await actions(operator, `action=request.rejected&from=${today}&to=${today}`)).toHaveLength(2);
      // The head reads their own institution only, whatever is asked.
      expect(await actions(head, 'action=request.rejected')).toEqual(['+cmd']);
      expect((await head.agent.get(`/api/v1/audit-log?institutionId=${otherInstitutionId}`)).status).toBe(404);
    });

    it('should export CSV with readable names, correct quoting and formulas neutralised', async () => {
      const res = await operator.agent.get('/api/v1/audit-log/export.csv?action=request.approved').set('Accept-Language', 'en');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/csv/);
      expect(res.headers['content-disposition']).toMatch(/attachment; filename="?log-audit-\d{4}-\d{2}-\d{2}\.csv"?$/);
      const { rows } = parseCsv(res.text);
      expect(rows[0]).toEqual(expect.arrayContaining(['Time', 'Actor', 'Action', 'IP address']));
      const header = rows[0]!;
      const [row] = rows.slice(1).filter((r) => r[header.indexOf('Actor id')] === otherActorId);
      expect(row![header.indexOf('Actor')]).toBe(`'=HYPERLINK("http://evil.example","klik")`);
      expect(row![header.indexOf('Action code')]).toBe('request.approved');
      expect(row![header.indexOf('Action')]).not.toBe('request.approved');
      expect(row![header.indexOf('IP address')]).toBe('192.0.2.7');
      expect(JSON.parse(row![header.indexOf('After')]!)).toEqual({ note: 'a;b "kutip"\nbaris' });
      const id = await operator.agent.get('/api/v1/audit-log/export.csv?action=request.approved').set('Accept-Language', 'id');
      expect(parseCsv(id.text).rows[0]).toEqual(expect.arrayContaining(['Waktu', 'Pelaku', 'Tindakan']));
      // A download link names its language: `lang` wins over the browser's Accept-Language.
      const linked = await operator.agent
        .get('/api/v1/audit-log/export.csv?action=request.approved&lang=id')
        .set('Accept-Language', 'en-US');
      expect(parseCsv(linked.text).rows[0]).toEqual(expect.arrayContaining(['Waktu', 'Pelaku', 'Tindakan']));
      expect((await operator.agent.get('/api/v1/audit-log/export.csv?lang=fr')).status).toBe(400);
    });

    it('should export only what the reader may see', async () => {
      const res = await head.agent.get('/api/v1/audit-log/export.csv?action=request.rejected').set('Accept-Language', 'en');
      const { rows } = parseCsv(res.text);
      const header = rows[0]!;
      expect(rows.slice(1).map((r) => r[header.indexOf('Actor')])).toEqual(["'+cmd"]);
      expect(rows.slice(1).map((r) => r[header.indexOf('IP address')])).toEqual(['']);
      expect((await head.agent.get(`/api/v1/audit-log/export.csv?institutionId=${otherInstitutionId}`)).status).toBe(404);
      expect((await staff.agent.get('/api/v1/audit-log/export.csv')).status).toBe(403);
      expect((await operator.agent.get('/api/v1/audit-log/export.csv?limit=5')).status).toBe(400);
    });

    it('should stream every entry past one batch', async () => {
      const { db } = h.database;
      const base = { targetType: 'vps_request', targetId: null, requestId: null, userAgent: null, ip: null, actorUserId: null };
      await db
        .insertInto('auditLog')
        .values(Array.from({ length: 2500 }, (_, i) => ({ ...base, actorLabel: `massal ${i}`, institutionId, action: 'bulk.test' })))
        .execute();
      const res = await operator.agent.get('/api/v1/audit-log/export.csv?action=bulk.test');
      const { rows } = parseCsv(res.text);
      expect(rows).toHaveLength(2501);
      expect(new Set(rows.slice(1).map((r) => r[2])).size).toBe(2500);
    });
  });
});
