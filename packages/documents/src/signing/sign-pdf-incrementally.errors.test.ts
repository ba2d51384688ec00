import { PDFDocument } from 'pdf-lib';
import { DocumentErrorCode, isDocumentError } from '../errors/document-error';
import { runPdfsig } from '../testing/pdfsig';
import { createSigningFixture, signMeta, TEST_MASTER_SECRET } from '../testing/signing-fixture';
import { createInternalCaSigner } from './internal-ca-signer';
import { signPdfIncrementally } from './sign-pdf-incrementally';
import type { Signer } from './signer.port';

jest.setTimeout(30_000);

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  return isDocumentError(e) ? e.code : `not a DocumentError: ${String(e)}`;
}

async function simplePdf(useObjectStreams: boolean): Promise<Buffer> {
  const doc = await PDFDocument.create();
  doc.addPage();
  return Buffer.from(await doc.save({ useObjectStreams }));
}

describe('signPdfIncrementally errors', () => {
  const fx = createSigningFixture();
  const signer = createInternalCaSigner(fx.institutionHead, TEST_MASTER_SECRET);

  it('should refuse PDFs whose cross-reference is a stream', async () => {
    expect(await codeOf(signPdfIncrementally(await simplePdf(true), signer, signMeta('Uji')))).toBe(DocumentErrorCode.UnsupportedPdf);
  });

  it('should refuse non-PDF input and invalid dates', async () => {
    expect(await codeOf(signPdfIncrementally(Buffer.from('nope'), signer, signMeta('Uji')))).toBe(DocumentErrorCode.NotAPdf);
    expect(await codeOf(signPdfIncrementally(await simplePdf(false), signer, signMeta('Uji', new Date('x'))))).toBe(
      DocumentErrorCode.InvalidArgument,
    );
  });

  it('should fail with KEY_DECRYPTION_FAILED under a wrong master secret', async () => {
    const wrong = createInternalCaSigner(fx.institutionHead, 'rahasia-yang-salah-0123456789');
    expect(await codeOf(signPdfIncrementally(await simplePdf(false), wrong, signMeta('Uji')))).toBe(DocumentErrorCode.KeyDecryptionFailed);
  });

  it('should wrap signer failures and oversized signatures as SIGNING_FAILED', async () => {
    const failing: Signer = { kind: 'bsre', sign: async () => Promise.reject(new Error('HTTP 503')) };
    const huge: Signer = { kind: 'bsre', maxSignatureBytes: 64, sign: async () => Buffer.alloc(65, 1) };
    const pdf = await simplePdf(false);
    expect(await codeOf(signPdfIncrementally(pdf, failing, signMeta('Uji')))).toBe(DocumentErrorCode.SigningFailed);
    expect(await codeOf(signPdfIncrementally(pdf, huge, signMeta('Uji')))).toBe(DocumentErrorCode.SigningFailed);
  });

  it('should sign a plain pdf-lib document that has no AcroForm yet', async () => {
    const pdf = await simplePdf(false);
    const seen: Buffer[] = [];
    const spy: Signer = { kind: 'spy', sign: async (input) => (seen.push(input.pdf), signer.sign(input)) };
    const signed = await signPdfIncrementally(pdf, spy, signMeta('Uji'));
    expect(signed.subarray(0, pdf.length).equals(pdf)).toBe(true);
    expect(seen[0]?.length).toBeLessThan(signed.length);
    expect(signed.toString('latin1')).toMatch(/\/SigFlags 3/);
    const report = runPdfsig(signed);
    expect(report.syntaxLines).toEqual([]);
    expect(report.validations).toEqual(['Signature is Valid.']);
  });

  it('should keep existing AcroForm fields and sign cleanly twice on top of them', async () => {
    const doc = await PDFDocument.create();
    const page = doc.addPage();
    const field = doc.getForm().createTextField('catatan');
    field.setText('isian');
    field.addToPage(page, { x: 50, y: 700 });
    const pdf = Buffer.from(await doc.save({ useObjectStreams: false }));
    const once = await signPdfIncrementally(pdf, signer, signMeta('Satu'));
    const twice = await signPdfIncrementally(once, createInternalCaSigner(fx.dataCenterHead, TEST_MASTER_SECRET), signMeta('Dua'));
    const report = runPdfsig(twice);
    expect(report.syntaxLines).toEqual([]);
    expect(report.validations).toEqual(['Signature is Valid.', 'Signature is Valid.']);
    const names = (await PDFDocument.load(twice))
      .getForm()
      .getFields()
      .map((f) => f.getName());
    expect(names).toEqual(['catatan', 'TandaTangan2', 'TandaTangan3']);
  });
});
