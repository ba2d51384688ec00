import { Role } from '@betang/core';
import { makeUser } from '@betang/testkit';
import request from 'supertest';
import { opsAppOf } from '../app';
import { signInAs, startApiHarness, type ApiHarness, type SignedIn } from '../testing/api-harness';

describe('validation, errors and conventions', () => {
  let h: ApiHarness;
  let admin: SignedIn;
  beforeAll(async () => {
    h = await startApiHarness();
    admin = await signInAs(h.app, (await makeUser(h.database.db, { roles: [Role.Admin] })).email);
  });
  afterAll(() => h.close());

  it('should answer 400 with every failing field path, in Indonesian by default and English on request', async () => {
    const body = { code: 'bad code', name: '', extra: 'x' };
    const id = await admin.agent.post('/api/v1/institutions').set('X-CSRF-Token', admin.csrfToken).send(body);
    expect(id.status).toBe(400);
    expect(id.body.error.code).toBe('VALIDATION_FAILED');
    expect(id.body.error.message).toBe('Data yang dikirim tidak valid.');
    const paths = [...new Set(id.body.error.details.map((d: { path: string }) => d.path))].sort();
    expect(paths).toEqual(['body.code', 'body.extra', 'body.name']);
    const en = await admin.agent
      .post('/api/v1/institutions')
      .set('X-CSRF-Token', admin.csrfToken)
      .set('Accept-Language', 'en-US,en;q=0.9')
      .send(body);
    expect(en.body.error.message).toBe('The submitted data is invalid.');
    expect(en.body.error.details.find((d: { path: string }) => d.path === 'body.extra').message).toMatch(/Unrecognized key/);
  });

  it('should write nothing when validation fails', async () => {
    const before = await h.database.db
      .selectFrom('institutions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    await admin.agent
      .post('/api/v1/institutions')
      .set('X-CSRF-Token', admin.csrfToken)
      .send({ code: 'OK-CODE', name: 'x'.repeat(500) })
      .expect(400);
    const after = await h.database.db
      .selectFrom('institutions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('should answer 409 on a duplicate code and keep the first', async () => {
    await admin.agent
      .post('/api/v1/institutions')
      .set('X-CSRF-Token', admin.csrfToken)
      .send({ code: 'BIRO-ADPIM', name: 'Biro Administrasi Pimpinan' })
      .expect(201);
    const dup = await admin.agent
      .post('/api/v1/institutions')
      .set('X-CSRF-Token', admin.csrfToken)
      .send({ code: 'BIRO-ADPIM', name: 'Lain' });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('CONFLICT');
  });

  it('should reject malformed JSON with 400 and huge bodies with 413', async () => {
    const bad = await admin.agent
      .post('/api/v1/institutions')
      .set('X-CSRF-Token', admin.csrfToken)
      .set('Content-Type', 'application/json')
      .send('{"code":');
    expect(bad.status).toBe(400);
    const huge = await admin.agent
      .post('/api/v1/institutions')
      .set('X-CSRF-Token', admin.csrfToken)
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ code: 'HUGE', name: 'x'.repeat(10 * 1024 * 1024) }));
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('should store hostile strings inert', async () => {
    const name = `Dinas "Uji" <script>alert(1)</script> $(rm -rf /); DROP TABLE users; --`;
    const created = await admin.agent.post('/api/v1/institutions').set('X-CSRF-Token', admin.csrfToken).send({ code: 'HOSTILE', name });
    expect(created.status).toBe(201);
    const read = await admin.agent.get(`/api/v1/institutions/${created.body.id}`);
    expect(read.body.name).toBe(name);
    const control = await admin.agent
      .post('/api/v1/institutions')
      .set('X-CSRF-Token', admin.csrfToken)
      .send({ code: 'CTRL', name: 'a\u0000b\u202Ec' });
    expect(control.status).toBe(400);
  });

  it('should echo a safe X-Request-Id and generate one otherwise, also on errors', async () => {
    const echoed = await request(h.app).get('/api/v1/me').set('X-Request-Id', 'skrip-operator-12345');
    expect(echoed.headers['x-request-id']).toBe('skrip-operator-12345');
    expect(echoed.body.error.requestId).toBe('skrip-operator-12345');
    const unsafe = await request(h.app).get('/api/v1/nope').set('X-Request-Id', 'bad id <script>');
    expect(unsafe.status).toBe(404);
    expect(unsafe.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('should reject a tampered cursor with 400 and page with nextCursor', async () => {
    for (const code of ['PAGE-A', 'PAGE-B', 'PAGE-C']) {
      await admin.agent
        .post('/api/v1/institutions')
        .set('X-CSRF-Token', admin.csrfToken)
        .send({ code, name: `Halaman ${code}` })
        .expect(201);
    }
    const first = await admin.agent.get('/api/v1/institutions?limit=2');
    expect(first.body.items).toHaveLength(2);
    const seen = new Set(first.body.items.map((i: { id: string }) => i.id));
    let cursor = first.body.nextCursor as string | null;
    while (cursor) {
      const next = await admin.agent.get(`/api/v1/institutions?limit=2&cursor=${cursor}`);
      next.body.items.forEach((i: { id: string }) => {
        expect(seen.has(i.id)).toBe(false);
        seen.add(i.id);
      });
      cursor = next.body.nextCursor;
    }
    const total = await h.database.db
      .selectFrom('institutions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(seen.size).toBe(Number(total.n));
    await admin.agent.get('/api/v1/institutions?cursor=%7B%7D').expect(400);
  });

  it('should serve an OpenAPI 3.1 document covering every route', async () => {
    const doc = await request(h.app).get('/api/v1/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    for (const path of [
      '/auth/login',
      '/me',
      '/me/tokens',
      '/me/tokens/{id}',
      '/institutions',
      '/institutions/{id}',
      '/institutions/{id}/users',
      '/institutions/{id}/quota',
      '/users/{id}',
      '/audit-log',
    ]) {
      expect(doc.body.paths[path]).toBeDefined();
    }
    const login = doc.body.paths['/auth/login'].post;
    expect(login.requestBody.content['application/json'].schema.required).toEqual(expect.arrayContaining(['email', 'password']));
    expect(login.requestBody.content['application/json'].schema.additionalProperties).toBe(false);
  });

  it('should report readiness and metrics on the operations app', async () => {
    await request(h.app).get('/healthz').expect(200);
    const ops = opsAppOf(h.app);
    await request(ops).get('/healthz').expect(200);
    const ready = await request(ops).get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.checks.database).toEqual(expect.objectContaining({ ok: true, critical: true }));
    const metrics = await request(ops).get('/metrics');
    expect(metrics.text).toMatch(/betang_http_requests_total\{method="GET",route="\/api\/v1\/me",status="401"\}/);
  });
});
