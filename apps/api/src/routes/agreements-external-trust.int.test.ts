import { Role, todayInJakarta } from '@betang/core';
import { findAgreementInForce, insertApplication, type Db } from '@betang/db';
import {
  createInternalCaSigner,
  createSigningCa,
  issueSignerCredential,
  signPdfIncrementally,
  type SignerCredential,
} from '@betang/documents';
import { selfSignedCredential } from '@betang/documents/testing';
import { makeInstitution, makeUser } from '@betang/testkit';
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../app';
import { signInAs, startApiHarness, type ApiHarness, type SignedIn } from '../testing/api-harness';
import { signatureTrust, type SignerMatchRule } from '../use-cases/signature-trust';
import { binaryBody } from '../testing/response-bodies';

const SECRET = 'rahasia-uji-tanda-tangan-luar-0123456789';
const DC_NIP = '197108151998031005';
const ceiling = { cores: 4, memoryMiB: 8192, diskGiB: 100, vmCount: 2, ipCount: 1 };

jest.setTimeout(120_000);

/**
 * External signatures: only a chain to a configured root plus the expected signer's identity puts
 * an agreement in force; without roots an upload waits for an operator. Reproduces the attack of
 * an institution head signing for both parties with home-made certificates.
 */
describe('externally signed agreements and the office trust roots', () => {
  let h: ApiHarness;
  let db: Db;
  let operator: SignedIn;
  let secondOperator: SignedIn;
  let dcHeadEmail: string;
  // Stands in for BSrE: the office configures this root.
  const root = createSigningCa({ commonName: 'BSrE Uji Root', organization: 'Balai Sertifikasi Elektronik (uji)', masterSecret: SECRET });
  const issued = (name: string, nip: string | undefined, email: string): SignerCredential =>
    issueSignerCredential(root, SECRET, { name, email, role: 'Kepala', institution: 'Uji', ...(nip ? { nip } : {}) }, { keyBits: 2048 });
  let dcHeadCredential: SignerCredential;

  const signWith = (pdf: Buffer, credential: SignerCredential, name: string) =>
    signPdfIncrementally(pdf, createInternalCaSigner(credential, SECRET), {
      signerName: name,
      reason: 'Setuju',
      location: 'Palangka Raya',
      contactInfo: 'uji',
      signedAt: new Date(),
    });
  const appWith = (rules: SignerMatchRule[], roots = [root.certPem]): Express =>
    createApp({ ...h.deps, signatureTrust: signatureTrust(roots, rules) });
  const attach = (app: Express, who: SignedIn, id: string, pdf: Buffer) =>
    who.agent
      .post(`/api/v1/agreements/${id}/signed-document`)
      .set('X-CSRF-Token', who.csrfToken)
      .set('Content-Type', 'application/pdf')
      .send(pdf);
  const verify = (app: Express, pdf: Buffer) => request(app).post('/api/v1/verify').set('Content-Type', 'application/pdf').send(pdf);
  const status = async (id: string) =>
    await db.selectFrom('agreements').select(['status', 'currentSha256']).where('id', '=', id).executeTakeFirstOrThrow();

  /** A fresh institution with a head (NIP on record), an application and an agreement awaiting signatures; returns the head's session on `app`. */
  async function agreementFor(app: Express, nip: string): Promise<{ id: string; original: Buffer; head: SignedIn }> {
    const institutionId = (await makeInstitution(db)).id;
    const applicationId = (
      await insertApplication(db, institutionId, {
        name: `Portal ${nip.slice(-4)}`,
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
    const user = await makeUser(db, { roles: [Role.InstitutionHead], institutionId });
    await db.updateTable('users').set({ nip, position: 'Kepala Biro' }).where('id', '=', user.id).execute();
    const head = await signInAs(app, user.email);
    const op = await signInAs(
      app,
      (await db.selectFrom('users').select('email').where('id', '=', operatorId).executeTakeFirstOrThrow()).email,
    );
    const created = await op.agent
      .post('/api/v1/agreements')
      .set('X-CSRF-Token', op.csrfToken)
      .send({ institutionId, ceiling, applicationIds: [applicationId], osTemplates: ['Debian 12'] });
    expect(created.status).toBe(201);
    const original = (await head.agent.get(`/api/v1/agreements/${created.body.id}/document`).buffer(true).parse(binaryBody)).body as Buffer;
    return { id: created.body.id as string, original, head };
  }
  let operatorId: string;

  beforeAll(async () => {
    h = await startApiHarness();
    db = h.database.db;
    const op = await makeUser(db, { roles: [Role.Operator] });
    operatorId = op.id;
    operator = await signInAs(h.app, op.email);
    secondOperator = await signInAs(h.app, (await makeUser(db, { roles: [Role.Operator] })).email);
    const dc = await makeUser(db, { roles: [Role.DcHead], name: 'Ir. Agus Priyanto, M.T.' });
    await db.updateTable('users').set({ nip: DC_NIP, position: 'Kepala Dinas Kominfosantik' }).where('id', '=', dc.id).execute();
    dcHeadEmail = dc.email;
    dcHeadCredential = issued('Ir. Agus Priyanto, M.T.', DC_NIP, dcHeadEmail);
  });
  afterAll(() => h.close());

  it('should not put an agreement in force with two home-made signatures when no root is configured, and /verify should call them untrusted', async () => {
    const { id, original, head } = await agreementFor(h.app, '197503122000032101');
    // The attack: the head downloads the original and adds two self-signed signatures, one in the data-center head's name.
    const forged = await signWith(
      await signWith(original, selfSignedCredential('Kepala Biro Uji', SECRET), 'Kepala Biro Uji'),
      selfSignedCredential('Kepala Diskominfosantik', SECRET),
      'Kepala Diskominfosantik',
    );
    const before = await status(id);
    const response = await attach(h.app, head, id, forged);
    expect(response.status).toBe(202);
    expect(response.body).toMatchObject({
      status: 'awaiting_institution_head',
      pendingDocument: { signers: [{ trusted: false }, { name: 'Kepala Diskominfosantik', trusted: false }] },
    });
    expect(await status(id)).toEqual(before);
    expect(await findAgreementInForce(db, response.body.institutionId, todayInJakarta())).toBeUndefined();
    const listed = (await operator.agent.get('/api/v1/agreements')).body.items as { id: string; hasPendingDocument: boolean }[];
    expect(listed.find((a) => a.id === id)?.hasPendingDocument).toBe(true);
    expect(listed.filter((a) => a.id !== id).every((a) => a.hasPendingDocument === false)).toBe(true);
    const checked = await verify(h.app, forged);
    expect(checked.status).toBe(200);
    expect(checked.body).toMatchObject({ genuine: false, valid: false, fullySigned: false, reason: 'SIGNATURE_UNTRUSTED' });
    expect(checked.body.signatures.map((s: { name: string; trusted: boolean }) => [s.name, s.trusted])).toEqual([
      ['Kepala Biro Uji', false],
      ['Kepala Diskominfosantik', false],
    ]);
    // The head cannot accept it; the audit shows the waiting upload.
    expect(
      (
        await head.agent
          .post(`/api/v1/agreements/${id}/signed-document/accept`)
          .set('X-CSRF-Token', head.csrfToken)
          .send({ sha256: response.body.pendingDocument.sha256 })
      ).status,
    ).toBe(403);
    const audit = await db
      .selectFrom('auditLog')
      .select('action')
      .where('targetId', '=', id)
      .where('action', 'like', 'agreement.signed_document%')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['agreement.signed_document_pending']);
  });

  it('should let an operator other than the uploader accept or discard a pending document, only the one reviewed', async () => {
    const { id, original } = await agreementFor(h.app, '197503122000032102');
    const signed = await signWith(
      await signWith(original, selfSignedCredential('Kepala A', SECRET), 'Kepala A'),
      selfSignedCredential('Kepala B', SECRET),
      'Kepala B',
    );
    const uploaded = await attach(h.app, operator, id, signed);
    expect(uploaded.status).toBe(202);
    const sha256 = uploaded.body.pendingDocument.sha256 as string;
    const pending = await secondOperator.agent.get(`/api/v1/agreements/${id}/signed-document/pending`).buffer(true).parse(binaryBody);
    expect((pending.body as Buffer).equals(signed)).toBe(true);
    const accept = (who: SignedIn, hash: string) =>
      who.agent.post(`/api/v1/agreements/${id}/signed-document/accept`).set('X-CSRF-Token', who.csrfToken).send({ sha256: hash });
    expect((await accept(operator, sha256)).status).toBe(403); // the uploader
    expect((await accept(secondOperator, 'f'.repeat(64))).status).toBe(409); // not what was reviewed
    const discarded = await secondOperator.agent
      .delete(`/api/v1/agreements/${id}/signed-document/pending`)
      .set('X-CSRF-Token', secondOperator.csrfToken);
    expect(discarded.body).toMatchObject({ status: 'awaiting_institution_head', pendingDocument: null });
    expect((await accept(secondOperator, sha256)).status).toBe(404);
    expect((await attach(h.app, operator, id, signed)).status).toBe(202);
    const accepted = await accept(secondOperator, sha256);
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ status: 'in_force', signatures: [{ role: 'external', acceptedByOperator: true }] });
    const actions = (
      await db
        .selectFrom('auditLog')
        .select('action')
        .where('targetId', '=', id)
        .where('action', 'like', 'agreement.signed_document%')
        .orderBy('id')
        .execute()
    ).map((a) => a.action);
    expect(actions).toEqual([
      'agreement.signed_document_pending',
      'agreement.signed_document_discarded',
      'agreement.signed_document_pending',
      'agreement.signed_document_accepted',
    ]);
  });

  it('should refuse the home-made signatures outright once a root is configured', async () => {
    const app = appWith(['nip']);
    const { id, original, head } = await agreementFor(app, '197503122000032103');
    const forged = await signWith(
      await signWith(original, selfSignedCredential('Kepala Biro Uji', SECRET), 'Kepala Biro Uji'),
      selfSignedCredential('Kepala Diskominfosantik', SECRET),
      'Kepala Diskominfosantik',
    );
    const response = await attach(app, head, id, forged);
    expect(response.status).toBe(422);
    expect(response.body.error).toMatchObject({ code: 'DOCUMENT_REJECTED', details: { reason: 'SIGNATURE_UNTRUSTED' } });
    expect(response.body.error.message).toMatch(/penyelenggara sertifikasi/);
    expect((await status(id)).status).toBe('awaiting_institution_head');
    expect((await verify(app, forged)).body).toMatchObject({ genuine: false, reason: 'SIGNATURE_UNTRUSTED' });
  });

  it('should put the agreement in force when both signers are identified by NIP under the configured root', async () => {
    const app = appWith(['nip']);
    const nip = '197503122000032104';
    const { id, original, head } = await agreementFor(app, nip);
    const signed = await signWith(
      await signWith(original, issued('Kepala Biro Uji', nip, 'lain@kalteng.go.id'), 'Kepala Biro Uji'),
      dcHeadCredential,
      'Ir. Agus Priyanto, M.T.',
    );
    const response = await attach(app, head, id, signed);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      status: 'in_force',
      pendingDocument: null,
      signatures: [{ role: 'external', method: 'external' }],
    });
    expect(response.body.signatures[0].acceptedByOperator).toBeUndefined();
    const checked = await verify(app, signed);
    expect(checked.body).toMatchObject({ genuine: true, valid: true, fullySigned: true });
    expect(checked.body.signatures.map((s: { trusted: boolean }) => s.trusted)).toEqual([true, true]);
  });

  it('should refuse a trusted certificate that names someone else, or the parties in the wrong order', async () => {
    const app = appWith(['nip']);
    const nip = '197503122000032105';
    const { id, original, head } = await agreementFor(app, nip);
    const stranger = issued('Kepala Biro Uji', '199001012015011001', 'x@kalteng.go.id');
    const wrongPerson = await signWith(await signWith(original, stranger, 'Kepala Biro Uji'), dcHeadCredential, 'Ir. Agus Priyanto, M.T.');
    const refused = await attach(app, head, id, wrongPerson);
    expect(refused.status).toBe(422);
    expect(refused.body.error.details.reason).toBe('SIGNER_NOT_IDENTIFIED');
    const own = issued('Kepala Biro Uji', nip, 'y@kalteng.go.id');
    const swapped = await signWith(await signWith(original, dcHeadCredential, 'Ir. Agus Priyanto, M.T.'), own, 'Kepala Biro Uji');
    expect((await attach(app, head, id, swapped)).body.error.details.reason).toBe('SIGNER_NOT_IDENTIFIED');
    const extra = await signWith(
      await signWith(await signWith(original, own, 'Kepala Biro Uji'), dcHeadCredential, 'Ir. Agus Priyanto, M.T.'),
      dcHeadCredential,
      'Ir. Agus Priyanto, M.T.',
    );
    expect((await attach(app, head, id, extra)).body.error.details.reason).toBe('UNEXPECTED_SIGNATURES');
    expect((await status(id)).status).toBe('awaiting_institution_head');
  });

  it('should identify signers by e-mail when the office sets that rule, and keep Betang in-app signatures trusted', async () => {
    const app = appWith(['email']);
    const nip = '197503122000032106';
    const { id, original, head } = await agreementFor(app, nip);
    // NIP rule off: a certificate with only the right NIP is not enough.
    const byNipOnly = await signWith(
      await signWith(original, issued('Kepala Biro Uji', nip, 'lain@kalteng.go.id'), 'Kepala Biro Uji'),
      dcHeadCredential,
      'Ir. Agus Priyanto, M.T.',
    );
    expect((await attach(app, head, id, byNipOnly)).body.error.details.reason).toBe('SIGNER_NOT_IDENTIFIED');
    // The head signs in Betang (internal CA); the data-center head adds a certified signature by e-mail.
    const inApp = await head.agent
      .post(`/api/v1/agreements/${id}/signatures`)
      .set('X-CSRF-Token', head.csrfToken)
      .send({ password: 'Kata-Sandi-Uji-2026!', consent: true });
    expect(inApp.status).toBe(201);
    const current = (await head.agent.get(`/api/v1/agreements/${id}/document`).buffer(true).parse(binaryBody)).body as Buffer;
    const completed = await signWith(
      current,
      issued('Ir. Agus Priyanto, M.T.', undefined, dcHeadEmail.toUpperCase()),
      'Ir. Agus Priyanto, M.T.',
    );
    const response = await attach(app, head, id, completed);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      status: 'in_force',
      signatures: [{ role: 'institution_head', method: 'internal_ca' }, { role: 'external' }],
    });
    const checked = await verify(app, completed);
    expect(checked.body).toMatchObject({ genuine: true, valid: true });
    expect(checked.body.signatures.map((s: { trusted: boolean }) => s.trusted)).toEqual([true, true]);
  });
});
