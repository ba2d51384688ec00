import { renderAgreementPdf } from '../agreement/render-agreement-pdf';
import { DocumentErrorCode, isDocumentError, type DocumentError } from '../errors/document-error';
import { createInternalCaSigner } from '../signing/internal-ca-signer';
import { signPdfIncrementally } from '../signing/sign-pdf-incrementally';
import { sampleAgreementData } from '../testing/agreement-fixture';
import { createSigningFixture, signMeta, TEST_MASTER_SECRET } from '../testing/signing-fixture';
import { firstRevision, hasPrefixRevision } from './pdf-structure';
import { verifyPdfSignatures } from './verify-pdf-signatures';

jest.setTimeout(60_000);

async function errorOf(fn: () => unknown): Promise<DocumentError> {
  try {
    await fn();
  } catch (e) {
    if (isDocumentError(e)) return e;
    throw new Error(`expected a DocumentError, got ${String(e)}`, { cause: e });
  }
  throw new Error('expected an error');
}

/** Replaces the bytes at `at` with `text` (same length keeps every offset valid). */
function patch(pdf: Buffer, at: number, text: string): Buffer {
  const t = Buffer.from(pdf);
  t.write(text, at, 'latin1');
  return t;
}

describe('verifyPdfSignatures on hostile input', () => {
  let original: Buffer;
  let signed: Buffer;

  beforeAll(async () => {
    const fx = createSigningFixture();
    original = await renderAgreementPdf(sampleAgreementData());
    signed = await signPdfIncrementally(original, createInternalCaSigner(fx.institutionHead, TEST_MASTER_SECRET), signMeta('Uji'));
  });

  it('should reject non-PDF input with NOT_A_PDF', async () => {
    expect((await errorOf(() => verifyPdfSignatures(Buffer.from('hello, world')))).code).toBe(DocumentErrorCode.NotAPdf);
    expect((await errorOf(() => verifyPdfSignatures(Buffer.alloc(0)))).code).toBe(DocumentErrorCode.NotAPdf);
    expect((await errorOf(() => verifyPdfSignatures('%PDF-1.7' as unknown as Buffer))).code).toBe(DocumentErrorCode.NotAPdf);
    const e = await errorOf(() => verifyPdfSignatures(Buffer.from('<html>')));
    expect(e.userMessage.id).toMatch(/bukan dokumen PDF/);
    expect(e.userMessage.en).toMatch(/not a PDF/);
  });

  it('should reject truncated files with TRUNCATED', async () => {
    expect((await errorOf(() => verifyPdfSignatures(signed.subarray(0, Math.floor(signed.length / 2))))).code).toBe(
      DocumentErrorCode.Truncated,
    );
    expect((await errorOf(() => verifyPdfSignatures(signed.subarray(0, signed.length - 20)))).code).toBe(DocumentErrorCode.Truncated);
    expect((await errorOf(() => verifyPdfSignatures(Buffer.from('%PDF-1.7\n')))).code).toBe(DocumentErrorCode.Truncated);
  });

  it('should reject a 25 MB file with TOO_LARGE before parsing, and honour maxBytes', async () => {
    const huge = Buffer.alloc(25 * 1024 * 1024, 0x20);
    huge.write('%PDF-1.7\n', 0, 'latin1');
    expect((await errorOf(() => verifyPdfSignatures(huge))).code).toBe(DocumentErrorCode.TooLarge);
    expect((await errorOf(() => verifyPdfSignatures(signed, { maxBytes: 1000 }))).code).toBe(DocumentErrorCode.TooLarge);
  });

  it('should reject a broken /ByteRange with SIGNATURE_MALFORMED or TRUNCATED', async () => {
    const at = signed.indexOf('/ByteRange [') + '/ByteRange ['.length;
    expect((await errorOf(() => verifyPdfSignatures(patch(signed, at, 'x')))).code).toBe(DocumentErrorCode.SignatureMalformed);
    expect((await errorOf(() => verifyPdfSignatures(patch(signed, at, '7')))).code).toBe(DocumentErrorCode.SignatureMalformed);
    const range = /\[0 (\d+) (\d+) (\d+)/.exec(signed.subarray(at - 1, at + 40).toString('latin1'));
    if (!range) throw new Error('no /ByteRange array in the signed PDF');
    const [b, c] = [Number(range[1]), Number(range[2])];
    const far = `[0 ${b} ${c} 99999999999]`;
    expect((await errorOf(() => verifyPdfSignatures(patch(signed, at - 1, far)))).code).toBe(DocumentErrorCode.Truncated);
    const shifted = `[0 ${b + 1} ${c} ${signed.length - c}]`.padEnd(38, ' ');
    expect((await errorOf(() => verifyPdfSignatures(patch(signed, at - 1, shifted)))).code).toBe(DocumentErrorCode.SignatureMalformed);
  });

  it('should reject garbage /Contents with SIGNATURE_MALFORMED', async () => {
    const start = signed.indexOf('/Contents <') + '/Contents <'.length;
    const garbage = 'DEADBEEF'.repeat(64);
    expect((await errorOf(() => verifyPdfSignatures(patch(signed, start, garbage)))).code).toBe(DocumentErrorCode.SignatureMalformed);
    expect((await errorOf(() => verifyPdfSignatures(patch(signed, start, 'ZZ')))).code).toBe(DocumentErrorCode.SignatureMalformed);
    // deeply nested indefinite-length SEQUENCEs: must fail cleanly, not overflow the stack
    expect((await errorOf(() => verifyPdfSignatures(patch(signed, start, '3080'.repeat(500))))).code).toBe(
      DocumentErrorCode.SignatureMalformed,
    );
    // a SEQUENCE that claims 4 GB of content
    expect((await errorOf(() => verifyPdfSignatures(patch(signed, start, '3084FFFFFFFF')))).code).toBe(
      DocumentErrorCode.SignatureMalformed,
    );
  });

  it('should refuse a file stuffed with many signature dictionaries', async () => {
    const pad = (n: number) => String(n).padStart(10, '0');
    const seg = (b: number, c: number, d: number) =>
      `${'n'} 0 obj\n<< /ByteRange [0 ${pad(b)} ${pad(c)} ${pad(d)}] /Contents <00> >>\nendobj\n`;
    const head = '%PDF-1.7\n';
    const tail = 'startxref\n0\n%%EOF\n';
    const segLen = seg(0, 0, 0).length;
    const total = head.length + 40 * segLen + tail.length;
    let body = head;
    for (let i = 0; i < 40; i++) {
      const lt = body.length + segLen - '<00> >>\nendobj\n'.length;
      body += seg(lt, lt + 4, total - (lt + 4));
    }
    const stuffed = Buffer.from(body + tail, 'latin1');
    expect(stuffed.length).toBe(total);
    const err = await verifyPdfSignatures(stuffed).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isDocumentError(err, DocumentErrorCode.SignatureMalformed)).toBe(true);
    expect(isDocumentError(err) && err.details?.detail).toBe('more than 32 signatures');
  });

  it('should only ever throw DocumentError when random bytes are changed', async () => {
    let seed = 42;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 300; i++) {
      const t = Buffer.from(signed);
      for (let k = 0; k < 3; k++) t[Math.floor(rand() * t.length)] = Math.floor(rand() * 256);
      try {
        const r = await verifyPdfSignatures(t);
        expect(r.signatures.length).toBeLessThanOrEqual(1);
      } catch (e) {
        expect(isDocumentError(e)).toBe(true);
      }
    }
  });

  it('should only ever throw DocumentError when the CMS bytes are changed', async () => {
    const start = signed.indexOf('/Contents <') + '/Contents <'.length;
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    let flagged = 0;
    for (let i = 0; i < 300; i++) {
      const at = start + Math.floor(rand() * 6000);
      try {
        const [s] = (await verifyPdfSignatures(patch(signed, at, '0123456789ABCDEF'.charAt(Math.floor(rand() * 16))))).signatures;
        if (!s) throw new Error('the changed signature is not reported at all');
        if (!s.signatureValid || !s.digestValid) flagged++;
      } catch (e) {
        expect(isDocumentError(e)).toBe(true);
        flagged++;
      }
    }
    expect(flagged).toBeGreaterThan(0);
  });

  it('should report an unsigned PDF as having no signatures', async () => {
    const r = await verifyPdfSignatures(original);
    expect(r).toEqual({ isPdf: true, revisions: 1, signatures: [], modifiedAfterLastSignature: false });
  });

  it('should apply the same typed errors to firstRevision and hasPrefixRevision', async () => {
    expect((await errorOf(() => firstRevision(Buffer.from('nope')))).code).toBe(DocumentErrorCode.NotAPdf);
    expect((await errorOf(() => hasPrefixRevision(signed, Buffer.from('nope')))).code).toBe(DocumentErrorCode.NotAPdf);
  });
});
