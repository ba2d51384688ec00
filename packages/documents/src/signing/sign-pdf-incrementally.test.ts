import { createSigningCa } from '../crypto/signing-ca';
import { renderAgreementPdf } from '../agreement/render-agreement-pdf';
import { sampleAgreementData } from '../testing/agreement-fixture';
import { runPdfsig } from '../testing/pdfsig';
import { createSigningFixture, signMeta, TEST_MASTER_SECRET, type SigningFixture } from '../testing/signing-fixture';
import { DocumentErrorCode, isDocumentError } from '../errors/document-error';
import { firstRevision, hasPrefixRevision, lastStartxref } from '../verify/pdf-structure';
import { appendIncrementalUpdate } from './incremental-writer';
import { verifyPdfSignatures } from '../verify/verify-pdf-signatures';
import { createInternalCaSigner } from './internal-ca-signer';
import { signPdfIncrementally } from './sign-pdf-incrementally';

jest.setTimeout(60_000);

function flip(pdf: Buffer, at: number): Buffer {
  const t = Buffer.from(pdf);
  t[at] = t[at] === 0x41 ? 0x42 : 0x41;
  return t;
}

describe('signPdfIncrementally', () => {
  let fx: SigningFixture;
  let original: Buffer;
  let once: Buffer;
  let twice: Buffer;

  beforeAll(async () => {
    fx = createSigningFixture();
    original = await renderAgreementPdf(sampleAgreementData());
    once = await signPdfIncrementally(
      original,
      createInternalCaSigner(fx.institutionHead, TEST_MASTER_SECRET),
      signMeta('Dra. Siti Rahmawati, M.Si.'),
    );
    twice = await signPdfIncrementally(
      once,
      createInternalCaSigner(fx.dataCenterHead, TEST_MASTER_SECRET),
      signMeta('Ir. Agus Priyanto, M.T.'),
    );
  });

  it('should keep every earlier revision as an untouched byte prefix', () => {
    expect(once.subarray(0, original.length).equals(original)).toBe(true);
    expect(twice.subarray(0, once.length).equals(once)).toBe(true);
    expect(firstRevision(twice).equals(original)).toBe(true);
    expect(hasPrefixRevision(twice, original)).toBe(true);
  });

  it('should be reported valid for both signatures by pdfsig, without syntax errors or warnings', () => {
    const report = runPdfsig(twice);
    expect(report.syntaxLines).toEqual([]);
    expect(report.validations).toEqual(['Signature is Valid.', 'Signature is Valid.']);
    expect(report.output).toContain('Signature Type: ETSI.CAdES.detached');
    expect(report.output).toContain('Total document signed');
  });

  it('should be verified by the PKI.js verifier, chained to the internal CA', async () => {
    const r = await verifyPdfSignatures(twice, { trustedCaPems: [fx.ca.certPem] });
    expect(r.revisions).toBe(3);
    expect(r.modifiedAfterLastSignature).toBe(false);
    expect(r.signatures.map((s) => s.signerName)).toEqual(['Dra. Siti Rahmawati, M.Si.', 'Ir. Agus Priyanto, M.T.']);
    for (const s of r.signatures) {
      expect(s).toMatchObject({ digestValid: true, signatureValid: true, chainTrusted: true, subFilter: 'ETSI.CAdES.detached' });
      expect(s.reason).toBe('Menyetujui Perjanjian Pemanfaatan Server');
    }
    expect(r.signatures[0]?.coversRevisionEndingAt).toBe(once.length);
    expect(r.signatures[0]?.coversWholeFile).toBe(false);
    expect(r.signatures[1]?.coversWholeFile).toBe(true);
    expect(r.signatures[1]?.signerCertPem).toBe(fx.dataCenterHead.certPem.replace(/\r\n/g, '\n'));
  });

  it('should not trust the chain without (or with a foreign) trust anchor', async () => {
    const foreign = createSigningCa({ commonName: 'CA Lain', organization: 'Lain', masterSecret: TEST_MASTER_SECRET });
    expect((await verifyPdfSignatures(twice)).signatures.every((s) => !s.chainTrusted)).toBe(true);
    expect(
      (await verifyPdfSignatures(twice, { trustedCaPems: [foreign.certPem, 'bukan PEM'] })).signatures.every((s) => !s.chainTrusted),
    ).toBe(true);
  });

  it('should report a changed byte in the first revision in both verifiers, for both signatures', async () => {
    const at = original.indexOf('(id-ID)') + 1;
    const tampered = flip(twice, at);
    expect(runPdfsig(tampered).validations).toEqual(['Digest Mismatch.', 'Digest Mismatch.']);
    expect((await verifyPdfSignatures(tampered)).signatures.map((s) => s.digestValid)).toEqual([false, false]);
  });

  it('should report a changed byte in the second revision in both verifiers', async () => {
    const at = once.indexOf('/Reason (Menyetujui', original.length) + 10;
    const tampered = flip(twice, at);
    expect(runPdfsig(tampered).validations).toEqual(['Digest Mismatch.', 'Digest Mismatch.']);
    expect((await verifyPdfSignatures(tampered)).signatures.map((s) => s.digestValid)).toEqual([false, false]);
  });

  it('should report a changed byte in the last revision for the last signature only', async () => {
    const at = twice.indexOf('/ContactInfo (', once.length) + 15;
    const tampered = flip(twice, at);
    expect(runPdfsig(tampered).validations).toEqual(['Signature is Valid.', 'Digest Mismatch.']);
    expect((await verifyPdfSignatures(tampered)).signatures.map((s) => s.digestValid)).toEqual([true, false]);
  });

  it('should flag a changed byte in the /Contents padding (which pdfsig ignores)', async () => {
    const at = twice.lastIndexOf('00>');
    const r = await verifyPdfSignatures(flip(twice, at));
    expect(r.signatures[1]?.signatureValid).toBe(false);
    expect(r.signatures[0]?.signatureValid).toBe(true);
  });

  it('should flag an unsigned revision appended after the last signature', async () => {
    const extra = appendIncrementalUpdate(twice, [{ num: 2, gen: 0, body: '<<\n/Type /Catalog\n/Pages 1 0 R\n>>' }], {
      size: 40,
      root: '2 0 R',
      prev: lastStartxref(twice),
    });
    const r = await verifyPdfSignatures(extra);
    expect(r.revisions).toBe(4);
    expect(r.modifiedAfterLastSignature).toBe(true);
    expect(r.signatures[1]).toMatchObject({ coversWholeFile: false, digestValid: true, signatureValid: true });
  });

  it('should treat trailing garbage after the last %%EOF as a truncated revision', async () => {
    const err = await verifyPdfSignatures(Buffer.concat([twice, Buffer.from('\n% appended\n')])).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isDocumentError(err, DocumentErrorCode.Truncated)).toBe(true);
  });

  it('should also produce pdfsig-valid adbe.pkcs7.detached signatures with a signingTime', async () => {
    const signedAt = new Date(Math.floor(Date.now() / 1000) * 1000);
    const signer = createInternalCaSigner(fx.institutionHead, TEST_MASTER_SECRET, { subFilter: 'adbe.pkcs7.detached' });
    const pdf = await signPdfIncrementally(original, signer, signMeta('Dra. Siti Rahmawati, M.Si.', signedAt));
    const report = runPdfsig(pdf);
    expect(report.syntaxLines).toEqual([]);
    expect(report.validations).toEqual(['Signature is Valid.']);
    const r = await verifyPdfSignatures(pdf, { trustedCaPems: [fx.ca.certPem] });
    expect(r.signatures[0]).toMatchObject({
      subFilter: 'adbe.pkcs7.detached',
      signatureValid: true,
      digestValid: true,
      chainTrusted: true,
    });
    expect(r.signatures[0]?.signedAt?.getTime()).toBe(signedAt.getTime());
  });
});
