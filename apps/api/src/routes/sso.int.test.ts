import { Role } from '@betang/core';
import {
  makeInstitution,
  makeUser,
  signInAtTestProvider,
  startTestOidcProvider,
  TEST_OIDC_CLIENT_SECRET,
  TEST_PASSWORD,
  type TestOidcProvider,
} from '@betang/testkit';
import request from 'supertest';
import { createApp } from '../app';
import { signInAs, startApiHarness, type ApiHarness } from '../testing/api-harness';

jest.setTimeout(90_000);

const REDIRECT = 'http://127.0.0.1:3000/api/v1/auth/oidc/callback';
const CLIENT = { clientId: 'betang', clientSecret: TEST_OIDC_CLIENT_SECRET };
const NIP = '198701012010011001';

/** The people the provider knows, by login name (= subject). */
const ACCOUNTS = {
  siti: { email: 'Siti.Rahmah@uji.kalteng.go.id', email_verified: true, name: 'Siti Rahmah' },
  // An unverified e-mail never links; the NIP (grouped with spaces, as civil servants write it) does.
  budi: { email: 'budi.pribadi@contoh.test', email_verified: false, name: 'Budi Santoso', nip: '19870101 201001 1 001' },
  stranger: { email: 'orang.baru@uji.kalteng.go.id', email_verified: true, name: 'Orang Baru' },
  mallory: { email: 'siti.rahmah@uji.kalteng.go.id', email_verified: false, name: 'Bukan Siti' },
  kepala: { email: 'kepala.dc@uji.kalteng.go.id', email_verified: true, name: 'Kepala Pusat Data' },
  nonaktif: { email: 'nonaktif@uji.kalteng.go.id', email_verified: true, name: 'Sudah Keluar' },
  operator: { email: 'operator.sso@uji.kalteng.go.id', email_verified: true, name: 'Operator SSO' },
};

