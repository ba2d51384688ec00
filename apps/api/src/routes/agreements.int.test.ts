import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Role, agreementCovers, todayInJakarta } from '@betang/core';
import { findAgreementInForce, insertApplication, type Db } from '@betang/db';
import { createInternalCaSigner, createSigningCa, issueSignerCredential, signPdfIncrementally } from '@betang/documents';
import { makeInstitution, makeUser } from '@betang/testkit';
import request from 'supertest';
import { signInAs, startApiHarness, type ApiHarness, type SignedIn } from '../testing/api-harness';
import { totpCode } from '../security/totp';
import { binaryBody } from '../testing/response-bodies';

/** Runs poppler's pdfsig on the bytes; returns each signature's validation line and the whole output. */
function pdfsig(pdf: Buffer): { validations: string[]; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'betang-agr-'));
  try {
    writeFileSync(join(dir, 'a.pdf'), pdf);
    const r = spawnSync('pdfsig', [join(dir, 'a.pdf')], { encoding: 'utf8', timeout: 30_000 });
    if (r.error) throw r.error;
    return {
      validations: [...r.stdout.matchAll(/Signature Validation: (.+)/g)].map((m) => m[1]!.trim()),
      output: `${r.stdout}\n${r.stderr}`,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const app = (name: string) => ({
  name,
  kind: 'khusus' as const,
  picName: 'Budi',
  picNip: '198001012005011001',
  picEmail: 'budi@kalteng.go.id',
  developerType: 'internal' as const,
  userType: 'public' as const,
  status: 'active' as const,
  dataClassification: 'rendah' as const,
  url: `https://${name.toLowerCase().replace(/\W+/g, '')}.kalteng.go.id`,
});

const ceiling = { cores: 8, memoryMiB: 16384, diskGiB: 200, vmCount: 4, ipCount: 2 };

async function head(db: Db, role: Role, institutionId: string | null, nip: string, extra: { totpSecret?: string } = {}) {
  const user = await makeUser(db, { roles: [role], institutionId, ...extra });
  await db
    .updateTable('users')
    .set({ nip, position: role === Role.DcHead ? 'Kepala Dinas Kominfosantik' : 'Kepala Biro' })
    .where('id', '=', user.id)
    .execute();
  return user;
}

jest.setTimeout(60_000);

describe('agreements', () => {
  let h: ApiHarness;
  let instA: string;
  let instB: string;
  let appA: string;
  let appB: string;
  let operator: SignedIn;
  let admin: SignedIn;
  let headA: SignedIn;
  let headB: SignedIn;
  let staffA: SignedIn;
  let dcHead: SignedIn;
  let dcHeadEmail: string;
  let agreementA: string;
  let signedPdf: Buffer;

  const sign = (who: SignedIn, id: string, body: Record<string, unknown>) =>
    who.agent.post(`/api/v1/agreements/${id}/signatures`).set('X-CSRF-Token', who.csrfToken).set('User-Agent', 'uji-betang/1.0').send(body);
  const download = async (who: SignedIn, id: string) =>
    (await who.agent.get(`/api/v1/agreements/${id}/document`).buffer(true).parse(binaryBody)).body as Buffer;
  const create = (institutionId: string, applicationIds: string[]) =>
    operator.agent
      .post('/api/v1/agreements')
      .set('X-CSRF-Token', operator.csrfToken)
      .send({ institutionId, ceiling, applicationIds, osTemplates: ['Debian 12', 'Ubuntu 24.04 LTS'] });
  const verify = (pdf: Buffer) => request(h.app).post('/api/v1/verify').set('Content-Type', 'application/pdf').send(pdf);

  beforeAll(async () => {
    h = await startApiHarness();
    const db = h.database.db;
    instA = (await makeInstitution(db)).id;
    instB = (await makeInstitution(db)).id;
    appA = (await insertApplication(db, instA, app('Portal Satu'))).id;
    appB = (await insertApplication(db, instB, app('Portal Dua'))).id;
    operator = await signInAs(h.app, (await makeUser(db, { roles: [Role.Operator] })).email);
    admin = await signInAs(h.app, (await makeUser(db, { roles: [Role.Admin] })).email);
    headA = await signInAs(h.app, (await head(db, Role.InstitutionHead, instA, '197503122000032004')).email);
    headB = await signInAs(h.app, (await head(db, Role.InstitutionHead, instB, '197503122000032005')).email);
    staffA = await signInAs(h.app, (await makeUser(db, { roles: [Role.InstitutionStaff], institutionId: instA })).email);
    dcHeadEmail = (await head(db, Role.DcHead, null, '197108151998031005')).email;
    dcHead = await signInAs(h.app, dcHeadEmail);
  });
  afterAll(() => h.close());

  it('should generate an agreement for the fiscal year awaiting the institution head', async () => {
    const response = await create(instA, [appA]);
    expect(response.status).toBe(201);
    const year = todayInJakarta().slice(0, 4);
    expect(response.body).toMatchObject({
      status: 'awaiting_institution_head',
      termStart: `${year}-01-01`,
      termEnd: `${year}-12-31`,
      ceiling,
      nextSignerRole: 'institution_head',
      signatures: [],
    });
    expect(response.body.number).toMatch(new RegExp(`^000\\.1/\\d{3}/DISKOMINFOSANTIK/${year}$`));
    expect(response.body.currentSha256).toBe(response.body.originalSha256);
    expect(response.body.consentText).toContain(response.body.currentSha256);
    agreementA = response.body.id;
    const pdf = await download(staffA, agreementA);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect((await create(instA, [appA])).status).toBe(409);
    expect(
      (
        await headA.agent
          .post('/api/v1/agreements')
          .set('X-CSRF-Token', headA.csrfToken)
          .send({ institutionId: instA, ceiling, applicationIds: [appA] })
      ).status,
    ).toBe(403);
    expect((await create(instA, [appB])).status).toBe(400);
    expect((await staffA.agent.delete(`/api/v1/applications/${appA}`).set('X-CSRF-Token', staffA.csrfToken)).status).toBe(409);
  });

  it('should refuse the data-center head before the institution head (409)', async () => {
    const response = await sign(dcHead, agreementA, { password: 'Kata-Sandi-Uji-2026!', consent: true });
    expect(response.status).toBe(409);
  });

  it('should answer a wrong password with 401 and an audit row, and a stale hash with 409', async () => {
    const wrong = await sign(headA, agreementA, { password: 'salah-sekali', consent: true });
    expect(wrong.status).toBe(401);
    const audit = await h.database.db
      .selectFrom('auditLog')
      .select(['action', 'after'])
      .where('targetId', '=', agreementA)
      .where('action', '=', 'agreement.sign_failed')
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]!.after).toEqual({ reason: 'wrong_password' });
    expect((await sign(headA, agreementA, { password: 'Kata-Sandi-Uji-2026!' })).status).toBe(400);
    const stale = await sign(headA, agreementA, { password: 'Kata-Sandi-Uji-2026!', consent: true, expectedSha256: 'a'.repeat(64) });
    expect(stale.status).toBe(409);
    const detail = await headA.agent.get(`/api/v1/agreements/${agreementA}`);
    expect(detail.body).toMatchObject({ status: 'awaiting_institution_head', signatures: [] });
  });

  it('should sign in order, refuse twice, and produce a file pdfsig validates', async () => {
    const before = (await headA.agent.get(`/api/v1/agreements/${agreementA}`)).body;
    const first = await sign(headA, agreementA, { password: 'Kata-Sandi-Uji-2026!', consent: true, expectedSha256: before.currentSha256 });
    expect(first.status).toBe(201);
    expect(first.body.status).toBe('awaiting_dc_head');
    expect(first.body.signatures[0]).toMatchObject({
      position: 1,
      role: 'institution_head',
      method: 'internal_ca',
      sha256Before: before.currentSha256,
      sha256After: first.body.currentSha256,
    });
    expect((await sign(headA, agreementA, { password: 'Kata-Sandi-Uji-2026!', consent: true })).status).toBe(409);
    const second = await sign(dcHead, agreementA, {
      password: 'Kata-Sandi-Uji-2026!',
      consent: true,
      expectedSha256: first.body.currentSha256,
    });
    expect(second.status).toBe(201);
    expect(second.body).toMatchObject({ status: 'in_force', nextSignerRole: null });
    expect((await sign(dcHead, agreementA, { password: 'Kata-Sandi-Uji-2026!', consent: true })).status).toBe(409);
    const row = await h.database.db
      .selectFrom('agreementSignatures')
      .selectAll()
      .where('agreementId', '=', agreementA)
      .where('position', '=', 2)
      .executeTakeFirstOrThrow();
    expect(row.consentText).toContain(first.body.currentSha256);
    expect(row.userAgent).toBeTruthy();

    // Whose turn it was, told in-app (and by e-mail) at each step, with the link to the agreement.
    const idOf = async (who: SignedIn) => ((await who.agent.get('/api/v1/me')).body as { user: { id: string } }).user.id;
    const told = async (reason: string) =>
      (
        await h.database.db
          .selectFrom('notifications')
          .select(['userId', 'link'])
          .where('reason', '=', `agreement:${agreementA}:${reason}`)
          .execute()
      )
        .map((n) => n.userId)
        .sort();
    expect(await told('sign_turn:institution_head')).toEqual([await idOf(headA)]);
    expect(await told('sign_turn:dc_head')).toContain(await idOf(dcHead));
    expect(await told('sign_turn:dc_head')).not.toContain(await idOf(headA));
    expect(await told('signed:institution_head')).toEqual([await idOf(headA)]);
    expect(await told('in_force')).toEqual([await idOf(headA), await idOf(staffA)].sort());
    const link = await h.database.db
      .selectFrom('notifications')
      .select('link')
      .where('reason', '=', `agreement:${agreementA}:sign_turn:dc_head`)
      .executeTakeFirstOrThrow();
    expect(link.link).toBe(`/agreements/${agreementA}`);

    signedPdf = await download(headA, agreementA);
    const original = await h.database.db
      .selectFrom('agreements')
      .select('originalDocument')
      .where('id', '=', agreementA)
      .executeTakeFirstOrThrow();
    expect(signedPdf.subarray(0, original.originalDocument.length).equals(original.originalDocument)).toBe(true);
    const report = pdfsig(signedPdf);
    expect(report.validations).toEqual(['Signature is Valid.', 'Signature is Valid.']);
    expect(report.output).not.toMatch(/Syntax (Error|Warning)/);
  });

  it('should report a genuine, fully signed agreement in force to the public', async () => {
    const response = await verify(signedPdf);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ genuine: true, valid: true, fullySigned: true, agreement: { status: 'in_force' } });
    expect(response.body.signatures.map((s: { role: string; valid: boolean }) => [s.role, s.valid])).toEqual([
      ['Kepala Perangkat Daerah', true],
      ['Kepala Diskominfosantik', true],
    ]);
    const detail = (await headA.agent.get(`/api/v1/agreements/${agreementA}`)).body;
    const code = detail.verificationCode;
    expect(detail.verificationUrl).toBe(`http://127.0.0.1:3000/verify/${code}`); // the QR code opens the web page
    const qr = await request(h.app).get(`/verify/${code}`); // this app serves no UI: its own page answers
    expect(qr.status).toBe(302);
    expect(qr.headers.location).toBe(`/api/v1/verify/${code}`);
    const byCode = await request(h.app).get(`/api/v1/verify/${code}`);
    expect(byCode.body).toMatchObject({ genuine: true, valid: true, agreement: { status: 'in_force' } });
    const text = JSON.stringify([response.body, byCode.body]);
    expect(text).not.toContain(dcHeadEmail);
    expect(text).not.toMatch(/19750312|19710815|kalteng\.go\.id"|"ip"/);
    expect((await request(h.app).get('/api/v1/verify/AAAAAAAAAAAAAAAA')).status).toBe(404);
    const page = await request(h.app).get(`/api/v1/verify/${code}`).set('Accept', 'text/html,application/xhtml+xml');
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('SAH dan BERLAKU');
    expect(page.text).not.toContain('<script');
    const halfway = await verify(
      (await h.database.db.selectFrom('agreements').select('originalDocument').where('id', '=', agreementA).executeTakeFirstOrThrow())
        .originalDocument,
    );
    expect(halfway.body).toMatchObject({ genuine: true, fullySigned: false, valid: false });
  });

  /** Byte offsets covered by the last signature (everything outside its /Contents gap), at a fraction of that span. */
  const coveredOffset = (pdf: Buffer, fraction: number) => {
    const ranges = [...pdf.toString('latin1').matchAll(/\/ByteRange\s*\[\s*0\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g)];
    const [, b, c, d] = ranges[ranges.length - 1]!.map(Number) as [number, number, number, number];
    const at = Math.floor((b + d) * fraction);
    return at < b ? at : c + (at - b);
  };

  it.each([0.02, 0.3, 0.45, 0.7, 0.9, 0.999])(
    'should make both Betang and pdfsig report a changed byte at %p of the signed bytes',
    async (fraction) => {
      const tampered = Buffer.from(signedPdf);
      const i = coveredOffset(tampered, fraction);
      tampered[i] = tampered[i] === 0x41 ? 0x42 : 0x41;
      const ours = await verify(tampered);
      if (ours.status === 200) expect(ours.body).toMatchObject({ genuine: false, valid: false });
      else expect([400, 413, 422]).toContain(ours.status);
      const theirs = pdfsig(tampered);
      expect(theirs.validations.length === 2 && theirs.validations.every((v) => v === 'Signature is Valid.')).toBe(false);
    },
  );

  it('should also report a change inside the unused signature padding, which pdfsig tolerates', async () => {
    const tampered = Buffer.from(signedPdf);
    const ranges = [...tampered.toString('latin1').matchAll(/\/ByteRange\s*\[\s*0\s+(\d+)\s+(\d+)/g)];
    const gapEnd = Number(ranges[ranges.length - 1]![2]);
    const i = gapEnd - 10;
    expect(tampered.subarray(i, gapEnd - 1).toString('latin1')).toMatch(/^0+$/);
    tampered[i] = 0x31;
    const ours = await verify(tampered);
    expect(ours.status === 200 ? ours.body.genuine : false).toBe(false);
  });

  it('should find the agreement in force for the gate', async () => {
    const today = todayInJakarta();
    const found = await findAgreementInForce(h.database.db, instA, today);
    expect(found).toMatchObject({ id: agreementA, status: 'in_force', ceiling });
    expect(
      agreementCovers(found, { requested: { cores: 2 }, usageAfter: { cores: 8, memoryMiB: 16384, diskGiB: 200, vmCount: 4 }, today }),
    ).toBe(true);
    expect(
      agreementCovers(found, { requested: { cores: 2 }, usageAfter: { cores: 9, memoryMiB: 1024, diskGiB: 20, vmCount: 1 }, today }),
    ).toBe(false);
    expect(await findAgreementInForce(h.database.db, instB, today)).toBeUndefined();
  });

  it.each([
    ['GET', () => `/api/v1/agreements/${agreementA}`],
    ['GET', () => `/api/v1/agreements/${agreementA}/document`],
    ['GET', () => `/api/v1/agreements?institutionId=${instA}`],
    ['POST', () => `/api/v1/agreements/${agreementA}/signatures`],
    ['POST', () => `/api/v1/agreements/${agreementA}/signed-document`],
  ])('%s %s of another institution → 404', async (method, path) => {
    const url = path();
    const response =
      method === 'GET'
        ? await headB.agent.get(url)
        : url.endsWith('signatures')
          ? await sign(headB, agreementA, { password: 'Kata-Sandi-Uji-2026!', consent: true })
          : await headB.agent.post(url).set('X-CSRF-Token', headB.csrfToken).set('Content-Type', 'application/pdf').send(signedPdf);
    expect(response.status).toBe(404);
    const list = await headB.agent.get('/api/v1/agreements');
    expect(list.body.items.some((a: { id: string }) => a.id === agreementA)).toBe(false);
  });

  describe('externally signed documents', () => {
    let agreementB: string;
    let originalB: Buffer;
    const foreignSecret = 'rahasia-ca-asing-bsre-uji-0123456789';
    const foreignCa = () =>
      createSigningCa({ commonName: 'BSrE Uji', organization: 'Balai Sertifikasi Elektronik (uji)', masterSecret: foreignSecret });
    let ca: ReturnType<typeof createSigningCa>;
    const credentials = new Map<string, ReturnType<typeof issueSignerCredential>>();
    const credentialOf = (name: string) => {
      if (!credentials.has(name))
        credentials.set(
          name,
          issueSignerCredential(
            ca,
            foreignSecret,
            { name, email: 'x@kalteng.go.id', role: 'Kepala', institution: 'Uji' },
            { keyBits: 2048 },
          ),
        );
      return credentials.get(name)!;
    };
    const signWith = async (pdf: Buffer, name: string) =>
      signPdfIncrementally(pdf, createInternalCaSigner(credentialOf(name), foreignSecret), {
        signerName: name,
        reason: 'Setuju',
        location: 'Palangka Raya',
        contactInfo: 'uji',
        signedAt: new Date(),
      });
    const attach = (pdf: Buffer | string, type = 'application/pdf') =>
      headB.agent
        .post(`/api/v1/agreements/${agreementB}/signed-document`)
        .set('X-CSRF-Token', headB.csrfToken)
        .set('Content-Type', type)
        .send(pdf);
    const state = async () =>
      h.database.db.selectFrom('agreements').select(['status', 'currentSha256']).where('id', '=', agreementB).executeTakeFirstOrThrow();

    beforeAll(async () => {
      ca = foreignCa();
      const created = await create(instB, [appB]);
      agreementB = created.body.id;
      originalB = await download(headB, agreementB);
    });

    it('should refuse hostile and wrong documents with a 4xx and store nothing', async () => {
      const before = await state();
      const once = await signWith(originalB, 'Kepala Satu');
      const twice = await signWith(once, 'Kepala Dua');
      const broken = Buffer.from(twice);
      const at = broken.indexOf('/Reason', originalB.length) + 9;
      broken[at] = broken[at] === 0x79 ? 0x78 : 0x79;
      const badCms = Buffer.from(twice);
      const contents = badCms.lastIndexOf('/Contents <') + 11 + 200;
      badCms[contents] = badCms[contents] === 0x46 ? 0x45 : 0x46;
      const otherDoc = await signWith(await signWith(signedPdf.subarray(0, signedPdf.indexOf('%%EOF') + 5), 'A'), 'B');
      const cases: [string, Buffer | string, number, string?][] = [
        ['not a PDF', Buffer.from('ini bukan pdf sama sekali'), 422, 'NOT_A_PDF'],
        ['truncated', twice.subarray(0, twice.length - 300), 422, 'TRUNCATED'],
        ['unsigned', originalB, 422, 'NOT_SIGNED'],
        ['one signature', once, 422, 'NOT_FULLY_SIGNED'],
        ['changed after signing', broken, 422, 'SIGNATURE_INVALID'],
        ['broken signature value', badCms, 422],
        ['another agreement', otherDoc, 422, 'NOT_THE_GENERATED_DOCUMENT'],
        ['huge', Buffer.concat([twice, Buffer.alloc(11 * 1024 * 1024, 0x20)]), 413],
      ];
      for (const [, body, status, reason] of cases) {
        const response = await attach(body);
        expect(response.status).toBe(status);
        if (reason) expect(response.body.error.details.reason).toBe(reason);
      }
      expect((await attach('{}', 'application/json')).status).toBe(400);
      expect(await state()).toEqual(before);
      expect(
        await h.database.db.selectFrom('agreementSignatures').select('id').where('agreementId', '=', agreementB).execute(),
      ).toHaveLength(0);
    });

    it('should keep a document signed outside pending until an operator accepts it, when no trust root is configured', async () => {
      const signed = await signWith(await signWith(originalB, 'Kepala Satu'), 'Kepala Dua');
      const response = await attach(signed);
      expect(response.status).toBe(202);
      expect(response.body).toMatchObject({
        status: 'awaiting_institution_head',
        signatures: [],
        pendingDocument: {
          signers: [
            { name: 'Kepala Satu', trusted: false },
            { name: 'Kepala Dua', trusted: false },
          ],
        },
      });
      expect((await verify(signed)).body).toMatchObject({ genuine: false, valid: false, reason: 'SIGNATURE_UNTRUSTED' });
      const accepted = await operator.agent
        .post(`/api/v1/agreements/${agreementB}/signed-document/accept`)
        .set('X-CSRF-Token', operator.csrfToken)
        .send({ sha256: response.body.pendingDocument.sha256 });
      expect(accepted.status).toBe(200);
      expect(accepted.body).toMatchObject({
        status: 'in_force',
        pendingDocument: null,
        signatures: [{ role: 'external', method: 'external', signerName: 'Kepala Satu; Kepala Dua', acceptedByOperator: true }],
      });
      expect((await download(headB, agreementB)).equals(signed)).toBe(true);
      expect((await attach(signed)).status).toBe(409);
      const checked = await verify(signed);
      expect(checked.body).toMatchObject({ genuine: true, valid: true, fullySigned: true });
      expect(checked.body.signatures.map((s: { trusted: boolean }) => s.trusted)).toEqual([false, false]);
    });

    it('should let only admins revoke, once, and show it publicly', async () => {
      expect(
        (
          await operator.agent
            .post(`/api/v1/agreements/${agreementB}/revoke`)
            .set('X-CSRF-Token', operator.csrfToken)
            .send({ reason: 'Instansi dilebur' })
        ).status,
      ).toBe(403);
      const revoked = await admin.agent
        .post(`/api/v1/agreements/${agreementB}/revoke`)
        .set('X-CSRF-Token', admin.csrfToken)
        .send({ reason: 'Instansi dilebur' });
      expect(revoked.body).toMatchObject({ status: 'revoked', revokeReason: 'Instansi dilebur' });
      expect(
        (
          await admin.agent
            .post(`/api/v1/agreements/${agreementB}/revoke`)
            .set('X-CSRF-Token', admin.csrfToken)
            .send({ reason: 'Instansi dilebur' })
        ).status,
      ).toBe(409);
      const pub = await request(h.app).get(`/api/v1/verify/${revoked.body.verificationCode}`);
      expect(pub.body).toMatchObject({ genuine: true, valid: false, agreement: { status: 'revoked' } });
      expect(await findAgreementInForce(h.database.db, instB, todayInJakarta())).toBeUndefined();
    });
  });

  it('should require the TOTP code of a signer who has one', async () => {
    const db = h.database.db;
    const instC = (await makeInstitution(db)).id;
    const appC = (await insertApplication(db, instC, app('Portal Tiga'))).id;
    const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    const user = await head(db, Role.InstitutionHead, instC, '197503122000032006', { totpSecret: secret });
    const usedToSignIn = totpCode(secret);
    const agent = request.agent(h.app);
    const login = await agent.post('/api/v1/auth/login').send({ email: user.email, password: 'Kata-Sandi-Uji-2026!', totp: usedToSignIn });
    const headC: SignedIn = { agent, csrfToken: login.body.csrfToken };
    const id = (await create(instC, [appC])).body.id;
    expect((await sign(headC, id, { password: 'Kata-Sandi-Uji-2026!', consent: true })).status).toBe(401);
    // Each code is accepted once: the one that signed in cannot also sign the agreement.
    expect((await sign(headC, id, { password: 'Kata-Sandi-Uji-2026!', consent: true, totp: usedToSignIn })).status).toBe(401);
    expect(
      (await sign(headC, id, { password: 'Kata-Sandi-Uji-2026!', consent: true, totp: totpCode(secret, Date.now() + 30_000) })).status,
    ).toBe(201);
    const reasons = await db
      .selectFrom('auditLog')
      .select('after')
      .where('targetId', '=', id)
      .where('action', '=', 'agreement.sign_failed')
      .orderBy('id')
      .execute();
    expect(reasons.map((r) => r.after)).toEqual([{ reason: 'totp_required' }, { reason: 'totp_reused' }]);
  });

  it('should refuse hostile uploads to the public check with a 4xx', async () => {
    const notPdf = await verify(Buffer.from('<html>bukan pdf</html>'));
    expect(notPdf.status).toBe(422);
    expect(notPdf.body.error.details.reason).toBe('NOT_A_PDF');
    expect((await verify(signedPdf.subarray(0, signedPdf.length - 200))).status).toBe(422);
    expect((await verify(Buffer.concat([signedPdf, Buffer.alloc(11 * 1024 * 1024, 0x20)]))).status).toBe(413);
    expect((await request(h.app).post('/api/v1/verify').set('Content-Type', 'application/json').send('{}')).status).toBe(400);
    const foreign = await verify(Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\nstartxref\n9\n%%EOF\n'));
    expect(foreign.body).toMatchObject({ genuine: false, reason: 'UNKNOWN_DOCUMENT', agreement: null });
  });

  it('should rate-limit the public verification endpoints', async () => {
    let last = 0;
    for (let i = 0; i < 70 && last !== 429; i++) last = (await request(h.app).get('/api/v1/verify/BBBBBBBBBBBBBBBB')).status;
    expect(last).toBe(429);
  });
});
