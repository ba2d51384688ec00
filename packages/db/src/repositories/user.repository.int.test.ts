import { Role } from '@betang/core';
import { createTestDatabase, makeUser, type TestDatabase } from '@betang/testkit';
import { randomBytes } from 'node:crypto';
import { findUsableApiToken } from './api-token.repository';
import { findLiveSession, insertSession } from './session.repository';
import { findLiveSessionWithUser, findUsableApiTokenWithUser, findUserById } from './user.repository';

const hash = () => randomBytes(32).toString('hex');

/** Authentication reads the session (or token) and its user in one query; same answers as the two-query path. */
describe('findLiveSessionWithUser / findUsableApiTokenWithUser', () => {
  let t: TestDatabase;

  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());

  async function session(userId: string, expiresAt: Date): Promise<string> {
    const idHash = hash();
    await insertSession(t.db, { idHash, userId, csrfToken: hash(), ip: '127.0.0.1', userAgent: 'jest', expiresAt });
    return idHash;
  }
  async function token(userId: string, o: { expiresAt: Date; revoked?: boolean }): Promise<string> {
    const tokenHash = hash();
    await t.db
      .insertInto('apiTokens')
      .values({
        userId,
        name: 'skrip uji',
        prefix: tokenHash.slice(0, 8),
        tokenHash,
        expiresAt: o.expiresAt,
        revokedAt: o.revoked ? new Date() : null,
      })
      .execute();
    return tokenHash;
  }
  const inAnHour = () => new Date(Date.now() + 3_600_000);

  it('should return exactly the session row and the user record the two separate lookups return', async () => {
    const user = await makeUser(t.db, { roles: [Role.Operator, Role.Admin], name: 'Operator Dua Peran' });
    const idHash = await session(user.id, inAnHour());
    const found = await findLiveSessionWithUser(t.db, idHash);
    expect(found).toEqual({ session: await findLiveSession(t.db, idHash), user: await findUserById(t.db, user.id) });
    expect(found!.user.roles).toEqual([Role.Admin, Role.Operator].sort());
    expect(Object.keys(found!.user).sort()).toEqual(Object.keys((await findUserById(t.db, user.id))!).sort());
  });

  it('should return exactly the token row and the user record the two separate lookups return', async () => {
    const user = await makeUser(t.db, { roles: [Role.Auditor] });
    const tokenHash = await token(user.id, { expiresAt: inAnHour() });
    const found = await findUsableApiTokenWithUser(t.db, tokenHash);
    expect(found).toEqual({ token: await findUsableApiToken(t.db, tokenHash), user: await findUserById(t.db, user.id) });
  });

  it('should report an inactive user as such (the caller refuses it) and nothing for expired, revoked or unknown secrets', async () => {
    const user = await makeUser(t.db, { roles: [Role.Operator] });
    await t.db.updateTable('users').set({ isActive: false }).where('id', '=', user.id).execute();
    const live = await session(user.id, inAnHour());
    expect((await findLiveSessionWithUser(t.db, live))!.user.isActive).toBe(false);
    expect(await findLiveSessionWithUser(t.db, await session(user.id, new Date(Date.now() - 1000)))).toBeUndefined();
    expect(await findUsableApiTokenWithUser(t.db, await token(user.id, { expiresAt: new Date(Date.now() - 1000) }))).toBeUndefined();
    expect(await findUsableApiTokenWithUser(t.db, await token(user.id, { expiresAt: inAnHour(), revoked: true }))).toBeUndefined();
    expect(await findLiveSessionWithUser(t.db, hash())).toBeUndefined();
    expect(await findUsableApiTokenWithUser(t.db, hash())).toBeUndefined();
  });

  it('should treat hostile secrets as plain values (no injection, no match)', async () => {
    for (const hostile of ["' OR '1'='1", '%', '\\', '', 'x'.repeat(10_000)]) {
      expect(await findLiveSessionWithUser(t.db, hostile)).toBeUndefined();
      expect(await findUsableApiTokenWithUser(t.db, hostile)).toBeUndefined();
    }
  });
});
