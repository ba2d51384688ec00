import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Role } from '@betang/core';
import { insertApplication, type Db } from '@betang/db';
import { createInternalCaSigner, createSigningCa, issueSignerCredential, signPdfIncrementally } from '@betang/documents';
import { bigExponentIssuerCertificate, certificateFloodSigner } from '@betang/documents/testing';
import { makeInstitution, makeUser, TEST_PASSWORD } from '@betang/testkit';
import request from 'supertest';
import { createPdfVerifierPool, type PdfVerifier } from '@betang/documents';
import { createApp } from '../app';
import { startApiHarness, type ApiHarness } from '../testing/api-harness';
import { binaryBody, median } from '../testing/response-bodies';

const SECRET = 'rahasia-uji-serangan-verifikasi-0123456789';
/** Certificates in the hostile CMS: each costs ~15 ms of RSA work when a path builder tries it. */
const FLOOD = 300;

jest.setTimeout(180_000);

/**
 * A hostile agreement PDF (an appended revision whose CMS carries hundreds of CA certificates
 * with 3072-bit moduli and 3064-bit exponents) must be refused without freezing the API for
 * everyone else: other users' requests stay about as fast as without the attack.
 */
describe('hostile PDFs against POST /verify and the upload route', () => {
  let h: ApiHarness;
  let db: Db;
  let server: Server;
  let base: string;
  let agreementId: string;
  let hostile: Buffer;
  let original: Buffer;
  let credential: ReturnType<typeof issueSignerCredential>;
  let user: ReturnType<typeof request.agent>;
  let head: { agent: ReturnType<typeof request.agent>; csrf: string };

  const signIn = async (email: string) => {
    const agent = request.agent(base);
    const response = await agent.post('/api/v1/auth/login').send({ email, password: TEST_PASSWORD });
    expect(response.status).toBe(200);
    return { agent, csrf: response.body.csrfToken as string };
  };

  beforeAll(async () => {
    h = await startApiHarness({ rateLimits: { verifyPerIp: { name: 'verify-ip', limit: 10_000, windowSeconds: 60 } } });
    db = h.database.db;
    server = h.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const institutionId = (await makeInstitution(db)).id;
    const applicationId = (
      await insertApplication(db, institutionId, {
        name: 'Portal Serangan',
        kind: 'khusus',
        picName: 'Budi',
        picNip: '198001012005011001',
        picEmail: 'budi@kalteng.go.id',
        developerType: 'internal',
        userType: 'public',
        status: 'active',
        dataClassification: 'rendah',
      })
    ).id;
    const headUser = await makeUser(db, { roles: [Role.InstitutionHead], institutionId });
    const dcUser = await makeUser(db, { roles: [Role.DcHead] });
    await db.updateTable('users').set({ nip: '197503122000032201', position: 'Kepala Biro' }).where('id', '=', headUser.id).execute();
    await db.updateTable('users').set({ nip: '197108151998031005', position: 'Kepala Dinas' }).where('id', '=', dcUser.id).execute();
    const operator = await signIn((await makeUser(db, { roles: [Role.Operator] })).email);
    const created = await operator.agent
      .post('/api/v1/agreements')
      .set('X-CSRF-Token', operator.csrf)
      .send({
        institutionId,
        ceiling: { cores: 2, memoryMiB: 2048, diskGiB: 20, vmCount: 1, ipCount: 1 },
        applicationIds: [applicationId],
        osTemplates: ['Debian 12'],
      });
    expect(created.status).toBe(201);
    agreementId = created.body.id;
    head = await signIn(headUser.email);
    original = (await head.agent.get(`/api/v1/agreements/${agreementId}/document`).buffer(true).parse(binaryBody)).body as Buffer;

    // The signer's CA is left out, so every flood certificate (named like that CA) looks like its issuer.
    const ca = createSigningCa({ commonName: 'CA Penyerang', organization: 'Penyerang', masterSecret: SECRET });
    credential = {
      ...issueSignerCredential(
        ca,
        SECRET,
        { name: 'Penyerang', email: 'p@contoh.id', role: 'Penyerang', institution: 'Penyerang' },
        { keyBits: 2048 },
      ),
      chainPems: [],
    };
    const big = bigExponentIssuerCertificate(credential.certPem);
    hostile = await signPdfIncrementally(original, certificateFloodSigner(credential, SECRET, big, FLOOD), {
      signerName: 'Penyerang',
      reason: 'x',
      location: 'x',
      contactInfo: 'x',
      signedAt: new Date(),
    });
    user = (await signIn((await makeUser(db, { roles: [Role.InstitutionStaff], institutionId })).email)).agent;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await h.close();
  });

  const verify = (pdf: Buffer) => request(base).post('/api/v1/verify').set('Content-Type', 'application/pdf').send(pdf);
  const upload = (pdf: Buffer) =>
    head.agent
      .post(`/api/v1/agreements/${agreementId}/signed-document`)
      .set('X-CSRF-Token', head.csrf)
      .set('Content-Type', 'application/pdf')
      .send(pdf);

  it('should refuse the certificate flood on both routes', async () => {
    const checked = await verify(hostile);
    expect(checked.status).toBe(200);
    expect(checked.body).toMatchObject({ genuine: false, valid: false, reason: 'SIGNATURE_MALFORMED' });
    const uploaded = await upload(hostile);
    expect(uploaded.status).toBe(422);
    expect(uploaded.body.error).toMatchObject({ code: 'DOCUMENT_REJECTED', details: { reason: 'SIGNATURE_MALFORMED' } });
    expect(uploaded.body.error.message).toMatch(/rusak/);
    const state = await db.selectFrom('agreements').select('status').where('id', '=', agreementId).executeTakeFirstOrThrow();
    expect(state.status).toBe('awaiting_institution_head');
  });

  it("should keep another user's GET /me about as fast as without the attack while hostile uploads run", async () => {
    const probe = async () => {
      const started = process.hrtime.bigint();
      const response = await user.get('/api/v1/me');
      expect(response.status).toBe(200);
      return Number(process.hrtime.bigint() - started) / 1e6;
    };
    for (let i = 0; i < 5; i++) await probe(); // warm-up
    const statuses: number[] = [];
    // One round: the median GET /me without, then with, three attackers. On a shared machine
    // another process can slow either phase, so a round above the bound is measured again (up to
    // three rounds, each against its own fresh baseline); the unfixed code is in the hundreds
    // every round.
    const round = async (): Promise<number> => {
      const baseline: number[] = [];
      for (let i = 0; i < 15; i++) baseline.push(await probe());
      let attacking = true;
      const attacker = async (send: (pdf: Buffer) => Promise<{ status: number }>) => {
        while (attacking) statuses.push((await send(hostile)).status);
      };
      const attackers = [attacker(verify), attacker(verify), attacker(upload)];
      await new Promise((resolve) => setTimeout(resolve, 200));
      const underAttack: number[] = [];
      for (let i = 0; i < 15; i++) underAttack.push(await probe());
      attacking = false;
      await Promise.all(attackers);
      return median(underAttack) / median(baseline);
    };
    const ratios: number[] = [];
    while (ratios.length < 3 && !ratios.some((r) => r < 10)) ratios.push(await round());

    expect(statuses.length).toBeGreaterThanOrEqual(3);
    expect(statuses.every((s) => s === 200 || s === 422)).toBe(true);
    // Without the fix each hostile request held the event loop for seconds (ratio in the hundreds).
    expect(Math.min(...ratios)).toBeLessThan(10);
  });

  it('should check the first revision before verifying, and verify without holding the agreement lock', async () => {
    let calls = 0;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let entered: () => void = () => undefined;
    const verifying = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const gated: PdfVerifier = {
      verify: async (pdf, options) => {
        calls++;
        entered();
        await gate;
        return h.deps.pdfVerifier!.verify(pdf, options);
      },
      close: async () => undefined,
    };
    const app = createApp({ ...h.deps, pdfVerifier: gated });
    const server2 = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server2.once('listening', resolve));
    try {
      const url = `http://127.0.0.1:${(server2.address() as AddressInfo).port}`;
      const agent = request.agent(url);
      const login = await agent.post('/api/v1/auth/login').send({
        email: (
          await db
            .selectFrom('users')
            .innerJoin('userRoles', 'userRoles.userId', 'users.id')
            .select('users.email')
            .where('userRoles.role', '=', 'institution_head')
            .executeTakeFirstOrThrow()
        ).email,
        password: TEST_PASSWORD,
      });
      const csrf = login.body.csrfToken as string;
      const send = (pdf: Buffer) =>
        agent
          .post(`/api/v1/agreements/${agreementId}/signed-document`)
          .set('X-CSRF-Token', csrf)
          .set('Content-Type', 'application/pdf')
          .send(pdf);

      // Another agreement's document is refused by the first-revision check: no verification at all.
      const stranger = Buffer.concat([
        Buffer.from(original.toString('latin1').replace('%PDF-1.7', '%PDF-1.6'), 'latin1'),
        Buffer.from('\n'),
      ]);
      const refused = await send(stranger);
      expect(refused.status).toBe(422);
      expect(refused.body.error.details.reason).toBe('NOT_THE_GENERATED_DOCUMENT');
      expect(calls).toBe(0);

      // While an upload is being verified, the agreement is not locked: an in-app signature goes through.
      const sign = (pdf: Buffer) =>
        signPdfIncrementally(pdf, createInternalCaSigner(credential, SECRET), {
          signerName: 'Penanda',
          reason: 'x',
          location: 'x',
          contactInfo: 'x',
          signedAt: new Date(),
        });
      // .then starts the request now (a supertest request is lazy).
      const upload = send(await sign(await sign(original))).then((r) => r);
      await verifying;
      const signed = await agent
        .post(`/api/v1/agreements/${agreementId}/signatures`)
        .set('X-CSRF-Token', csrf)
        .send({ password: TEST_PASSWORD, consent: true });
      expect(signed.status).toBe(201);
      release();
      const late = await upload;
      expect(late.status).toBe(409);
      expect(calls).toBe(1);
      const state = await db.selectFrom('agreements').select('status').where('id', '=', agreementId).executeTakeFirstOrThrow();
      expect(state.status).toBe('awaiting_dc_head');
    } finally {
      release();
      await new Promise((resolve) => server2.close(resolve));
    }
  });

  it('should answer 503 with Retry-After in the language asked when verification runs past its time limit, then serve again', async () => {
    // A signature dictionary whose /Contents is 9 MiB of hex: decoding it takes far longer than 1 ms.
    const pad = (n: number) => String(n).padStart(10, '0');
    const head0 = `\n99 0 obj\n<< /Type /Sig /ByteRange [0 ${pad(0)} ${pad(0)} ${pad(0)}] /Contents <`;
    const hex = '0'.repeat(9 * 1024 * 1024);
    const tail = `> >>\nendobj\nstartxref\n${original.length}\n%%EOF\n`;
    const b = original.length + head0.length - 1;
    const c = b + hex.length + 2;
    const total = original.length + head0.length + hex.length + tail.length;
    const slow = Buffer.concat([
      original,
      Buffer.from(head0.replace(`${pad(0)} ${pad(0)} ${pad(0)}`, `${pad(b)} ${pad(c)} ${pad(total - c)}`) + hex + tail, 'latin1'),
    ]);
    const strict = createPdfVerifierPool({ threads: 1, timeoutMs: 1 });
    const app = createApp({ ...h.deps, pdfVerifier: strict });
    try {
      for (const [lang, text] of [
        ['id', /batas waktu/],
        ['en', /time limit/],
      ] as const) {
        const response = await request(app)
          .post('/api/v1/verify')
          .set('Content-Type', 'application/pdf')
          .set('Accept-Language', lang)
          .send(slow);
        expect(response.status).toBe(503);
        expect(response.headers['retry-after']).toBe('30');
        expect(response.body.error).toMatchObject({ code: 'SERVICE_UNAVAILABLE', details: { reason: 'VERIFICATION_ABORTED' } });
        expect(response.body.error.message).toMatch(text);
      }
      const roomy = createApp({ ...h.deps });
      expect((await request(roomy).post('/api/v1/verify').set('Content-Type', 'application/pdf').send(slow)).body).toMatchObject({
        genuine: false,
        reason: 'SIGNATURE_MALFORMED',
      });
    } finally {
      await strict.close();
    }
  });
});
