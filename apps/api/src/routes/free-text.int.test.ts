import { DATA_CENTER_ROLES, Role } from '@betang/core';
import { makeUser } from '@betang/testkit';
import { signInAs, startApiHarness, type ApiHarness, type SignedIn } from '../testing/api-harness';
import {
  defaultHints,
  fieldsOf,
  routeName,
  send,
  stringLeavesOf,
  urlOf,
  validExample,
  valueAt,
  withValueAt,
  type RouteEntry,
  type StringLeaf,
} from '../testing/route-walk';
import { fillPath, seedTenant, seedWorld, type Tenant } from '../testing/tenant-fixture';
import { encodeAny, type ValueHints } from '../testing/zod-arbitrary';
import { routeRegistryOf } from '../app';

/**
 * Control characters in text fields: every string field of every route's body and query, sent
 * with a NUL byte (PostgreSQL refuses NUL in text, so one that reaches the database is a 500),
 * answers 400 naming that field. Fields are read from the route registry's schemas, so a new
 * route or field is covered without touching this file.
 */

/** Fields never stored as text nor shown: secrets compared with a hash, where any byte may belong. */
const EXEMPT = /^(password|currentPassword|newPassword)$/;

const PREFERENCE = [Role.Admin, Role.Operator, Role.DcHead, Role.Auditor, Role.InstitutionHead, Role.InstitutionStaff];

function withNul(current: unknown, leaf: StringLeaf): string {
  const text = typeof current === 'string' && current.length > 0 ? current : 'teks uji'.padEnd(Math.max(leaf.min, 8), 'a');
  return `${text.slice(0, 1)}\u0000${text.slice(1)}`;
}

