import { Writable } from 'node:stream';
import { Role } from '@betang/core';
import { makeInstitution, makeUser, TEST_PASSWORD } from '@betang/testkit';
import { pino } from 'pino';
import request from 'supertest';
import { createApp } from '../app';
import { newTotpSecret, totpCode } from '../security/totp';
import { TotpSecretBox } from '../security/totp-secret-box';
import { signInAs, startApiHarness, type ApiHarness } from '../testing/api-harness';

jest.setTimeout(60_000); // argon2 hashing and checks on a busy 2-core machine

/** A secret sealed under another SIGNING_MASTER_SECRET: what every TOTP user has after that value changed. */
function sealedElsewhere(userId: string, secret: string): string {
  return new TotpSecretBox('ein-anderer-signing-master-secret-von-frueher-0123456789').seal(userId, secret);
}

describe("TOTP that no longer opens, and the admin reset of a user's TOTP", () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApiHarness();
  });
  afterAll(() => h.close());

  async function userWithUnreadableTotp() {
    const institution = await makeInstitution(h.database.db);
    const secret = newTotpSecret();
    const user = await makeUser(h.database.db, { roles: [Role.InstitutionHead], institutionId: institution.id });
    await h.database.db
      .updateTable('users')
      .set({ totpSecret: sealedElsewhere(user.id, secret) })
      .where('id', '=', user.id)
      .execute();
    return { user, secret };
  }

  it('should answer a right password whose TOTP secret no longer opens with a bilingual 409 naming the admin, audited and logged for operators', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) }));
    const app = createApp({ ...h.deps, logger });
    const { user, secret } = await userWithUnreadableTotp();

    const id = await request(app)
      .post('/api/v1/auth/login')
      .send({ email: user.email, password: TEST_PASSWORD, totp: totpCode(secret) });
    expect(id.status).toBe(409);
    expect(id.body.error.message).toMatch(/admin/);
    expect(id.body.error.message).toMatch(/TOTP/);
    const en = await request(app)
      .post('/api/v1/auth/login')
      .set('Accept-Language', 'en')
      .send({ email: user.email, password: TEST_PASSWORD, totp: totpCode(secret) });
    expect(en.status).toBe(409);
    expect(en.body.error.message).toMatch(/Contact a data-center admin/);
    expect(JSON.stringify(en.body)).not.toMatch(/SIGNING_MASTER_SECRET|authenticate|enc:v1/);

    // Without the right password nothing is told: the usual 401.
    await request(app)
      .post('/api/v1/auth/login')
      .send({ email: user.email, password: 'salah-sekali-2026', totp: totpCode(secret) })
      .expect(401);

    const log = lines.join('');
    expect(log).toContain(user.id);
    expect(log).toMatch(/SIGNING_MASTER_SECRET/);
    expect(log).toMatch(/totp\/reset/);
    const audit = await h.database.db
      .selectFrom('auditLog')
      .select('after')
      .where('targetId', '=', user.id)
      .where('action', '=', 'auth.login_failed')
      .execute();
    expect(audit.map((row) => (row.after as { reason: string }).reason)).toContain('totp_unreadable');
  });

  it('should let an admin reset it: TOTP off, every session and API token of the user ends, audited; the user signs in with the password and enrols again', async () => {
    const institution = await makeInstitution(h.database.db);
    const secret = newTotpSecret();
    const user = await makeUser(h.database.db, { roles: [Role.InstitutionStaff], institutionId: institution.id, totpSecret: secret });
    const agent = request.agent(h.app);
    const login = await agent
      .post('/api/v1/auth/login')
      .send({ email: user.email, password: TEST_PASSWORD, totp: totpCode(secret) })
      .expect(200);
    const csrf = login.body.csrfToken as string;
    const token = (
      await agent
        .post('/api/v1/me/tokens')
        .set('X-CSRF-Token', csrf)
        .send({ name: 'skrip', scopes: ['read'] })
        .expect(201)
    ).body.secret as string;

    const admin = await makeUser(h.database.db, { roles: [Role.Admin] });
    const by = await signInAs(h.app, admin.email);
    const reset = await by.agent.post(`/api/v1/users/${user.id}/totp/reset`).set('X-CSRF-Token', by.csrfToken).expect(200);
    expect(reset.body).toEqual({ sessionsEnded: 1, tokensRevoked: 1 });

    await agent.get('/api/v1/me').expect(401);
    await request(h.app).get('/api/v1/me').set('Authorization', `Bearer ${token}`).expect(401);
    const again = await signInAs(h.app, user.email);
    const me = await again.agent.get('/api/v1/me').expect(200);
    expect(me.body.user.totpEnabled).toBe(false);
    const fresh = (await again.agent.post('/api/v1/me/totp/secret').set('X-CSRF-Token', again.csrfToken).expect(200)).body.secret as string;
    await again.agent
      .post('/api/v1/me/totp')
      .set('X-CSRF-Token', again.csrfToken)
      .send({ secret: fresh, code: totpCode(fresh), password: TEST_PASSWORD })
      .expect(204);

    const audit = await h.database.db
      .selectFrom('auditLog')
      .selectAll()
      .where('targetId', '=', user.id)
      .where('action', '=', 'user.totp_reset')
      .executeTakeFirstOrThrow();
    expect(audit.actorUserId).toBe(admin.id);
    expect(audit.after).toEqual({ totpEnabled: false, totpEnrolmentRequired: true, sessionsEnded: 1, tokensRevoked: 1 });
  });

  it('should clear an unreadable secret too, so its user can sign in again', async () => {
    const { user } = await userWithUnreadableTotp();
    const admin = await makeUser(h.database.db, { roles: [Role.Admin] });
    const by = await signInAs(h.app, admin.email);
    await by.agent.post(`/api/v1/users/${user.id}/totp/reset`).set('X-CSRF-Token', by.csrfToken).expect(200);
    await signInAs(h.app, user.email);
  });

  it("should refuse everybody but an admin (403), an unknown user (404), the admin's own account (409) and API tokens (403)", async () => {
    const institution = await makeInstitution(h.database.db);
    const user = await makeUser(h.database.db, {
      roles: [Role.InstitutionStaff],
      institutionId: institution.id,
      totpSecret: newTotpSecret(),
    });
    for (const role of [Role.InstitutionHead, Role.Operator, Role.DcHead]) {
      const someone = await makeUser(h.database.db, {
        roles: [role],
        institutionId: role === Role.InstitutionHead ? institution.id : null,
      });
      const session = await signInAs(h.app, someone.email);
      await session.agent.post(`/api/v1/users/${user.id}/totp/reset`).set('X-CSRF-Token', session.csrfToken).expect(403);
    }
    const admin = await makeUser(h.database.db, { roles: [Role.Admin] });
    const by = await signInAs(h.app, admin.email);
    await by.agent.post('/api/v1/users/00000000-0000-4000-8000-000000000000/totp/reset').set('X-CSRF-Token', by.csrfToken).expect(404);
    await by.agent.post(`/api/v1/users/${admin.id}/totp/reset`).set('X-CSRF-Token', by.csrfToken).expect(409);
    // Not with an API token, even an admin one with the admin scope: a person in a browser session decides this.
    const adminToken = (
      await by.agent
        .post('/api/v1/me/tokens')
        .set('X-CSRF-Token', by.csrfToken)
        .send({ name: 'otomasi', scopes: ['admin'] })
        .expect(201)
    ).body.secret as string;
    const byToken = await request(h.app).post(`/api/v1/users/${user.id}/totp/reset`).set('Authorization', `Bearer ${adminToken}`);
    expect(byToken.status).toBe(403);
    expect(byToken.body.error.code).toBe('TOKEN_SCOPE_MISSING');
    const stored = await h.database.db.selectFrom('users').select('totpSecret').where('id', '=', user.id).executeTakeFirstOrThrow();
    expect(stored.totpSecret).not.toBeNull();
  });
});