describe('single sign-on with OpenID Connect against a real provider', () => {
  let provider: TestOidcProvider;
  let h: ApiHarness;

  beforeAll(async () => {
    provider = await startTestOidcProvider({ ...CLIENT, redirectUris: [REDIRECT], accounts: ACCOUNTS });
    h = await startApiHarness({
      oidc: {
        OIDC_ISSUER_URL: provider.issuer,
        OIDC_CLIENT_ID: CLIENT.clientId,
        OIDC_CLIENT_SECRET: CLIENT.clientSecret,
        OIDC_REDIRECT_URI: REDIRECT,
        OIDC_SCOPES: ['openid', 'email', 'profile', 'nip'],
        OIDC_NIP_CLAIM: 'nip',
        OIDC_PASSWORD_DISABLED_ROLES: ['dc_head'],
      },
    });
  });
  afterAll(async () => {
    await h?.close();
    await provider?.stop();
  });
  afterEach(() => provider.setFaults({ clockOffsetSeconds: 0, tamperIdToken: false }));

  /** Starts a sign-on in `agent`, logs in at the provider as `login`, and returns the callback URL and Betang's answer to it. */
  async function ssoSignIn(login: string, agent = request.agent(h.app), rewrite: (callback: URL) => void = () => {}) {
    const start = await agent.get('/api/v1/auth/oidc/start');
    expect(start.status).toBe(302);
    const authorizationUrl = new URL(start.headers.location!);
    expect(authorizationUrl.origin).toBe(provider.url);
    expect(authorizationUrl.searchParams.get('code_challenge_method')).toBe('S256');
    const callback = new URL(await signInAtTestProvider(authorizationUrl.toString(), login, REDIRECT));
    rewrite(callback);
    const answer = await agent.get(callback.pathname + callback.search);
    return { agent, callback, answer };
  }

  const sessionsOf = async (userId: string) =>
    Number(
      (
        await h.database.db
          .selectFrom('sessions')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('userId', '=', userId)
          .executeTakeFirstOrThrow()
      ).n,
    );
  const lastAudit = (action: string) =>
    h.database.db
      .selectFrom('auditLog')
      .select(['after', 'actorUserId', 'targetId'])
      .where('action', '=', action)
      .orderBy('id', 'desc')
      .executeTakeFirst();

  it('should say whether SSO is on, and answer 404 to a start when it is off', async () => {
    expect((await request(h.app).get('/api/v1/auth/oidc')).body).toEqual({ enabled: true });
    const off = createApp({ ...h.deps, config: { ...h.deps.config, OIDC_ISSUER_URL: undefined } });
    expect((await request(off).get('/api/v1/auth/oidc')).body).toEqual({ enabled: false });
    const start = await request(off).get('/api/v1/auth/oidc/start').set('Accept-Language', 'id');
    expect(start.status).toBe(404);
    expect(start.body.error.message).toMatch(/SSO/);
  });

  it('should link a person by verified e-mail, create a normal session, and use the link next time', async () => {
    const institution = await makeInstitution(h.database.db);
    const siti = await makeUser(h.database.db, {
      roles: [Role.InstitutionStaff],
      institutionId: institution.id,
      email: 'siti.rahmah@uji.kalteng.go.id',
    });
    const { agent, answer } = await ssoSignIn('siti');
    expect(answer.status).toBe(302);
    expect(answer.headers.location).toBe('/');
    const me = await agent.get('/api/v1/me');
    expect(me.status).toBe(200);
    expect(me.body.user.id).toBe(siti.id);
    expect(me.body.csrfToken).toEqual(expect.any(String));
    expect(await lastAudit('auth.sso_linked')).toMatchObject({ targetId: siti.id, after: { by: 'email', subject: 'siti' } });
    expect(await lastAudit('auth.login_succeeded')).toMatchObject({ actorUserId: siti.id, after: { method: 'oidc' } });

    // A second person claiming the same address without the provider verifying it gets nothing.
    const mallory = await ssoSignIn('mallory');
    expect(mallory.answer.headers.location).toBe('/sso/pending');
    expect((await mallory.agent.get('/api/v1/me')).status).toBe(401);

    const again = await ssoSignIn('siti');
    expect(again.answer.headers.location).toBe('/');
    expect(await sessionsOf(siti.id)).toBe(2);
  });

  it('should link by NIP when the e-mail is not verified', async () => {
    const budi = await makeUser(h.database.db, { roles: [Role.Operator], email: 'budi.santoso@uji.kalteng.go.id' });
    await h.database.db.updateTable('users').set({ nip: NIP }).where('id', '=', budi.id).execute();
    const { agent, answer } = await ssoSignIn('budi');
    expect(answer.headers.location).toBe('/');
    expect((await agent.get('/api/v1/me')).body.user.id).toBe(budi.id);
    expect(await lastAudit('auth.sso_linked')).toMatchObject({ targetId: budi.id, after: { by: 'nip' } });
  });

  it('should refuse a response from another issuer (mix-up) and a provider whose discovery names another issuer', async () => {
    const before = await h.database.db
      .selectFrom('sessions')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    const { answer, agent } = await ssoSignIn('siti', undefined, (callback) =>
      callback.searchParams.set('iss', 'http://127.0.0.1:1/realms/palsu'),
    );
    expect(answer.headers.location).toBe('/sso/failed?reason=invalid');
    expect(String(answer.headers['set-cookie'] ?? '')).not.toMatch(/betang_session=[^;]/);
    expect((await agent.get('/api/v1/me')).status).toBe(401);
    expect((await lastAudit('auth.sso_failed'))?.after).toMatchObject({ reason: 'issuer_mismatch' });
    const after = await h.database.db
      .selectFrom('sessions')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);

    // A provider that cannot be reached (nothing listens on port 1): a clear page, audited, tried again next time.
    const down = createApp({ ...h.deps, config: { ...h.deps.config, OIDC_ISSUER_URL: 'http://127.0.0.1:1' } });
    for (let attempt = 0; attempt < 2; attempt++) {
      const refused = await request(down).get('/api/v1/auth/oidc/start');
      expect(refused.headers.location).toBe('/sso/failed?reason=unavailable');
      expect((await lastAudit('auth.sso_failed'))?.after).toMatchObject({ reason: 'provider_unreachable' });
    }

    const other = await startTestOidcProvider({ ...CLIENT, redirectUris: [REDIRECT], accounts: ACCOUNTS, issuerSuffix: '/realms/lain' });
    try {
      const app = createApp({ ...h.deps, config: { ...h.deps.config, OIDC_ISSUER_URL: other.url } });
      const start = await request(app).get('/api/v1/auth/oidc/start');
      expect(start.status).toBe(302);
      expect(start.headers.location).toBe('/sso/failed?reason=unavailable');
      expect((await lastAudit('auth.sso_failed'))?.after).toMatchObject({ reason: 'issuer_mismatch' });
    } finally {
      await other.stop();
    }
  });

  it('should refuse an expired ID token', async () => {
    await provider.setFaults({ clockOffsetSeconds: -2 * 3600 });
    const { answer, agent } = await ssoSignIn('siti');
    expect(answer.headers.location).toBe('/sso/failed?reason=invalid');
    expect((await agent.get('/api/v1/me')).status).toBe(401);
    expect((await lastAudit('auth.sso_failed'))?.after).toMatchObject({ reason: 'token_expired' });
  });

  it('should refuse an ID token whose claims were changed after signing', async () => {
    await provider.setFaults({ tamperIdToken: true });
    const { answer, agent } = await ssoSignIn('siti');
    expect(answer.headers.location).toBe('/sso/failed?reason=invalid');
    expect((await agent.get('/api/v1/me')).status).toBe(401);
    expect((await lastAudit('auth.sso_failed'))?.after).toMatchObject({ reason: 'bad_signature' });
  });

  it('should accept a state once: a replayed callback and a callback in another browser get no session', async () => {
    const { callback, answer } = await ssoSignIn('siti');
    expect(answer.headers.location).toBe('/');
    const siti = (
      await h.database.db.selectFrom('users').select('id').where('email', '=', 'siti.rahmah@uji.kalteng.go.id').executeTakeFirstOrThrow()
    ).id;
    const sessions = await sessionsOf(siti);

    // The attacker replays the whole callback with the state cookie it carried.
    const replay = await request(h.app)
      .get(callback.pathname + callback.search)
      .set('Cookie', `betang_oidc_state=${callback.searchParams.get('state')}`);
    expect(replay.headers.location).toBe('/sso/failed?reason=expired');
    expect((await lastAudit('auth.sso_failed'))?.after).toMatchObject({ reason: 'state_reused_or_expired' });

    // A fresh state whose callback arrives in a browser that did not start it (login CSRF).
    const agent = request.agent(h.app);
    const start = await agent.get('/api/v1/auth/oidc/start');
    const fresh = new URL(await signInAtTestProvider(start.headers.location!, 'siti', REDIRECT));
    const elsewhere = await request(h.app).get(fresh.pathname + fresh.search);
    expect(elsewhere.headers.location).toBe('/sso/failed?reason=expired');
    expect((await lastAudit('auth.sso_failed'))?.after).toMatchObject({ reason: 'state_mismatch' });
    expect(await sessionsOf(siti)).toBe(sessions);
  });

  it('should keep an unknown person pending with no session until an admin gives them an institution and a role', async () => {
    const { agent, answer } = await ssoSignIn('stranger');
    expect(answer.headers.location).toBe('/sso/pending');
    expect(String(answer.headers['set-cookie'] ?? '')).not.toMatch(/betang_session=[^;]/);
    expect((await agent.get('/api/v1/me')).status).toBe(401);
    expect(
      await h.database.db.selectFrom('users').select('id').where('email', '=', 'orang.baru@uji.kalteng.go.id').executeTakeFirst(),
    ).toBeUndefined();

    const admin = await makeUser(h.database.db, { roles: [Role.Admin] });
    const staff = await makeUser(h.database.db, { roles: [Role.Operator] });
    const adminSession = await signInAs(h.app, admin.email);
    expect((await (await signInAs(h.app, staff.email)).agent.get('/api/v1/sso/identities')).status).toBe(403);
    const list = await adminSession.agent.get('/api/v1/sso/identities');
    expect(list.status).toBe(200);
    const pending = list.body.items.find((item: { subject: string }) => item.subject === 'stranger');
    expect(pending).toMatchObject({
      email: 'orang.baru@uji.kalteng.go.id',
      emailVerified: true,
      name: 'Orang Baru',
      issuer: provider.issuer,
    });

    const institution = await makeInstitution(h.database.db);
    const assign = (body: object) =>
      adminSession.agent.post(`/api/v1/sso/identities/${pending.id}/assign`).set('X-CSRF-Token', adminSession.csrfToken).send(body);
    const wrongRole = await assign({ institutionId: institution.id, roles: [Role.Operator] });
    expect(wrongRole.status).toBe(400);
    const assigned = await assign({ institutionId: institution.id, roles: [Role.InstitutionStaff] });
    expect(assigned.status).toBe(200);
    expect(assigned.body).toMatchObject({
      email: 'orang.baru@uji.kalteng.go.id',
      institutionId: institution.id,
      roles: [Role.InstitutionStaff],
    });
    expect((await assign({ institutionId: institution.id, roles: [Role.InstitutionStaff] })).status).toBe(409);
    expect(await lastAudit('sso.identity_assigned')).toMatchObject({ actorUserId: admin.id, targetId: assigned.body.id });
    expect((await adminSession.agent.get('/api/v1/sso/identities')).body.items.map((i: { id: string }) => i.id)).not.toContain(pending.id);

    const next = await ssoSignIn('stranger');
    expect(next.answer.headers.location).toBe('/');
    expect((await next.agent.get('/api/v1/me')).body.user.id).toBe(assigned.body.id);
  });

  it('should link a waiting person to an existing user when the admin says so', async () => {
    const { answer } = await ssoSignIn('mallory');
    expect(answer.headers.location).toBe('/sso/pending');
    const admin = await makeUser(h.database.db, { roles: [Role.Admin] });
    const session = await signInAs(h.app, admin.email);
    const identity = (await session.agent.get('/api/v1/sso/identities')).body.items.find(
      (i: { subject: string }) => i.subject === 'mallory',
    );
    const target = await makeUser(h.database.db, { roles: [Role.Auditor] });
    const linked = await session.agent
      .post(`/api/v1/sso/identities/${identity.id}/assign`)
      .set('X-CSRF-Token', session.csrfToken)
      .send({ userId: target.id });
    expect(linked.status).toBe(200);
    expect(linked.body.id).toBe(target.id);
    const missing = await session.agent
      .post('/api/v1/sso/identities/00000000-0000-4000-8000-000000000000/assign')
      .set('X-CSRF-Token', session.csrfToken)
      .send({ userId: target.id });
    expect(missing.status).toBe(404);
  });

  it('should refuse a password to an SSO-only role (only after the right password) and let it in through SSO', async () => {
    const head = await makeUser(h.database.db, { roles: [Role.DcHead], email: 'kepala.dc@uji.kalteng.go.id' });
    const wrong = await request(h.app).post('/api/v1/auth/login').send({ email: head.email, password: 'salah-sekali-123456' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('INVALID_CREDENTIALS');
    const right = await request(h.app)
      .post('/api/v1/auth/login')
      .set('Accept-Language', 'id')
      .send({ email: head.email, password: TEST_PASSWORD });
    expect(right.status).toBe(403);
    expect(right.body.error.message).toMatch(/wajib masuk melalui SSO/);
    expect(String(right.headers['set-cookie'] ?? '')).not.toMatch(/betang_session=[^;]/);
    expect(await lastAudit('auth.login_failed')).toMatchObject({ targetId: head.id, after: { reason: 'sso_required' } });

    // No reset link either: it would set a password that cannot be used (the same answer as for anyone).
    const forgot = await request(h.app).post('/api/v1/auth/password/forgot').send({ email: head.email });
    expect(forgot.status).toBe(202);
    const mails = await h.database.db.selectFrom('outbox').select('payload').where('topic', '=', 'email').execute();
    expect(mails.filter((row) => (row.payload as { to: string[] }).to.includes(head.email))).toEqual([]);
    expect(await lastAudit('auth.password_reset_requested')).toMatchObject({ targetId: head.id, after: { outcome: 'sso_required' } });

    const { agent, answer } = await ssoSignIn('kepala');
    expect(answer.headers.location).toBe('/');
    expect((await agent.get('/api/v1/me')).body.user.id).toBe(head.id);
  });

  it('should answer a cancelled sign-in, a hostile callback and too many starts clearly, with nothing written', async () => {
    const agent = request.agent(h.app);
    const start = await agent.get('/api/v1/auth/oidc/start');
    const state = new URL(start.headers.location!).searchParams.get('state')!;
    const cancelled = await agent.get(
      `/api/v1/auth/oidc/callback?error=access_denied&state=${state}&iss=${encodeURIComponent(provider.issuer)}`,
    );
    expect(cancelled.headers.location).toBe('/sso/failed?reason=invalid');
    expect((await lastAudit('auth.sso_failed'))?.after).toMatchObject({ reason: 'provider_error' });
    const identities = await h.database.db
      .selectFrom('oidcIdentities')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    for (const query of ['', '?state=', `?state=${'x'.repeat(5000)}`, '?state[]=a&state[]=b&code=c', '?code=%ZZ&state=%00']) {
      const answer = await request(h.app).get(`/api/v1/auth/oidc/callback${query}`).set('Cookie', 'betang_oidc_state=a');
      expect([302, 400]).toContain(answer.status);
      if (answer.status === 302) expect(answer.headers.location).toBe('/sso/failed?reason=expired');
    }
    expect(
      await h.database.db
        .selectFrom('oidcIdentities')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow(),
    ).toEqual(identities);

    const limited = createApp({ ...h.deps, rateLimits: { oidcPerIp: { name: 'oidc-ip-test', limit: 2, windowSeconds: 60 } } });
    expect((await request(limited).get('/api/v1/auth/oidc/start')).status).toBe(302);
    expect((await request(limited).get('/api/v1/auth/oidc/start')).status).toBe(302);
    const refused = await request(limited).get('/api/v1/auth/oidc/start');
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('RATE_LIMITED');
  });

  it("should not hold an SSO session to Betang's TOTP enrolment, while a password session of the same user is", async () => {
    const operator = await makeUser(h.database.db, { roles: [Role.Operator], email: 'operator.sso@uji.kalteng.go.id' });
    const totpApp = createApp({ ...h.deps, config: { ...h.deps.config, TOTP_REQUIRED_ROLES: ['operator'] } });
    const { agent, answer } = await ssoSignIn('operator', request.agent(totpApp));
    expect(answer.headers.location).toBe('/');
    expect((await agent.get('/api/v1/me')).body).toMatchObject({ user: { id: operator.id }, totpEnrolmentRequired: false });
    expect((await agent.get('/api/v1/me/tokens')).status).toBe(200);
    const session = await h.database.db
      .selectFrom('sessions')
      .select('authMethod')
      .where('userId', '=', operator.id)
      .executeTakeFirstOrThrow();
    expect(session.authMethod).toBe('oidc');

    const byPassword = await signInAs(totpApp, operator.email);
    expect((await byPassword.agent.get('/api/v1/me')).body.totpEnrolmentRequired).toBe(true);
    const refused = await byPassword.agent.get('/api/v1/me/tokens');
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('TOTP_ENROLMENT_REQUIRED');
  });

  it('should give a deactivated linked user nothing', async () => {
    const gone = await makeUser(h.database.db, { roles: [Role.Auditor], email: 'nonaktif@uji.kalteng.go.id' });
    expect((await ssoSignIn('nonaktif')).answer.headers.location).toBe('/');
    await h.database.db.updateTable('users').set({ isActive: false }).where('id', '=', gone.id).execute();
    const { answer, agent } = await ssoSignIn('nonaktif');
    expect(answer.headers.location).toBe('/sso/failed?reason=inactive');
    expect((await agent.get('/api/v1/me')).status).toBe(401);
  });
});
