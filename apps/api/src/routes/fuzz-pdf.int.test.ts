import { Role } from '@betang/core';
import { insertApplication, type Db } from '@betang/db';
import {
  createInternalCaSigner,
  createSigningCa,
  issueSignerCredential,
  signPdfIncrementally,
  type SignerCredential,
} from '@betang/documents';
import { bigExponentIssuerCertificate, certificateFloodSigner } from '@betang/documents/testing';
import { makeInstitution, makeUser } from '@betang/testkit';
import request from 'supertest';
import { signInAs, startApiHarness, type ApiHarness, type SignedIn } from '../testing/api-harness';
import { fuzzSeed, seededRandom } from '../testing/fuzz-seed';
import { errorBodyProblems } from '../testing/route-walk';
import { binaryBody, median } from '../testing/response-bodies';

const SECRET = 'rahasia-uji-fuzz-pdf-0123456789abcdef';
/** A hostile answer may take this many times as long as verifying a genuine signed agreement. */
const SLOWDOWN_ALLOWED = 25;

jest.setTimeout(300_000);

/** Seeds the random CMS bytes and the randomly changed bytes; printed at start and in a failure. */
const { seed: SEED, replay: REPLAY } = fuzzSeed(__filename);

const latin1 = (s: string) => Buffer.from(s, 'latin1');

/** Appends an incremental revision (`body` then an empty xref, a trailer and the end markers) after the last %%EOF. */
function appendRevision(pdf: Buffer, body: string, prevXref = 0): Buffer {
  const start = pdf.length + 1 + body.length;
  return Buffer.concat([
    pdf,
    latin1(`\n${body}xref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size 1 /Prev ${prevXref} >>\nstartxref\n${start}\n%%EOF\n`),
  ]);
}

/** Replaces bytes at `at` with `text` (same length keeps every offset valid). */
function patch(pdf: Buffer, at: number, text: string): Buffer {
  const t = Buffer.from(pdf);
  t.write(text, at, 'latin1');
  return t;
}

/** A signature dictionary whose /ByteRange exactly fits its own /Contents gap, appended as a revision. */
function fakeSignatureRevision(pdf: Buffer, hex: string): Buffer {
  const pad = (n: number) => String(n).padStart(10, '0');
  const head = `\n99 0 obj\n<< /Type /Sig /ByteRange [0 ${pad(0)} ${pad(0)} ${pad(0)}] /Contents <`;
  const tail = `> >>\nendobj\nstartxref\n${pdf.length}\n%%EOF\n`;
  const b = pdf.length + head.length - 1;
  const c = b + hex.length + 2;
  const total = pdf.length + head.length + hex.length + tail.length;
  return Buffer.concat([pdf, latin1(head.replace(`${pad(0)} ${pad(0)} ${pad(0)}`, `${pad(b)} ${pad(c)} ${pad(total - c)}`) + hex + tail)]);
}

/**
 * Hostile PDFs against the two routes that verify uploaded documents: POST /verify (public) and
 * POST /agreements/:id/signed-document. Every answer is a well-formed error in the language asked
 * (4xx) or, for /verify, a 200 that says "not genuine" — never a 5xx — and comes back in a small
 * multiple of the time a genuine document takes. Nothing is stored.
 */
