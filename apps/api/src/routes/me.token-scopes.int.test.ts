import { randomUUID } from 'node:crypto';
import { Role, TOKEN_SCOPES } from '@betang/core';
import { makeInstitution, makeUser } from '@betang/testkit';
import express from 'express';
import request from 'supertest';
import { resolveScope, route, WRITE_SCOPE_BY_TAG, type RouteRegistry } from '../http/route';
import { signInAs, startApiHarness, type ApiHarness, type SignedIn } from '../testing/api-harness';

jest.setTimeout(30_000);

describe('API token scopes and expiry', () => {
  let h: ApiHarness;
  let staff: SignedIn;
  let staffId: string;
  beforeAll(async () => {
    h = await startApiHarness();
    const institution = await makeInstitution(h.database.db);
    const user = await makeUser(h.database.db, { roles: [Role.InstitutionStaff], institutionId: institution.id });
    staffId = user.id;
    staff = await signInAs(h.app, user.email);
  });
  afterAll(() => h.close());

  const createToken = (body: Record<string, unknown>, as: SignedIn = staff) =>
    as.agent.post('/api/v1/me/tokens').set('X-CSRF-Token', as.csrfToken).send(body);
  const bearer = (secret: string) => ({ Authorization: `Bearer ${secret}` });

  it('should give every route of the real app a token scope (public routes none), documented in OpenAPI', async () => {
    const doc = (await request(h.app).get('/api/v1/openapi.json').expect(200)).body as {
      paths: Record<string, Record<string, { security: unknown[]; 'x-betang-token-scope': string | null }>>;
    };
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ path, method, op })),
    );
    expect(operations.length).toBeGreaterThan(40);
    for (const { path, method, op } of operations) {
      const isPublic = op.security.length === 0;
      const scope = op['x-betang-token-scope'];
      if (isPublic) expect([method, path, scope]).toEqual([method, path, null]);
      else expect([method, path, [...TOKEN_SCOPES, 'session-only'].includes(scope ?? '')]).toEqual([method, path, true]);
      if (!isPublic && method === 'get') expect([path, scope]).toEqual([path, 'read']);
    }
    const scopeOf = (method: string, path: string) => doc.paths[path]?.[method]?.['x-betang-token-scope'];
    expect(scopeOf('post', '/agreements/{id}/signatures')).toBe('session-only');
    expect(scopeOf('post', '/me/tokens')).toBe('session-only');
    expect(scopeOf('post', '/applications')).toBe('inventory:write');
    expect(scopeOf('post', '/vps-requests')).toBe('requests:write');
    expect(scopeOf('post', '/vps-requests/{id}/cancel')).toBe('requests:write');
    for (const decision of ['approve', 'reject', 'retry']) expect(scopeOf('post', `/vps-requests/{id}/${decision}`)).toBe('operate');
    expect(scopeOf('post', '/vms/{id}/resize')).toBe('requests:write');
    expect(scopeOf('post', '/vms/{id}/actions')).toBe('requests:write');
    expect(scopeOf('post', '/institutions')).toBe('admin');
    expect(scopeOf('put', '/settings/approval-policy')).toBe('admin');
    expect(scopeOf('post', '/verify')).toBeNull();
  });

  it('should refuse to register an unsafe route whose tag has no write scope, and honour an explicit one', () => {
    const registry: RouteRegistry = [];
    const router = express.Router();
    expect(() =>
      route(router, registry, { method: 'post', path: '/baru', tag: 'tidak-dikenal', summary: 'x', access: 'user' }, async () => undefined),
    ).toThrow(/no token scope/);
    expect(registry).toHaveLength(0);
    route(
      router,
      registry,
      { method: 'delete', path: '/baru/{id}', tag: 'tidak-dikenal', summary: 'x', access: 'user', scope: 'admin' },
      async () => undefined,
    );
    route(router, registry, { method: 'get', path: '/baru', tag: 'tidak-dikenal', summary: 'x', access: 'user' }, async () => undefined);
    expect(registry.map((r) => r.scope)).toEqual(['admin', 'read']);
    expect(resolveScope({ method: 'post', path: '/p', tag: 'vps-requests', access: 'public' })).toBeUndefined();
    expect(Object.values(WRITE_SCOPE_BY_TAG).every((s) => s === 'session-only' || (TOKEN_SCOPES as readonly string[]).includes(s))).toBe(
      true,
    );
  });

  it('should create read-only tokens valid 90 days by default, list scopes, expiry and last use, and refuse bad scopes and expiries', async () => {
    const created = await createToken({ name: 'baca-saja' }).expect(201);
    expect(created.body.scopes).toEqual(['read']);
    const days = (new Date(created.body.expiresAt as string).getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(89.9);
    expect(days).toBeLessThanOrEqual(90);
    await request(h.app).get('/api/v1/me').set(bearer(created.body.secret)).expect(200);
    const listed = (await staff.agent.get('/api/v1/me/tokens').expect(200)).body.items.find(
      (t: { id: string }) => t.id === created.body.id,
    );
    expect(listed).toMatchObject({ scopes: ['read'], expiresAt: created.body.expiresAt });
    expect(typeof listed.lastUsedAt).toBe('string');

    for (const body of [
      { name: 'tanda', scopes: ['agreements:sign'] },
      { name: 'kosong', scopes: [] },
      { name: 'ganda', scopes: ['read', 'read'] },
      { name: 'lama', expiresAt: new Date(Date.now() + 366 * 86_400_000).toISOString() },
      { name: 'lalu', expiresAt: new Date(Date.now() - 1000).toISOString() },
      { name: 'aneh', scopes: 'read' },
    ]) {
      const refused = await createToken(body);
      expect([body.name, refused.status, refused.body.error.code]).toEqual([body.name, 400, 'VALIDATION_FAILED']);
    }
    const longest = await createToken({
      name: 'setahun',
      scopes: ['read', 'inventory:write'],
      expiresAt: new Date(Date.now() + 365 * 86_400_000 - 60_000).toISOString(),
    });
    expect(longest.status).toBe(201);
    expect(longest.body.scopes).toEqual(['read', 'inventory:write']);
    const audit = await h.database.db
      .selectFrom('auditLog')
      .select('after')
      .where('targetId', '=', longest.body.id)
      .where('action', '=', 'api_token.created')
      .executeTakeFirstOrThrow();
    expect(audit.after).toMatchObject({ scopes: ['read', 'inventory:write'] });
  });

  it('should refuse a token before reading a large upload (PDF, CSV): the scope answer, not 413', async () => {
    const reader = (await createToken({ name: 'pembaca-unggah' }).expect(201)).body.secret as string;
    const big = Buffer.alloc(11 * 1024 * 1024, 0x20);
    const pdf = await request(h.app)
      .post(`/api/v1/agreements/${randomUUID()}/signed-document`)
      .set(bearer(reader))
      .set('Content-Type', 'application/pdf')
      .send(big);
    expect([pdf.status, pdf.body.error.code]).toEqual([403, 'TOKEN_SCOPE_MISSING']);
    const csv = await request(h.app)
      .post('/api/v1/applications/import')
      .set(bearer(reader))
      .set('Content-Type', 'text/csv')
      .send('x'.repeat(2 * 1024 * 1024));
    expect([csv.status, csv.body.error.code]).toEqual([403, 'TOKEN_SCOPE_MISSING']);
    const anonymous = await request(h.app)
      .post('/api/v1/applications/import')
      .set('Content-Type', 'text/csv')
      .send('x'.repeat(2 * 1024 * 1024));
    expect(anonymous.status).toBe(401);
  });

  it('should answer 403 TOKEN_SCOPE_MISSING without the scope, pass it with the scope, keep role checks, and leave sessions unaffected', async () => {
    const reader = (await createToken({ name: 'pembaca' }).expect(201)).body.secret as string;
    const writer = (await createToken({ name: 'penulis', scopes: ['inventory:write'] }).expect(201)).body.secret as string;
    const everything = (await createToken({ name: 'semua', scopes: [...TOKEN_SCOPES] }).expect(201)).body.secret as string;

    await request(h.app).get('/api/v1/applications').set(bearer(reader)).expect(200);
    const noWrite = await request(h.app).post('/api/v1/applications').set(bearer(reader)).set('Accept-Language', 'en').send({});
    expect(noWrite.status).toBe(403);
    expect(noWrite.body.error).toMatchObject({
      code: 'TOKEN_SCOPE_MISSING',
      message: 'This API token does not have the scope this action needs.',
      details: { required: 'inventory:write' },
    });
    const idMessage = (await request(h.app).post('/api/v1/applications').set(bearer(reader)).send({})).body.error.message;
    expect(idMessage).toBe('Token API ini tidak memiliki cakupan (scope) untuk tindakan ini.');
    // With the scope the request reaches validation (400), so the scope check passed.
    expect((await request(h.app).post('/api/v1/applications').set(bearer(writer)).send({})).body.error.code).toBe('VALIDATION_FAILED');
    // A write-only token cannot read.
    expect((await request(h.app).get('/api/v1/applications').set(bearer(writer))).body.error.code).toBe('TOKEN_SCOPE_MISSING');
    // Scopes never widen roles: staff with an admin-scoped token is still not an admin.
    expect((await request(h.app).post('/api/v1/institutions').set(bearer(everything)).send({})).body.error.code).toBe('FORBIDDEN');
    // Session-only routes take no token at all, whatever its scopes.
    const signing = await request(h.app).post(`/api/v1/agreements/${randomUUID()}/signatures`).set(bearer(everything)).send({});
    expect(signing.status).toBe(403);
    expect(signing.body.error.code).toBe('TOKEN_SCOPE_MISSING');
    expect((await request(h.app).delete(`/api/v1/me/tokens/${randomUUID()}`).set(bearer(everything))).body.error.code).toBe(
      'TOKEN_SCOPE_MISSING',
    );
    // The session is not limited by scopes.
    expect((await staff.agent.post('/api/v1/applications').set('X-CSRF-Token', staff.csrfToken).send({})).body.error.code).toBe(
      'VALIDATION_FAILED',
    );
  });

  it('should answer 401 to expired and revoked tokens', async () => {
    const created = (await createToken({ name: 'berumur', scopes: ['read'] }).expect(201)).body as { id: string; secret: string };
    await request(h.app).get('/api/v1/me').set(bearer(created.secret)).expect(200);
    await h.database.db
      .updateTable('apiTokens')
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where('id', '=', created.id)
      .execute();
    expect((await request(h.app).get('/api/v1/me').set(bearer(created.secret))).body.error.code).toBe('UNAUTHENTICATED');
    const revoked = (await createToken({ name: 'dicabut' }).expect(201)).body as { id: string; secret: string };
    await staff.agent.delete(`/api/v1/me/tokens/${revoked.id}`).set('X-CSRF-Token', staff.csrfToken).expect(204);
    await request(h.app).get('/api/v1/me').set(bearer(revoked.secret)).expect(401);
  });

  it('should keep unknown scopes, empty scopes and over-long lives out of the table itself', async () => {
    const base = { userId: staffId, name: 'langsung', prefix: 'btg_x', expiresAt: new Date(Date.now() + 86_400_000) };
    await expect(
      h.database.db
        .insertInto('apiTokens')
        .values({ ...base, tokenHash: randomUUID(), scopes: ['agreements:sign'] })
        .execute(),
    ).rejects.toThrow(/api_tokens_scopes_known/);
    await expect(
      h.database.db
        .insertInto('apiTokens')
        .values({ ...base, tokenHash: randomUUID(), scopes: [] })
        .execute(),
    ).rejects.toThrow(/api_tokens_scopes_known/);
    await expect(
      h.database.db
        .insertInto('apiTokens')
        .values({ ...base, tokenHash: randomUUID(), scopes: ['read'], expiresAt: new Date(Date.now() + 400 * 86_400_000) })
        .execute(),
    ).rejects.toThrow(/api_tokens_expiry_within_a_year/);
  });
});
