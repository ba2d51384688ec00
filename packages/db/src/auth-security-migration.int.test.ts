import { Role } from '@betang/core';
import { createTestDatabase, makeUser, type TestDatabase } from '@betang/testkit';
import { sql } from 'kysely';
import { down, up } from './migrations/20261128T0010_auth_security';

/** The 20261128T0010 migration's backfill of tokens that existed before scopes and required expiry. */
describe('migration 20261128T0010_auth_security', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());

  it('should give old tokens every scope and an expiry within 90 days (or a year after creation), then enforce both', async () => {
    const userId = (await makeUser(t.db, { roles: [Role.Operator] })).id;
    await down(t.db);
    const insert = (name: string, createdAt: Date, expiresAt: Date | null) =>
      sql`INSERT INTO api_tokens (user_id, name, prefix, token_hash, created_at, expires_at) VALUES (${userId}, ${name}, 'btg_x', ${name}, ${createdAt}, ${expiresAt})`.execute(
        t.db,
      );
    const day = 86_400_000;
    await insert('tanpa-batas', new Date(Date.now() - 10 * day), null);
    await insert('tua', new Date(Date.now() - 300 * day), null);
    await insert('terlalu-lama', new Date(), new Date(Date.now() + 1000 * day));
    await up(t.db);
    const rows = await t.db
      .selectFrom('apiTokens')
      .select(['name', 'scopes', 'expiresAt', 'createdAt'])
      .where('userId', '=', userId)
      .execute();
    const byName = Object.fromEntries(rows.map((r) => [r.name, r]));
    for (const row of rows) expect(row.scopes).toEqual(['read', 'requests:write', 'inventory:write', 'operate', 'admin']);
    expect(Math.round((byName['tanpa-batas']!.expiresAt.getTime() - Date.now()) / day)).toBe(90);
    expect(Math.round((byName.tua!.expiresAt.getTime() - byName.tua!.createdAt.getTime()) / day)).toBe(365);
    expect(Math.round((byName['terlalu-lama']!.expiresAt.getTime() - Date.now()) / day)).toBe(365);
    await expect(insert('tanpa-kedaluwarsa', new Date(), null)).rejects.toThrow(/expires_at/);
  });
});
