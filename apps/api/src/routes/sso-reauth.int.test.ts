import { Role } from '@betang/core';
import { insertApplication } from '@betang/db';
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
import { totpCode } from '../security/totp';
import { signInAs, startApiHarness, type ApiHarness } from '../testing/api-harness';

jest.setTimeout(120_000);

const REDIRECT = 'http://127.0.0.1:3000/api/v1/auth/oidc/callback';
const CLIENT = { clientId: 'betang', clientSecret: TEST_OIDC_CLIENT_SECRET };
const TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

/** The people the provider knows, by login name (= subject). */
const ACCOUNTS = {
  kepala: { email: 'kepala.biro@uji.kalteng.go.id', email_verified: true, name: 'Kepala Biro Umum' },
  lain: { email: 'orang.lain@uji.kalteng.go.id', email_verified: true, name: 'Orang Lain' },
  // Both enrolled TOTP in Betang; only the second one's provider login is multi-factor.
  satu: { email: 'satu.faktor@uji.kalteng.go.id', email_verified: true, name: 'Satu Faktor' },
  dua: { email: 'dua.faktor@uji.kalteng.go.id', email_verified: true, name: 'Dua Faktor', amr: ['pwd', 'otp'] },
  tiga: { email: 'tiga.faktor@uji.kalteng.go.id', email_verified: true, name: 'Tiga Satu Faktor' },
};