describe('fuzz: hostile PDFs against POST /verify and the signed-document upload', () => {
  let h: ApiHarness;
  let db: Db;
  let head: SignedIn;
  let agreementId: string;
  let original: Buffer;
  let signed: Buffer;
  let credential: SignerCredential;
  const cases: [string, Buffer][] = [];

  beforeAll(async () => {
    h = await startApiHarness({ rateLimits: { verifyPerIp: { name: 'verify-ip', limit: 100_000, windowSeconds: 60 } } });
    db = h.database.db;
    const institutionId = (await makeInstitution(db)).id;
    const applicationId = (
      await insertApplication(db, institutionId, {
        name: 'Portal Fuzz',
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
    await db.updateTable('users').set({ nip: '197503122000032301', position: 'Kepala Biro' }).where('id', '=', headUser.id).execute();
    await db.updateTable('users').set({ nip: '197108151998031005', position: 'Kepala Dinas' }).where('id', '=', dcUser.id).execute();
    const operator = await signInAs(h.app, (await makeUser(db, { roles: [Role.Operator] })).email);
    const created = await operator.agent
      .post('/api/v1/agreements')
      .set('X-CSRF-Token', operator.csrfToken)
      .send({
        institutionId,
        ceiling: { cores: 2, memoryMiB: 2048, diskGiB: 20, vmCount: 1, ipCount: 1 },
        applicationIds: [applicationId],
        osTemplates: ['Debian 12'],
      });
    agreementId = created.body.id;
    head = await signInAs(h.app, headUser.email);
    original = (await head.agent.get(`/api/v1/agreements/${agreementId}/document`).buffer(true).parse(binaryBody)).body as Buffer;

    const ca = createSigningCa({ commonName: 'CA Fuzz', organization: 'Fuzz', masterSecret: SECRET });
    credential = issueSignerCredential(
      ca,
      SECRET,
      { name: 'Penanda Fuzz', email: 'f@contoh.id', role: 'Uji', institution: 'Uji' },
      { keyBits: 2048 },
    );
    const sign = (pdf: Buffer) =>
      signPdfIncrementally(pdf, createInternalCaSigner(credential, SECRET), {
        signerName: 'Penanda Fuzz',
        reason: 'x',
        location: 'x',
        contactInfo: 'x',
        signedAt: new Date(),
      });
    signed = await sign(await sign(original));
    const lastXref = Number(/startxref\s+(\d+)\s+%%EOF\s*$/.exec(original.toString('latin1'))![1]);
    const contents = signed.lastIndexOf('/Contents <') + '/Contents <'.length;
    const withoutChain = { ...credential, chainPems: [] };
    const big = bigExponentIssuerCertificate(credential.certPem);

    const rand = seededRandom(SEED);
    cases.push(
      ['not a PDF', latin1('<html>bukan pdf</html>')],
      ['header only', latin1('%PDF-1.7\n')],
      ['header and a lone %%EOF', latin1('%PDF-1.7\n%%EOF\n')],
      ['truncated xref table', Buffer.concat([original.subarray(0, lastXref + 40), latin1(`\nstartxref\n${lastXref}\n%%EOF\n`)])],
      ['startxref past the end', Buffer.concat([original, latin1('\nstartxref\n99999999999\n%%EOF\n')])],
      ['cut inside the last signature', signed.subarray(0, signed.length - 500)],
      [
        'huge declared stream length',
        appendRevision(original, '50 0 obj\n<< /Length 99999999999 >>\nstream\nabc\nendstream\nendobj\n', lastXref),
      ],
      [
        'huge /ByteRange numbers',
        appendRevision(
          original,
          '51 0 obj\n<< /Type /Sig /ByteRange [0 999999999999 999999999999 999999999999] /Contents <00> >>\nendobj\n',
          lastXref,
        ),
      ],
      [
        'negative /ByteRange',
        appendRevision(original, '52 0 obj\n<< /Type /Sig /ByteRange [0 -5 10 -20] /Contents <00> >>\nendobj\n', lastXref),
      ],
      ['deeply nested arrays', appendRevision(original, `53 0 obj\n${'['.repeat(200_000)}${']'.repeat(200_000)}\nendobj\n`, lastXref)],
      [
        'deeply nested dictionaries',
        appendRevision(original, `54 0 obj\n${'<< /A '.repeat(100_000)}1${' >>'.repeat(100_000)}\nendobj\n`, lastXref),
      ],
      ['300 empty revisions', Array.from({ length: 300 }).reduce<Buffer>((pdf) => appendRevision(pdf, '', lastXref), original)],
      ['100 empty revisions', Array.from({ length: 100 }).reduce<Buffer>((pdf) => appendRevision(pdf, '', lastXref), original)],
      ['a million %%EOF markers', Buffer.concat([original, latin1(`\n${'%%EOF'.repeat(1_000_000)}\nstartxref\n${lastXref}\n%%EOF\n`)])],
      ['a million /ByteRange keys', appendRevision(original, `55 0 obj\n<< ${'/ByteRange '.repeat(500_000)}>>\nendobj\n`, lastXref)],
      ['garbage CMS', patch(signed, contents, 'DEADBEEF'.repeat(256))],
      ['CMS of deep indefinite lengths', patch(signed, contents, '3080'.repeat(2_000))],
      ['CMS claiming 4 GB', patch(signed, contents, '3084FFFFFFFF')],
      ['non-hex /Contents', patch(signed, contents, 'ZZ')],
      [
        'random CMS bytes',
        fakeSignatureRevision(original, Buffer.from(Array.from({ length: 4096 }, () => Math.floor(rand() * 256))).toString('hex')),
      ],
      ['8 MiB of zero /Contents', fakeSignatureRevision(original, '0'.repeat(8 * 1024 * 1024))],
      [
        '17 certificates in one CMS',
        await signPdfIncrementally(original, certificateFloodSigner(withoutChain, SECRET, credential.certPem, 17), {
          signerName: 'x',
          reason: 'x',
          location: 'x',
          contactInfo: 'x',
          signedAt: new Date(),
        }),
      ],
      [
        'one big-exponent certificate',
        await signPdfIncrementally(original, certificateFloodSigner(withoutChain, SECRET, big, 1), {
          signerName: 'x',
          reason: 'x',
          location: 'x',
          contactInfo: 'x',
          signedAt: new Date(),
        }),
      ],
      [
        '2000 big-exponent certificates',
        await signPdfIncrementally(original, certificateFloodSigner(withoutChain, SECRET, big, 2_000), {
          signerName: 'x',
          reason: 'x',
          location: 'x',
          contactInfo: 'x',
          signedAt: new Date(),
        }),
      ],
      ['larger than the limit', Buffer.concat([signed, Buffer.alloc(11 * 1024 * 1024, 0x20)])],
    );
    for (let i = 0; i < 12; i++) {
      const t = Buffer.from(signed);
      for (let k = 0; k < 4; k++) t[original.length + Math.floor(rand() * (signed.length - original.length))] = Math.floor(rand() * 256);
      cases.push([`random bytes changed #${i + 1}`, t]);
    }
  }, 180_000);
  afterAll(() => h.close());

  const verify = (pdf: Buffer, lang: string) =>
    request(h.app).post('/api/v1/verify').set('Content-Type', 'application/pdf').set('Accept-Language', lang).send(pdf);
  const upload = (pdf: Buffer, lang: string) =>
    head.agent
      .post(`/api/v1/agreements/${agreementId}/signed-document`)
      .set('X-CSRF-Token', head.csrfToken)
      .set('Content-Type', 'application/pdf')
      .set('Accept-Language', lang)
      .send(pdf);

  async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
    const started = process.hrtime.bigint();
    const result = await fn();
    return [result, Number(process.hrtime.bigint() - started) / 1e6];
  }

  /**
   * A shared machine can stall any one request. A case counts as slow only when it stays over the
   * budget on three tries, each against a baseline measured just before it: work that really grows
   * with the hostile input is slow every time.
   */
  async function slowEveryTime(
    firstMs: number,
    again: () => Promise<unknown>,
    genuine: () => Promise<unknown>,
  ): Promise<string | undefined> {
    const tries = [`${Math.round(firstMs)} ms vs ${Math.round(median(baseline))} ms`];
    if (firstMs <= SLOWDOWN_ALLOWED * median(baseline)) return undefined;
    for (let attempt = 0; attempt < 2; attempt++) {
      const [, base] = await timed(genuine);
      const [, ms] = await timed(again);
      if (ms <= SLOWDOWN_ALLOWED * base) return undefined;
      tries.push(`${Math.round(ms)} ms vs ${Math.round(base)} ms`);
    }
    return `over ${SLOWDOWN_ALLOWED}× the genuine document on every try (${tries.join(', ')})`;
  }

  const baseline: number[] = [];

  it('should answer every hostile PDF with a bilingual 4xx or a not-genuine 200, quickly, and store nothing', async () => {
    const before = await db
      .selectFrom('agreements')
      .select(['status', 'currentSha256'])
      .where('id', '=', agreementId)
      .executeTakeFirstOrThrow();
    for (let i = 0; i < 5; i++) {
      const [response, ms] = await timed(() => verify(signed, 'id'));
      expect(response.status).toBe(200);
      baseline.push(ms);
    }
    const problems: string[] = [];
    for (const [index, [name, pdf]] of cases.entries()) {
      for (const [routeIndex, [route, send]] of (
        [
          ['verify', verify],
          ['upload', upload],
        ] as const
      ).entries()) {
        // Both routes get both languages across the cases.
        const lang = (index + routeIndex) % 2 === 0 ? 'id' : 'en';
        const [response, ms] = await timed(() => send(pdf, lang));
        const where = `${route} "${name}" (${lang}) → ${response.status}`;
        const slow = await slowEveryTime(
          ms,
          () => send(pdf, lang),
          () => verify(signed, 'id'),
        );
        if (slow) problems.push(`${where}: ${slow}`);
        if (response.status === 200 && route === 'verify') {
          if (response.body.genuine !== false || response.body.valid !== false) problems.push(`${where}: said genuine`);
          continue;
        }
        if (response.status < 400 || response.status >= 500) {
          problems.push(`${where}: ${JSON.stringify(response.body).slice(0, 300)}`);
          continue;
        }
        problems.push(...errorBodyProblems(response).map((p) => `${where}: ${p}`));
        const message = String(response.body.error?.message ?? '');
        // Indonesian messages use Indonesian words; English ones do not.
        const looksIndonesian = /\b(tidak|berkas|tanda|dokumen|terlalu|bukan|rusak|batas)\b/i.test(message);
        if ((lang === 'id') !== looksIndonesian) problems.push(`${where}: message not in ${lang}: ${message}`);
      }
    }
    expect({ replay: REPLAY, problems }).toEqual({ replay: REPLAY, problems: [] });
    expect(
      await db.selectFrom('agreements').select(['status', 'currentSha256']).where('id', '=', agreementId).executeTakeFirstOrThrow(),
    ).toEqual(before);
    expect(await db.selectFrom('agreementPendingDocuments').select('agreementId').execute()).toEqual([]);
    expect(await db.selectFrom('agreementSignatures').select('id').where('agreementId', '=', agreementId).execute()).toEqual([]);
  });
});