function queryString(value: unknown): string {
  return Object.entries((value ?? {}) as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${encodeAny(k)}=${encodeAny(typeof v === 'string' ? v : JSON.stringify(v))}`)
    .join('&');
}

describe('a NUL byte in any text field answers 400 naming the field, never 500', () => {
  let h: ApiHarness;
  let tenant: Tenant;
  let hints: ValueHints;
  const emails: Partial<Record<Role, string>> = {};

  beforeAll(async () => {
    h = await startApiHarness();
    const world = await seedWorld(h);
    tenant = await seedTenant(h, world, 'N');
    const { db } = h.database;
    for (const role of [Role.Admin, Role.Operator, Role.DcHead, Role.Auditor]) emails[role] = (await makeUser(db, { roles: [role] })).email;
    emails[Role.InstitutionHead] = (await makeUser(db, { roles: [Role.InstitutionHead], institutionId: tenant.ids.institution })).email;
    emails[Role.InstitutionStaff] = (await makeUser(db, { roles: [Role.InstitutionStaff], institutionId: tenant.ids.institution })).email;
    hints = defaultHints(Object.values(tenant.ids));
  }, 90_000);
  afterAll(() => h.close());

  async function clientFor(spec: RouteEntry): Promise<SignedIn> {
    if (spec.access === 'public') return { agent: (await import('supertest')).default.agent(h.app), csrfToken: 'tidak-ada' };
    const admitted = spec.access === 'user' ? PREFERENCE : PREFERENCE.filter((r) => (spec.access as readonly Role[]).includes(r));
    const role = admitted.find((r) => DATA_CENTER_ROLES.includes(r)) ?? admitted[0]!;
    return signInAs(h.app, emails[role]!);
  }

  const routes = (): RouteEntry[] => routeRegistryOf(h.app);

  it('covers the text fields of the request bodies (the walk finds them)', () => {
    const leaves = routes().flatMap((spec) =>
      spec.bodyReader ? [] : stringLeavesOf(spec.body).map((leaf) => `${routeName(spec)} ${leaf.path.join('.')}`),
    );
    // The fields of the attack's 500s, among others.
    for (const expected of [
      'POST /vps-requests purpose',
      'POST /vps-requests templateId',
      'POST /vps-requests/{id}/reject reason',
      'POST /institutions address',
      'POST /applications description',
      'PATCH /users/{id} position',
      'POST /agreements osTemplates.0',
    ]) {
      expect(leaves).toContain(expected);
    }
  });

  it('answers 400 on every body and query text field of every route, with the field in details', async () => {
    const failures: string[] = [];
    for (const spec of routes()) {
      if (spec.bodyReader) continue; // raw bodies (CSV, PDF): their own test below
      const filled = fillPath(spec, tenant.ids);
      // The public verification page takes a code, not a tenant's id: any well-formed one will do.
      const path = typeof filled === 'string' && spec.path === '/verify/{code}' ? { code: 'ABCDEFGHJKLMNPQR' } : filled;
      if (typeof path === 'string') {
        failures.push(`${routeName(spec)}: ${path}`);
        continue;
      }
      const parts: { where: 'body' | 'query'; schema: RouteEntry['body'] }[] = [
        { where: 'body', schema: spec.body },
        { where: 'query', schema: spec.query },
      ];
      for (const { where, schema } of parts) {
        if (!schema) continue;
        const leaves = stringLeavesOf(schema).filter((leaf) => !EXEMPT.test(String(leaf.path[leaf.path.length - 1])));
        if (leaves.length === 0) continue;
        const client = await clientFor(spec);
        // A random cursor is refused on its own (after the schema): only the field under test is bad.
        const example = validExample(schema, hints, `${routeName(spec)} ${where}`) as Record<string, unknown>;
        const valid = where === 'query' ? { ...example, cursor: undefined } : example;
        for (const leaf of leaves) {
          const hostile = withValueAt(valid, leaf.path, withNul(valueAt(valid, leaf.path), leaf));
          const url = urlOf(spec, path) + (where === 'query' ? `?${queryString(hostile)}` : '');
          const response = await send(
            client,
            spec,
            url,
            where === 'body'
              ? { json: hostile }
              : spec.method === 'get'
                ? undefined
                : { json: spec.body ? validExample(spec.body, hints, routeName(spec)) : {} },
            { 'Accept-Language': 'en' },
          );
          const field = `${where}.${leaf.path.join('.')}`;
          const details = ((response.body as { error?: { details?: { path?: string }[] } })?.error?.details ?? []).map((d) => d.path);
          // The event stream names its resume position as the header and the query share it.
          const named = details.includes(field) || (where === 'query' && details.includes(leaf.path.join('.')));
          if (response.status !== 400 || !named)
            failures.push(`${routeName(spec)} ${field}: ${response.status} ${JSON.stringify(response.body).slice(0, 300)}`);
        }
      }
    }
    expect(failures).toEqual([]);
  }, 240_000);

  it('POST /applications/import reports a NUL byte in any cell as that cell’s error, never 500', async () => {
    const admin = await signInAs(h.app, emails[Role.Admin]!);
    const header = 'institution_code,name,kind,description,pic_name,pic_nip,pic_email,data_classification';
    const code = (
      await h.database.db.selectFrom('institutions').select('code').where('id', '=', tenant.ids.institution).executeTakeFirstOrThrow()
    ).code;
    const rows = [
      `${code}\u0000,Aplikasi Satu,khusus,Baris,Budi,198501012010011001,budi@kalteng.go.id,rendah`,
      `${code},Aplikasi\u0000Dua,khusus,Baris,Budi,198501012010011001,budi@kalteng.go.id,rendah`,
      `${code},Aplikasi Tiga,khusus,"Dua\nbaris\u0000",Budi,198501012010011001,budi@kalteng.go.id,rendah`,
    ];
    for (const dryRun of ['true', 'false']) {
      const response = await admin.agent
        .post(`/api/v1/applications/import?dryRun=${dryRun}`)
        .set('X-CSRF-Token', admin.csrfToken)
        .set('Content-Type', 'text/csv')
        .set('Accept-Language', 'en')
        .send([header, ...rows].join('\n'));
      const errors = (dryRun === 'true' ? response.body.errors : response.body.error?.details) as {
        row: number;
        column: string | null;
        message: { id: string; en: string } | string;
      }[];
      expect({ dryRun, status: response.status }).toEqual({ dryRun, status: dryRun === 'true' ? 200 : 400 });
      expect(errors.map((e) => `${e.row}:${e.column}`)).toEqual(['2:institution_code', '3:name', '4:description']);
      // The dry-run report carries both languages (the page shows the chosen one); an error's
      // details come in the caller's language only, like every error message.
      expect(errors[1]!.message).toEqual(
        dryRun === 'true'
          ? { id: expect.stringContaining('karakter kontrol'), en: expect.stringContaining('control characters') }
          : expect.stringContaining('control characters'),
      );
    }
  });

  it('keeps tab and line breaks in multi-line text, and refuses them in one-line text', async () => {
    const admin = await signInAs(h.app, emails[Role.Admin]!);
    const ok = await admin.agent
      .post('/api/v1/institutions')
      .set('X-CSRF-Token', admin.csrfToken)
      .send({ code: 'NUL-UJI', name: 'Dinas Uji', address: 'Jl. Tjilik Riwut\r\nKm 5\tPalangka Raya' });
    expect(ok.status).toBe(201);
    expect(ok.body.address).toBe('Jl. Tjilik Riwut\r\nKm 5\tPalangka Raya');
    for (const name of ['Dinas\tUji', 'Dinas\nUji', 'Dinas \u007f', 'Dinas \u0085', 'Dinas \u202e', 'Dinas \ud800']) {
      const refused = await admin.agent
        .post('/api/v1/institutions')
        .set('X-CSRF-Token', admin.csrfToken)
        .set('Accept-Language', 'en')
        .send({ code: 'NUL-DUA', name });
      expect({ name, status: refused.status, details: refused.body.error?.details }).toEqual({
        name,
        status: 400,
        details: [expect.objectContaining({ path: 'body.name', message: expect.stringContaining('control characters') })],
      });
    }
    for (const address of ['Jl. \u0000', 'Jl. \u001b[31m', 'Jl. \udc00']) {
      const refused = await admin.agent
        .post('/api/v1/institutions')
        .set('X-CSRF-Token', admin.csrfToken)
        .send({ code: 'NUL-DUA', name: 'Dinas Dua', address });
      expect({ address, status: refused.status, path: refused.body.error?.details?.[0]?.path }).toEqual({
        address,
        status: 400,
        path: 'body.address',
      });
    }
  });

  it('names every field of the login body', () => {
    expect(fieldsOf(routes().find((r) => routeName(r) === 'POST /auth/login')!.body)).toContain('email');
  });
});
