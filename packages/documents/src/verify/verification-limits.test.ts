import { X509Certificate } from 'node:crypto';
import { renderAgreementPdf } from '../agreement/render-agreement-pdf';
import { createSigningCa, issueSignerCredential } from '../crypto/signing-ca';
import { DocumentErrorCode, isDocumentError } from '../errors/document-error';
import { createInternalCaSigner } from '../signing/internal-ca-signer';
import { signPdfIncrementally } from '../signing/sign-pdf-incrementally';
import { sampleAgreementData } from '../testing/agreement-fixture';
import { bigExponentIssuerCertificate, certificateFloodSigner } from '../testing/hostile-certificates';
import { signMeta, TEST_MASTER_SECRET } from '../testing/signing-fixture';
import * as chain from './certificate-chain';
import { certInfo } from './certificate-info';
import { MAX_REVISIONS, revisionEnds } from './pdf-structure';
import { assertAcceptableKey, VERIFICATION_LIMITS, VerificationBudget } from './verification-limits';
import { verifyPdfSignatures } from './verify-pdf-signatures';

jest.setTimeout(60_000);

async function codeOf(fn: () => unknown): Promise<string> {
  try {
    await fn();
  } catch (e) {
    if (isDocumentError(e)) return `${e.code}: ${String(e.details?.detail ?? '')}`;
    throw e;
  }
  return 'no error';
}

describe('verification limits', () => {
  const ca = createSigningCa({ commonName: 'CA Uji Batas', organization: 'Uji', masterSecret: TEST_MASTER_SECRET });
  const credential = issueSignerCredential(
    ca,
    TEST_MASTER_SECRET,
    { name: 'Penanda Uji', email: 'uji@kalteng.go.id', role: 'Uji', institution: 'Uji' },
    { keyBits: 2048 },
  );
  // The signer's CA is left out of the CMS on purpose: a path builder then looks through the flood.
  const withoutChain = { ...credential, chainPems: [] };
  const big = bigExponentIssuerCertificate(credential.certPem);
  let original: Buffer;

  beforeAll(async () => {
    original = await renderAgreementPdf(sampleAgreementData());
  });

  it('should refuse an RSA key with an absurd public exponent or modulus before using it', () => {
    expect(() => assertAcceptableKey(new X509Certificate(big))).toThrow(/exponent/);
    expect(() => assertAcceptableKey(new X509Certificate(credential.certPem))).not.toThrow();
    expect(VERIFICATION_LIMITS.rsaMaxPublicExponent).toBeLessThan(2n ** 33n);
  });

  it('should refuse a CMS carrying more certificates than the limit, without checking any of them', async () => {
    const flood = await signPdfIncrementally(
      original,
      certificateFloodSigner(withoutChain, TEST_MASTER_SECRET, ca.certPem, 40),
      signMeta('Penanda Uji'),
    );
    const spend = jest.spyOn(VerificationBudget.prototype, 'spend');
    try {
      expect(await codeOf(() => verifyPdfSignatures(flood, { trustedCaPems: [ca.certPem] }))).toMatch(
        /^SIGNATURE_MALFORMED: signature 1: 41 certificates in one CMS/,
      );
      expect(spend).not.toHaveBeenCalled();
    } finally {
      spend.mockRestore();
    }
  });

  it('should refuse a CMS carrying a big-exponent certificate quickly, even a single one', async () => {
    const one = await signPdfIncrementally(
      original,
      certificateFloodSigner(withoutChain, TEST_MASTER_SECRET, big, 1),
      signMeta('Penanda Uji'),
    );
    const started = process.hrtime.bigint();
    expect(await codeOf(() => verifyPdfSignatures(one))).toMatch(/^SIGNATURE_MALFORMED: .*exponent/);
    // 1 failing check with that key costs ~15 ms; 16 of them would be hundreds.
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(1_000);
  });

  it('should build no chain for a signature that failed its own check', async () => {
    const signed = await signPdfIncrementally(original, createInternalCaSigner(credential, TEST_MASTER_SECRET), signMeta('Penanda Uji'));
    const contents = signed.lastIndexOf('/Contents <') + '/Contents <'.length;
    const broken = Buffer.from(signed);
    // The last bytes of the DER are the RSA signature value: flip one hex digit there.
    const derEnd = broken.indexOf('000000', contents, 'latin1');
    broken[derEnd - 1] = broken[derEnd - 1] === 0x41 ? 0x42 : 0x41;
    const trust = jest.spyOn(chain, 'trustAnchorOf');
    try {
      const good = (await verifyPdfSignatures(signed, { trustedCaPems: [ca.certPem] })).signatures[0]!;
      expect(good).toMatchObject({ signatureValid: true, chainTrusted: true });
      expect(trust).toHaveBeenCalledTimes(1);
      const bad = (await verifyPdfSignatures(broken, { trustedCaPems: [ca.certPem] })).signatures[0]!;
      expect(bad).toMatchObject({ signatureValid: false, chainTrusted: false, trustAnchorFingerprint: null });
      expect(trust).toHaveBeenCalledTimes(1);
    } finally {
      trust.mockRestore();
    }
  });

  it('should stop a path search that would need more signature checks than the document budget', async () => {
    const signer = certInfo(Buffer.from(new X509Certificate(credential.certPem).raw));
    // CA certificates named like the signer's issuer whose keys did not sign it: each costs a check.
    const decoys = Array.from({ length: 12 }, () => certInfo(Buffer.from(new X509Certificate(big).raw)));
    const anchors = chain.parseTrustAnchors([
      createSigningCa({ commonName: 'Akar Lain', organization: 'Uji', masterSecret: TEST_MASTER_SECRET }).certPem,
    ]);
    const spend = jest.spyOn(VerificationBudget.prototype, 'spend');
    expect(await chain.trustAnchorOf(signer, decoys, anchors, new Date(), new VerificationBudget(100))).toBeNull();
    expect(spend).toHaveBeenCalledTimes(12);
    spend.mockRestore();
    expect(await codeOf(() => chain.trustAnchorOf(signer, decoys, anchors, new Date(), new VerificationBudget(5)))).toMatch(
      /^SIGNATURE_MALFORMED: too many signature verifications/,
    );
  });

  it('should refuse a file with more revisions than the limit, quickly', async () => {
    const rev = 'xref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size 1 >>\nstartxref\n9\n%%EOF\n';
    const many = Buffer.from(`%PDF-1.7\n${rev.repeat(MAX_REVISIONS + 1)}`, 'latin1');
    expect(await codeOf(() => revisionEnds(many))).toBe(`${DocumentErrorCode.UnsupportedPdf}: more than ${MAX_REVISIONS} revisions`);
    expect(revisionEnds(Buffer.from(`%PDF-1.7\n${rev.repeat(3)}`, 'latin1'))).toHaveLength(3);
    const markers = Buffer.from(`%PDF-1.7\n${'%%EOF'.repeat(2_000_000)}\nstartxref\n9\n%%EOF\n`, 'latin1');
    expect(await codeOf(() => verifyPdfSignatures(markers))).toMatch(/^UNSUPPORTED_PDF: more than \d+ %%EOF markers/);
  });
});
