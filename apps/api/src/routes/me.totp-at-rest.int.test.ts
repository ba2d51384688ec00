import { randomBytes, randomUUID } from 'node:crypto';
import { Role } from '@betang/core';
import { createDatabase, migrateToLatest, migrateUpTo } from '@betang/db';
import { adminQuery, databaseUrl, makeUser, TEST_PASSWORD, TEST_SIGNING_MASTER_SECRET } from '@betang/testkit';
import { sql } from 'kysely';
import { pino } from 'pino';
import request from 'supertest';
import { createApp } from '../app';
import { hashPassword } from '../security/password';
import { newTotpSecret, totpCode } from '../security/totp';
import { sealPlainTotpSecrets, TotpSecretBox } from '../security/totp-secret-box';
import { signInAs, startApiHarness, type ApiHarness } from '../testing/api-harness';

jest.setTimeout(60_000);

const storedSecret = async (h: Pick<ApiHarness, 'database'>, userId: string) =>
  (await h.database.db.selectFrom('users').select('totpSecret').where('id', '=', userId).executeTakeFirstOrThrow()).totpSecret;

describe('TOTP secrets at rest: sealed under a key derived from SIGNING_MASTER_SECRET', () => {
  let h: ApiHarness;
  const box = new TotpSecretBox(TEST_SIGNING_MASTER_SECRET);
  beforeAll(async () => {
    h = await startApiHarness();
  });
  afterAll(() => h.close());

  it('should never store an enrolled or replaced secret in plain text (column or audit log)', async () => {
    const user = await makeUser(h.database.db, { roles: [Role.Auditor] });
    const session = await signInAs(h.app, user.email);
    const first = (await session.agent.post('/api/v1/me/totp/secret').set('X-CSRF-Token', session.csrfToken).expect(200)).body
      .secret as string;
    await session.agent
      .post('/api/v1/me/totp')
      .set('X-CSRF-Token', session.csrfToken)
      .send({ secret: first, code: totpCode(first), password: TEST_PASSWORD })
      .expect(204);
    const sealed = await storedSecret(h, user.id);
    expect(sealed).toMatch(/^enc:v1:[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain(first);
    expect(box.open(user.id, sealed!)).toBe(first);

    const second = (await session.agent.post('/api/v1/me/totp/secret').set('X-CSRF-Token', session.csrfToken).expect(200)).body
      .secret as string;
    await session.agent
      .post('/api/v1/me/totp')
      .set('X-CSRF-Token', session.csrfToken)
      .send({ secret: second, code: totpCode(second), password: TEST_PASSWORD, currentCode: totpCode(first, Date.now() + 30_000) })
      .expect(204);
    const resealed = await storedSecret(h, user.id);
    expect(resealed).toMatch(/^enc:v1:/);
    expect(resealed).not.toContain(second);
    const audit = JSON.stringify(await h.database.db.selectFrom('auditLog').selectAll().where('targetId', '=', user.id).execute());
    expect(audit).not.toContain(first);
    expect(audit).not.toContain(second);
  });

  it('should seal a plain secret the first time it is used, and still sign its user in', async () => {
    const secret = newTotpSecret();
    const user = await makeUser(h.database.db, { roles: [Role.DcHead], totpSecret: secret });
    expect(await storedSecret(h, user.id)).toBe(secret);
    await request(h.app)
      .post('/api/v1/auth/login')
      .send({ email: user.email, password: TEST_PASSWORD, totp: totpCode(secret) })
      .expect(200);
    const sealed = await storedSecret(h, user.id);
    expect(sealed).toMatch(/^enc:v1:/);
    expect(box.open(user.id, sealed!)).toBe(secret);
    await request(h.app)
      .post('/api/v1/auth/login')
      .send({ email: user.email, password: TEST_PASSWORD, totp: totpCode(secret, Date.now() + 30_000) })
      .expect(200);
  });

  it("should bind a sealed secret to its user: it does not open in another user's row", () => {
    const sealed = box.seal(randomUUID(), newTotpSecret());
    expect(() => box.open(randomUUID(), sealed)).toThrow(/does not authenticate/);
    expect(() => new TotpSecretBox(`${TEST_SIGNING_MASTER_SECRET}-anders`).open(randomUUID(), sealed)).toThrow(/does not authenticate/);
  });
});

describe('TOTP users from before the migration', () => {
  const name = `betang_t_mig_${randomBytes(5).toString('hex')}`;
  let db: ReturnType<typeof createDatabase>;
  beforeAll(async () => {
    await adminQuery(`CREATE DATABASE ${name}`);
    db = createDatabase({ connectionString: databaseUrl(name), poolMax: 4 });
  });
  afterAll(async () => {
    await db.destroy();
    await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });

  it('should still sign in after 20261207T0100 and the API start, with the secret sealed and the old lock gone', async () => {
    await migrateUpTo(db, '20261128T0010_auth_security');
    const secret = newTotpSecret();
    const hash = await hashPassword(TEST_PASSWORD);
    const id = randomUUID();
    // The row as the code before wrote it: plain secret, and a running account lock.
    await sql`INSERT INTO users (id, email, name, password_hash, totp_secret, failed_logins, locked_until)
              VALUES (${id}, 'kepala.lama@uji.kalteng.go.id', 'Kepala Lama', ${hash}, ${secret}, 7, now() + interval '1 hour')`.execute(db);
    await sql`INSERT INTO user_roles (user_id, role) VALUES (${id}, 'dc_head')`.execute(db);

    await migrateToLatest(db);
    expect((await db.selectFrom('users').select('totpSecret').where('id', '=', id).executeTakeFirstOrThrow()).totpSecret).toBe(secret);
    const box = new TotpSecretBox(TEST_SIGNING_MASTER_SECRET);
    expect(await sealPlainTotpSecrets(db, box)).toBe(1);
    expect(await sealPlainTotpSecrets(db, box)).toBe(0);
    const sealed = (await db.selectFrom('users').select('totpSecret').where('id', '=', id).executeTakeFirstOrThrow()).totpSecret!;
    expect(sealed).toMatch(/^enc:v1:/);
    expect(sealed).not.toContain(secret);

    const app = createApp({
      db,
      logger: pino({ level: 'silent' }),
      config: {
        PUBLIC_URL: 'http://127.0.0.1:3000',
        SESSION_TTL_HOURS: 12,
        COOKIE_SECURE: false,
        TRUST_PROXY_HOPS: 0,
        WEB_DIST_DIR: undefined,
        NODE_ENV: 'test',
        SIGNING_MASTER_SECRET: TEST_SIGNING_MASTER_SECRET,
        TOTP_REQUIRED_ROLES: [],
      },
    });
    await request(app)
      .post('/api/v1/auth/login')
      .send({ email: 'kepala.lama@uji.kalteng.go.id', password: TEST_PASSWORD, totp: totpCode(secret) })
      .expect(200);
  });
});
