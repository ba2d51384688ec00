import { APPLICATION_CSV_COLUMNS, CONTRACT_MESSAGES, Role } from '@betang/core';
import { makeInstitution, makeUser } from '@betang/testkit';
import request from 'supertest';
import { parseCsv } from '../use-cases/csv';
import { signInAs, startApiHarness, type ApiHarness, type SignedIn } from '../testing/api-harness';

const base = {
  kind: 'khusus',
  description: 'Agenda harian pimpinan',
  unit: 'Bagian Protokol',
  picName: 'Budi Santoso',
  picNip: '198001012005011001',
  picPhone: '+62 812 5555 0101',
  picEmail: 'Budi@Kalteng.go.id',
  developerType: 'vendor',
  developerName: 'PT Contoh Solusi',
  userType: 'internal',
  url: 'https://agenda.kalteng.go.id',
  techStack: 'Laravel 11',
  databaseEngine: 'PostgreSQL 15',
  dataClassification: 'tinggi',
  status: 'active',
  yearBuilt: 2021,
};

jest.setTimeout(30_000);

describe('applications inventory', () => {
  let h: ApiHarness;
  let ownId: string;
  let ownCode: string;
  let otherId: string;
  let otherCode: string;
  let staff: SignedIn;
  let otherStaff: SignedIn;
  let operator: SignedIn;
  let admin: SignedIn;
  let otherAppId: string;

  const count = async (institutionId: string) =>
    Number(
      (
        await h.database.db
          .selectFrom('applications')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('institutionId', '=', institutionId)
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    h = await startApiHarness();
    const own = await makeInstitution(h.database.db);
    const other = await makeInstitution(h.database.db);
    [ownId, ownCode, otherId, otherCode] = [own.id, own.code, other.id, other.code];
    staff = await signInAs(h.app, (await makeUser(h.database.db, { roles: [Role.InstitutionStaff], institutionId: ownId })).email);
    otherStaff = await signInAs(h.app, (await makeUser(h.database.db, { roles: [Role.InstitutionStaff], institutionId: otherId })).email);
    operator = await signInAs(h.app, (await makeUser(h.database.db, { roles: [Role.Operator] })).email);
    admin = await signInAs(h.app, (await makeUser(h.database.db, { roles: [Role.Admin] })).email);
    const created = await otherStaff.agent
      .post('/api/v1/applications')
      .set('X-CSRF-Token', otherStaff.csrfToken)
      .send({ ...base, name: 'Aplikasi Lain' });
    expect(created.status).toBe(201);
    otherAppId = created.body.id;
  });
  afterAll(() => h.close());

  it('should create, read, update and delete an own application with an audit trail', async () => {
    const created = await staff.agent
      .post('/api/v1/applications')
      .set('X-CSRF-Token', staff.csrfToken)
      .send({ ...base, name: 'Sistem Agenda' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ institutionId: ownId, picEmail: 'budi@kalteng.go.id', kind: 'khusus' });
    const id = created.body.id as string;
    await staff.agent.get(`/api/v1/applications/${id}`).expect(200);
    const patched = await staff.agent
      .patch(`/api/v1/applications/${id}`)
      .set('X-CSRF-Token', staff.csrfToken)
      .send({ status: 'retired', url: null });
    expect(patched.body).toMatchObject({ status: 'retired', url: null, name: 'Sistem Agenda' });
    const dup = await staff.agent
      .post('/api/v1/applications')
      .set('X-CSRF-Token', staff.csrfToken)
      .send({ ...base, name: 'Sistem Agenda' });
    expect(dup.status).toBe(409);
    await staff.agent.delete(`/api/v1/applications/${id}`).set('X-CSRF-Token', staff.csrfToken).expect(204);
    await staff.agent.get(`/api/v1/applications/${id}`).expect(404);
    const actions = await h.database.db.selectFrom('auditLog').select('action').where('targetId', '=', id).orderBy('id').execute();
    expect(actions.map((a) => a.action)).toEqual(['application.created', 'application.updated', 'application.deleted']);
  });

  it.each([
    ['picNip', '12345678901234567'],
    ['picEmail', 'bukan-email'],
    ['url', 'ftp://agenda.kalteng.go.id'],
    ['url', 'javascript:alert(1)'],
    ['kind', 'lainnya'],
    ['dataClassification', 'rahasia'],
    ['yearBuilt', 1900],
  ])('should refuse an invalid %s (%p) with its field path', async (field, value) => {
    const response = await staff.agent
      .post('/api/v1/applications')
      .set('X-CSRF-Token', staff.csrfToken)
      .send({ ...base, name: `Salah ${field}`, [field]: value });
    expect(response.status).toBe(400);
    expect(response.body.error.details.map((d: { path: string }) => d.path)).toContain(`body.${field}`);
  });

  it("should accept a NIP written in groups, store its 18 digits and word a bad one in the caller's language only", async () => {
    const created = await staff.agent
      .post('/api/v1/applications')
      .set('X-CSRF-Token', staff.csrfToken)
      .send({ ...base, name: 'Sistem NIP Berspasi', picNip: '19870315 201001 1 002' });
    expect(created.status).toBe(201);
    expect(created.body.picNip).toBe('198703152010011002');
    const stored = await h.database.db
      .selectFrom('applications')
      .select('picNip')
      .where('id', '=', created.body.id)
      .executeTakeFirstOrThrow();
    expect(stored.picNip).toBe('198703152010011002');
    for (const [language, expected] of [
      ['id', CONTRACT_MESSAGES.nip.id],
      ['en', CONTRACT_MESSAGES.nip.en],
    ] as const) {
      const refused = await staff.agent
        .post('/api/v1/applications')
        .set('X-CSRF-Token', staff.csrfToken)
        .set('Accept-Language', language)
        .send({ ...base, name: 'Sistem NIP Pendek', picNip: '19870315 201001 1 00' });
      expect(refused.status).toBe(400);
      expect(refused.body.error.details).toEqual([expect.objectContaining({ path: 'body.picNip', message: expected })]);
    }
  });

  it('should refuse unknown fields', async () => {
    const response = await staff.agent
      .post('/api/v1/applications')
      .set('X-CSRF-Token', staff.csrfToken)
      .send({ ...base, name: 'X', rahasia: 1 });
    expect(response.status).toBe(400);
  });

  it.each([
    ['GET', () => `/api/v1/applications/${otherAppId}`],
    ['PATCH', () => `/api/v1/applications/${otherAppId}`],
    ['DELETE', () => `/api/v1/applications/${otherAppId}`],
    ['GET', () => `/api/v1/applications?institutionId=${otherId}`],
    ['GET', () => `/api/v1/applications/export.csv?institutionId=${otherId}`],
    ['GET', () => `/api/v1/institutions/${otherId}/applications/summary.pdf`],
    ['POST', () => '/api/v1/applications'],
  ])('%s %s of another institution → 404', async (method, path) => {
    const url = path();
    const response =
      method === 'GET'
        ? await staff.agent.get(url)
        : method === 'PATCH'
          ? await staff.agent.patch(url).set('X-CSRF-Token', staff.csrfToken).send({ status: 'retired' })
          : method === 'DELETE'
            ? await staff.agent.delete(url).set('X-CSRF-Token', staff.csrfToken)
            : await staff.agent
                .post(url)
                .set('X-CSRF-Token', staff.csrfToken)
                .send({ ...base, name: 'Menyusup', institutionId: otherId });
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('NOT_FOUND');
    expect(
      (await h.database.db.selectFrom('applications').select('status').where('id', '=', otherAppId).executeTakeFirstOrThrow()).status,
    ).toBe('active');
  });

  it('should let operators read all and filter, but not write', async () => {
    const all = await operator.agent.get('/api/v1/applications');
    expect(all.body.items.some((a: { id: string }) => a.id === otherAppId)).toBe(true);
    const filtered = await operator.agent.get(`/api/v1/applications?institutionId=${ownId}`);
    expect(filtered.body.items.every((a: { institutionId: string }) => a.institutionId === ownId)).toBe(true);
    const write = await operator.agent
      .patch(`/api/v1/applications/${otherAppId}`)
      .set('X-CSRF-Token', operator.csrfToken)
      .send({ status: 'retired' });
    expect(write.status).toBe(403);
  });

  it('should page with a cursor', async () => {
    for (const n of ['Halaman A', 'Halaman B', 'Halaman C']) {
      await staff.agent
        .post('/api/v1/applications')
        .set('X-CSRF-Token', staff.csrfToken)
        .send({ ...base, name: n })
        .expect(201);
    }
    const first = await staff.agent.get('/api/v1/applications?limit=2');
    expect(first.body.items).toHaveLength(2);
    const second = await staff.agent.get(`/api/v1/applications?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.items[0].name > first.body.items[1].name).toBe(true);
  });

  it('should export neutralised CSV that imports back to the same inventory', async () => {
    await staff.agent
      .post('/api/v1/applications')
      .set('X-CSRF-Token', staff.csrfToken)
      .send({
        ...base,
        name: 'Formula',
        description: '=HYPERLINK("http://jahat.example","klik")',
        interfaces: '@SUM(1,2)\nbaris dua, "kutip"',
        function: '-2+3',
      })
      .expect(201);
    const exported = await staff.agent.get('/api/v1/applications/export.csv');
    expect(exported.status).toBe(200);
    expect(exported.headers['content-type']).toMatch(/^text\/csv/);
    const csv = exported.text;
    // Excel in the id-ID region: semicolons, CRLF (the BOM is checked in csv.test.ts; supertest's text may drop it).
    expect(csv.replace(/^\ufeff/, '').split('\r\n')[0]).toBe(APPLICATION_CSV_COLUMNS.map(([column]) => column).join(';'));
    expect(csv).toContain(`"'=HYPERLINK(""http://jahat.example"",""klik"")"`);
    expect(csv).toContain("'+62 812 5555 0101");
    const cells = parseCsv(csv).rows.flat();
    expect(cells.some((c) => /^[=+\-@]/.test(c))).toBe(false);

    const again = await staff.agent
      .post('/api/v1/applications/import?dryRun=false')
      .set('X-CSRF-Token', staff.csrfToken)
      .set('Content-Type', 'text/csv')
      .send(csv);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ created: 0, errors: [] });
    expect(again.body.updated).toBe(await count(ownId));

    const fresh = await makeInstitution(h.database.db);
    const forFresh = csv.split(ownCode).join(fresh.code);
    const dry = await admin.agent
      .post('/api/v1/applications/import')
      .set('X-CSRF-Token', admin.csrfToken)
      .set('Content-Type', 'text/csv')
      .send(forFresh);
    expect(dry.body).toMatchObject({ dryRun: true, errors: [], updated: 0 });
    expect(await count(fresh.id)).toBe(0);
    const real = await admin.agent
      .post('/api/v1/applications/import?dryRun=false')
      .set('X-CSRF-Token', admin.csrfToken)
      .set('Content-Type', 'text/csv')
      .send(forFresh);
    expect(real.status).toBe(200);
    const strip = (a: Record<string, unknown>) => {
      const { id: _id, institutionId: _i, createdAt: _c, updatedAt: _u, ...rest } = a;
      return rest;
    };
    const source = (await staff.agent.get('/api/v1/applications?limit=200')).body.items.map(strip);
    const copied = (await admin.agent.get(`/api/v1/applications?institutionId=${fresh.id}&limit=200`)).body.items.map(strip);
    expect(copied).toEqual(source);
    expect(copied.find((a: { name: string }) => a.name === 'Formula').description).toBe('=HYPERLINK("http://jahat.example","klik")');
  });

  it('should list every row error in a dry run and write nothing when a real import has one', async () => {
    const header = 'name,kind,pic_name,pic_nip,pic_email,data_classification,url,year_built';
    const csv = [
      header,
      'Baik Satu,umum,Ani,198001012005011001,ani@kalteng.go.id,rendah,https://satu.kalteng.go.id,2020',
      'NIP Pendek,umum,Ani,1980,ani@kalteng.go.id,rendah,,',
      'Banyak Salah,lain,Ani,198001012005011001,bukan-email,rahasia,ftp://x,tahun',
      'Baik Dua,khusus,Ani,198001012005011001,ani@kalteng.go.id,tinggi,,',
      `Bukan Milik,umum,Ani,198001012005011001,ani@kalteng.go.id,rendah,,`,
    ].join('\n');
    const withOtherCode = csv.replace('Bukan Milik', 'Bukan Milik').split('\n');
    withOtherCode[0] = `institution_code,${header}`;
    for (let i = 1; i < withOtherCode.length; i++) withOtherCode[i] = `${i === 5 ? otherCode : ''},${withOtherCode[i]}`;
    const body = withOtherCode.join('\n');
    const before = await count(ownId);
    const dry = await staff.agent
      .post('/api/v1/applications/import?dryRun=true')
      .set('X-CSRF-Token', staff.csrfToken)
      .set('Content-Type', 'text/csv')
      .send(body);
    expect(dry.status).toBe(200);
    const found = dry.body.errors.map((e: { row: number; column: string }) => `${e.row}:${e.column}`).sort();
    expect(found).toEqual(
      ['3:pic_nip', '4:data_classification', '4:kind', '4:pic_email', '4:url', '4:year_built', '6:institution_code'].sort(),
    );
    expect(dry.body.errors[0].message).toEqual({ id: expect.any(String), en: expect.any(String) });
    expect(await count(ownId)).toBe(before);
    const real = await staff.agent
      .post('/api/v1/applications/import?dryRun=false')
      .set('X-CSRF-Token', staff.csrfToken)
      .set('Content-Type', 'text/csv')
      .send(body);
    expect(real.status).toBe(400);
    expect(real.body.error.details).toHaveLength(7);
    expect(await count(ownId)).toBe(before);
  });

  it('should refuse broken, oversized, mistyped and anonymous import bodies', async () => {
    const post = (body: string, type = 'text/csv', dryRun = true) =>
      staff.agent
        .post(`/api/v1/applications/import?dryRun=${dryRun}`)
        .set('X-CSRF-Token', staff.csrfToken)
        .set('Content-Type', type)
        .send(body);
    const unterminated = await post('name,kind\n"tidak ditutup');
    expect(unterminated.body.errors).toEqual([{ row: 2, column: null, message: expect.objectContaining({ en: 'Unterminated quote.' }) }]);
    expect((await post('apa,ini\n1,2')).body.errors.some((e: { column: string }) => e.column === 'apa')).toBe(true);
    const failed = await post('name,kind\n"tidak ditutup', 'text/csv', false);
    expect(failed.status).toBe(400);
    expect(failed.body.error.details[0].row).toBe(2);
    expect((await post('x'.repeat(1_100_000))).status).toBe(413);
    expect((await post('{"name":"x"}', 'application/json')).status).toBe(400);
    const anonymous = await request(h.app).post('/api/v1/applications/import').set('Content-Type', 'text/csv').send('name\nx');
    expect(anonymous.status).toBe(401);
  });

  it('should serve a printable summary PDF of the own institution', async () => {
    const response = await staff.agent
      .get(`/api/v1/institutions/${ownId}/applications/summary.pdf`)
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/pdf');
    expect((response.body as Buffer).subarray(0, 5).toString()).toBe('%PDF-');
  });
});