describe('re-authentication and Betang TOTP through single sign-on, against a real provider', () => {
  let provider: TestOidcProvider;
  let h: ApiHarness;
  let institutionId: string;
  let headId: string;

  beforeAll(async () => {
    provider = await startTestOidcProvider({ ...CLIENT, redirectUris: [REDIRECT], accounts: ACCOUNTS });
    h = await startApiHarness({
      oidc: {
        OIDC_ISSUER_URL: provider.issuer,
        OIDC_CLIENT_ID: CLIENT.clientId,
        OIDC_CLIENT_SECRET: CLIENT.clientSecret,
        OIDC_REDIRECT_URI: REDIRECT,
        // The institution head may not use a Betang password: SSO is their only way.
        OIDC_PASSWORD_DISABLED_ROLES: ['institution_head'],
      },
    });
    const db = h.database.db;
    institutionId = (await makeInstitution(db)).id;
    headId = (await makeUser(db, { roles: [Role.InstitutionHead], institutionId, email: 'kepala.biro@uji.kalteng.go.id' })).id;
    await db.updateTable('users').set({ nip: '197503122000032004', position: 'Kepala Biro' }).where('id', '=', headId).execute();
    await makeUser(db, { roles: [Role.InstitutionStaff], institutionId, email: 'orang.lain@uji.kalteng.go.id' });
    await makeUser(db, { roles: [Role.Operator], email: 'satu.faktor@uji.kalteng.go.id', totpSecret: TOTP_SECRET });
    await makeUser(db, { roles: [Role.Operator], email: 'dua.faktor@uji.kalteng.go.id', totpSecret: TOTP_SECRET });
    await makeUser(db, { roles: [Role.Operator], email: 'tiga.faktor@uji.kalteng.go.id', totpSecret: TOTP_SECRET });
  });
  afterAll(async () => {
    await h?.close();
    await provider?.stop();
  });
  afterEach(() => provider.setFaults({ clockOffsetSeconds: 0, tamperIdToken: false }));

  /** Signs `login` in through the provider in a fresh agent; returns the agent, its session cookie and its CSRF token. */
  async function ssoSession(login: string) {
    const agent = request.agent(h.app);
    const start = await agent.get('/api/v1/auth/oidc/start');
    const callback = new URL(await signInAtTestProvider(start.headers.location!, login, REDIRECT));
    const answer = await agent.get(callback.pathname + callback.search);
    if (answer.headers.location !== '/') throw new Error(`SSO sign-in of ${login}: ${answer.status} ${JSON.stringify(answer.body)}`);
    const sessionCookie = String(answer.headers['set-cookie']).match(/betang_session=([^;]+)/)![1]!;
    const me = await agent.get('/api/v1/me');
    return { agent, sessionCookie, csrfToken: me.body.csrfToken as string, me: me.body };
  }

  /** Starts a re-authentication from `session`, logs in at the provider as `login`, and returns the callback and Betang's answer. */
  async function reauth(session: Awaited<ReturnType<typeof ssoSession>>, login: string, returnTo = '/persetujuan') {
    const started = await session.agent.post('/api/v1/auth/oidc/reauth').set('X-CSRF-Token', session.csrfToken).send({ returnTo });
    expect(started.status).toBe(200);
    const url = new URL(started.body.url);
    expect(url.origin).toBe(provider.url);
    expect(url.searchParams.get('prompt')).toBe('login');
    expect(url.searchParams.get('max_age')).toBe('0');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('nonce')).toEqual(expect.any(String));
    const callback = new URL(await signInAtTestProvider(url.toString(), login, REDIRECT));
    const answer = await session.agent.get(callback.pathname + callback.search);
    return { callback, answer };
  }

  const changePassword = (session: Awaited<ReturnType<typeof ssoSession>>, body: Record<string, unknown>) =>
    session.agent.post('/api/v1/me/password').set('X-CSRF-Token', session.csrfToken).set('Accept-Language', 'id').send(body);
  const lastAudit = (action: string) =>
    h.database.db
      .selectFrom('auditLog')
      .select(['after', 'actorUserId', 'targetId'])
      .where('action', '=', action)
      .orderBy('id', 'desc')
      .executeTakeFirst();
  const reauthUntilOf = async (sessionCookie: string) =>
    (await request(h.app).get('/api/v1/me').set('Cookie', `betang_session=${sessionCookie}`)).body.reauth;

  it('should let an SSO-only head sign an agreement after signing in again at the provider', async () => {
    const db = h.database.db;
    const applicationId = (
      await insertApplication(db, institutionId, {
        name: 'Portal Biro',
        kind: 'khusus',
        picName: 'Budi',
        picNip: '198001012005011001',
        picEmail: 'budi@kalteng.go.id',
        developerType: 'internal',
        userType: 'public',
        status: 'active',
        dataClassification: 'rendah',
        url: 'https://portalbiro.kalteng.go.id',
      })
    ).id;
    const operator = await signInAs(h.app, (await makeUser(db, { roles: [Role.Operator] })).email);
    const dcHead = await makeUser(db, { roles: [Role.DcHead] });
    await db
      .updateTable('users')
      .set({ nip: '197108151998031005', position: 'Kepala Dinas Kominfosantik' })
      .where('id', '=', dcHead.id)
      .execute();
    const created = await operator.agent
      .post('/api/v1/agreements')
      .set('X-CSRF-Token', operator.csrfToken)
      .send({
        institutionId,
        ceiling: { cores: 4, memoryMiB: 8192, diskGiB: 100, vmCount: 2, ipCount: 1 },
        applicationIds: [applicationId],
        osTemplates: ['Debian 12'],
      });
    if (created.status !== 201) throw new Error(`agreement: ${created.status} ${JSON.stringify(created.body)}`);
    const agreementId = created.body.id as string;

    const head = await ssoSession('kepala');
    expect(head.me.reauth).toEqual({ password: false, sso: true, ssoUntil: null, ssoMultiFactor: false });
    const sign = () =>
      head.agent
        .post(`/api/v1/agreements/${agreementId}/signatures`)
        .set('X-CSRF-Token', head.csrfToken)
        .set('Accept-Language', 'id')
        .send({ consent: true });
    const before = await sign();
    expect(before.status).toBe(401);
    expect(before.body.error.message).toMatch(/masuk ulang melalui SSO/);
    expect(await lastAudit('agreement.sign_failed')).toMatchObject({ after: { reason: 'reauth_required', method: 'sso' } });
    // Its role's password is turned off: the right Betang password does not stand in at signing either.
    const withPassword = await head.agent
      .post(`/api/v1/agreements/${agreementId}/signatures`)
      .set('X-CSRF-Token', head.csrfToken)
      .set('Accept-Language', 'en')
      .send({ consent: true, password: TEST_PASSWORD });
    expect(withPassword.status).toBe(401);
    expect(withPassword.body.error.message).toBe('Your role does not use a Betang password; sign in again through SSO, then try again.');
    expect(await lastAudit('agreement.sign_failed')).toMatchObject({ after: { reason: 'password_disabled' } });

    const { answer } = await reauth(head, 'kepala', `/persetujuan/${agreementId}`);
    expect(answer.status).toBe(302);
    expect(answer.headers.location).toBe(`/persetujuan/${agreementId}?reauth=ok`);
    expect(await lastAudit('auth.reauthenticated')).toMatchObject({ actorUserId: headId, after: { method: 'oidc', multiFactor: false } });
    const window = await reauthUntilOf(head.sessionCookie);
    expect(new Date(window.ssoUntil).getTime()).toBeGreaterThan(Date.now() + 60_000);
    expect(new Date(window.ssoUntil).getTime()).toBeLessThanOrEqual(Date.now() + 5 * 60_000);

    const signed = await sign();
    expect(signed.status).toBe(201);
    expect(signed.body.status).toBe('awaiting_dc_head');
    expect(signed.body.signatures[0]).toMatchObject({ role: 'institution_head' });

    // Another browser of the same person did not re-authenticate: its session still needs it.
    const other = await ssoSession('kepala');
    const elsewhere = await changePassword(other, { newPassword: 'Sandi-Baru-Yang-Panjang-2026!' });
    expect(elsewhere.status).toBe(401);
  });

  it('should refuse a login at the provider that is not fresh (auth_time too old) and leave the session as it was', async () => {
    const head = await ssoSession('kepala');
    // The provider's clock runs ten minutes behind: its login looks ten minutes old (tokens are still valid).
    await provider.setFaults({ clockOffsetSeconds: -600 });
    const { answer } = await reauth(head, 'kepala');
    expect(answer.headers.location).toBe('/persetujuan?reauth=refused');
    expect(await lastAudit('auth.reauth_failed')).toMatchObject({ actorUserId: headId, after: { reason: 'stale_auth_time' } });
    expect((await reauthUntilOf(head.sessionCookie)).ssoUntil).toBeNull();
    expect((await changePassword(head, { newPassword: 'Sandi-Baru-Yang-Panjang-2026!' })).status).toBe(401);
    expect((await head.agent.get('/api/v1/me')).status).toBe(200);
  });

  it('should refuse another person logging in at the provider, and keep the session unchanged', async () => {
    const head = await ssoSession('kepala');
    const { answer } = await reauth(head, 'lain');
    expect(answer.headers.location).toBe('/persetujuan?reauth=refused');
    expect(await lastAudit('auth.reauth_failed')).toMatchObject({ actorUserId: headId, after: { reason: 'subject_mismatch' } });
    const me = await head.agent.get('/api/v1/me');
    expect(me.status).toBe(200);
    expect(me.body.user.id).toBe(headId);
    expect(me.body.reauth.ssoUntil).toBeNull();
    expect((await changePassword(head, { newPassword: 'Sandi-Baru-Yang-Panjang-2026!' })).status).toBe(401);
  });

  it('should accept a re-authentication state once, and only in the session that started it', async () => {
    const head = await ssoSession('kepala');
    const { callback, answer } = await reauth(head, 'kepala');
    expect(answer.headers.location).toBe('/persetujuan?reauth=ok');
    const until = (await reauthUntilOf(head.sessionCookie)).ssoUntil;

    // Replayed with both the state cookie and the session cookie: the state was taken.
    const replay = await request(h.app)
      .get(callback.pathname + callback.search)
      .set('Cookie', `betang_oidc_state=${callback.searchParams.get('state')}; betang_session=${head.sessionCookie}`);
    expect(replay.headers.location).toBe('/sso/failed?reason=expired');
    expect((await lastAudit('auth.sso_failed'))?.after).toMatchObject({ reason: 'state_reused_or_expired' });
    expect((await reauthUntilOf(head.sessionCookie)).ssoUntil).toBe(until);

    // A fresh re-authentication whose callback arrives with another session (someone else's browser).
    const stranger = await ssoSession('lain');
    const started = await head.agent.post('/api/v1/auth/oidc/reauth').set('X-CSRF-Token', head.csrfToken).send({});
    const fresh = new URL(await signInAtTestProvider(started.body.url, 'kepala', REDIRECT));
    const wrongBrowser = await request(h.app)
      .get(fresh.pathname + fresh.search)
      .set('Cookie', `betang_oidc_state=${fresh.searchParams.get('state')}; betang_session=${stranger.sessionCookie}`);
    expect(wrongBrowser.headers.location).toBe('/?reauth=failed');
    expect((await lastAudit('auth.reauth_failed'))?.after).toMatchObject({ reason: 'session_mismatch' });
    expect((await reauthUntilOf(stranger.sessionCookie)).ssoUntil).toBeNull();
  });

  it('should refuse hostile return paths, tokens, and a start without CSRF', async () => {
    const head = await ssoSession('kepala');
    for (const returnTo of [
      'https://jahat.example/',
      '//jahat.example/',
      '/\\jahat.example',
      'persetujuan',
      `/${'a'.repeat(600)}`,
      '/a b',
    ]) {
      const response = await head.agent.post('/api/v1/auth/oidc/reauth').set('X-CSRF-Token', head.csrfToken).send({ returnTo });
      expect(response.status).toBe(400);
    }
    expect((await head.agent.post('/api/v1/auth/oidc/reauth').send({})).status).toBe(403);
    expect((await request(h.app).post('/api/v1/auth/oidc/reauth').send({})).status).toBe(401);
  });

  it('should let a user with a Betang password keep using it, and change it through SSO when they have none to give', async () => {
    const staff = await ssoSession('lain');
    expect(staff.me.reauth).toMatchObject({ password: true, sso: true });
    const without = await changePassword(staff, { newPassword: 'Sandi-Baru-Yang-Panjang-2026!' });
    expect(without.status).toBe(401);
    expect(without.body.error.details).toMatchObject({ reason: 'reauth_required' });
    expect((await changePassword(staff, { currentPassword: 'salah', newPassword: 'Sandi-Baru-Yang-Panjang-2026!' })).status).toBe(401);
    await reauth(staff, 'lain');
    expect((await changePassword(staff, { newPassword: 'Sandi-Baru-Yang-Panjang-2026!' })).status).toBe(200);
    expect((await signInAs(h.app, 'orang.lain@uji.kalteng.go.id', 'Sandi-Baru-Yang-Panjang-2026!')).csrfToken).toEqual(expect.any(String));
  });

  it("should ask Betang's TOTP after a one-factor login at the provider, and only then open a session", async () => {
    const agent = request.agent(h.app);
    const start = await agent.get('/api/v1/auth/oidc/start');
    const callback = new URL(await signInAtTestProvider(start.headers.location!, 'satu', REDIRECT));
    const answer = await agent.get(callback.pathname + callback.search);
    expect(answer.headers.location).toBe('/sso/totp');
    const waiting = String(answer.headers['set-cookie']).match(/betang_oidc_2fa=([^;]+)/)![1]!;
    expect(String(answer.headers['set-cookie'])).not.toMatch(/betang_session=[^;]/);
    expect((await agent.get('/api/v1/me')).status).toBe(401);

    const wrong = await agent.post('/api/v1/auth/oidc/totp').set('Accept-Language', 'en').send({ code: '000000' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.message).toMatch(/Wrong TOTP code/);
    expect(await lastAudit('auth.login_failed')).toMatchObject({ after: { reason: 'wrong_totp', method: 'oidc' } });
    expect((await agent.post('/api/v1/auth/oidc/totp').send({ code: '12345; rm -rf /' })).status).toBe(400);

    const right = await agent.post('/api/v1/auth/oidc/totp').send({ code: totpCode(TOTP_SECRET) });
    expect(right.status).toBe(200);
    expect(right.body.user.email).toBe('satu.faktor@uji.kalteng.go.id');
    expect((await agent.get('/api/v1/me')).status).toBe(200);
    expect(await lastAudit('auth.login_succeeded')).toMatchObject({ after: { method: 'oidc', secondFactor: 'betang_totp' } });
    // The waiting sign-on was taken: the same cookie cannot make a second session.
    const again = await request(h.app)
      .post('/api/v1/auth/oidc/totp')
      .set('Cookie', `betang_oidc_2fa=${waiting}`)
      .send({ code: totpCode(TOTP_SECRET, Date.now() + 30_000) });
    expect(again.status).toBe(409);
    // Without the cookie there is nothing to finish.
    expect(
      (
        await request(h.app)
          .post('/api/v1/auth/oidc/totp')
          .send({ code: totpCode(TOTP_SECRET) })
      ).status,
    ).toBe(409);
  });

  it("should not ask Betang's TOTP again when the provider's login was multi-factor (amr)", async () => {
    const session = await ssoSession('dua');
    expect(session.me.user.email).toBe('dua.faktor@uji.kalteng.go.id');
    expect(await lastAudit('auth.login_succeeded')).toMatchObject({ after: { method: 'oidc', secondFactor: 'provider' } });
    // A multi-factor re-authentication also stands in for the TOTP code of a sensitive action.
    await reauth(session, 'dua');
    expect((await reauthUntilOf(session.sessionCookie)).ssoMultiFactor).toBe(true);
    const disabled = await session.agent
      .post('/api/v1/me/totp/disable')
      .set('X-CSRF-Token', session.csrfToken)
      .send({ code: totpCode(TOTP_SECRET) });
    expect(disabled.status).toBe(204);
  });

  it('should still want the TOTP code at a sensitive action after a one-factor re-authentication', async () => {
    const agent = request.agent(h.app);
    const start = await agent.get('/api/v1/auth/oidc/start');
    const callback = new URL(await signInAtTestProvider(start.headers.location!, 'tiga', REDIRECT));
    await agent.get(callback.pathname + callback.search);
    const signedIn = await agent.post('/api/v1/auth/oidc/totp').send({ code: totpCode(TOTP_SECRET) });
    expect(signedIn.status).toBe(200);
    const session = { agent, csrfToken: signedIn.body.csrfToken as string, sessionCookie: '', me: {} };
    await reauth(session, 'tiga');
    const secret = await agent.post('/api/v1/me/totp/secret').set('X-CSRF-Token', session.csrfToken);
    const replace = (body: Record<string, unknown>) =>
      agent
        .post('/api/v1/me/totp')
        .set('X-CSRF-Token', session.csrfToken)
        .send({ secret: secret.body.secret, code: totpCode(secret.body.secret), ...body });
    expect((await replace({})).status).toBe(400);
    expect((await replace({ currentCode: '000000' })).status).toBe(401);
    expect((await replace({ currentCode: totpCode(TOTP_SECRET, Date.now() + 30_000) })).status).toBe(204);
  });
});
