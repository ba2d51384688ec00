import { renderAgreementPdf } from '../agreement/render-agreement-pdf';
import { DocumentErrorCode, isDocumentError } from '../errors/document-error';
import { createInternalCaSigner } from '../signing/internal-ca-signer';
import { signPdfIncrementally } from '../signing/sign-pdf-incrementally';
import { sampleAgreementData } from '../testing/agreement-fixture';
import { createSigningFixture, signMeta, TEST_MASTER_SECRET } from '../testing/signing-fixture';
import { createPdfVerifierPool, type PdfVerifier } from './verifier-pool';
import { verifyPdfSignatures } from './verify-pdf-signatures';

jest.setTimeout(60_000);

/** A PDF whose one /Contents is `mib` MiB of hex: decoding it takes ~10 ms per MiB. */
function slowPdf(mib = 9): Buffer {
  const head = '%PDF-1.7\n1 0 obj\n<< /ByteRange [0 0000000000 0000000000 0000000000] /Contents <';
  const hex = '0'.repeat(mib * 1024 * 1024);
  const tail = '> >>\nendobj\nstartxref\n9\n%%EOF\n';
  const b = head.length - 1;
  const c = head.length + hex.length + 1;
  const total = head.length + hex.length + tail.length;
  const pad = (n: number) => String(n).padStart(10, '0');
  return Buffer.from(head.replace('0000000000 0000000000 0000000000', `${pad(b)} ${pad(c)} ${pad(total - c)}`) + hex + tail, 'latin1');
}

async function errorOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return isDocumentError(e) ? e.code : String(e);
  }
  return 'no error';
}

describe('createPdfVerifierPool', () => {
  let signed: Buffer;
  let caPem: string;
  const pools: PdfVerifier[] = [];
  const pool = (o: Parameters<typeof createPdfVerifierPool>[0]) => {
    const p = createPdfVerifierPool(o);
    pools.push(p);
    return p;
  };

  beforeAll(async () => {
    const fx = createSigningFixture();
    caPem = fx.ca.certPem;
    signed = await signPdfIncrementally(
      await renderAgreementPdf(sampleAgreementData()),
      createInternalCaSigner(fx.institutionHead, TEST_MASTER_SECRET),
      signMeta('Uji'),
    );
  });
  afterAll(() => Promise.all(pools.map((p) => p.close())));

  it('should give the same report as verifying in-process, and the same typed errors', async () => {
    const verifier = pool({ threads: 1, timeoutMs: 30_000 });
    const off = await verifier.verify(signed, { trustedCaPems: [caPem] });
    expect(off).toEqual(await verifyPdfSignatures(signed, { trustedCaPems: [caPem] }));
    expect(off.signatures[0]).toMatchObject({ digestValid: true, signatureValid: true, chainTrusted: true });
    expect(await errorOf(verifier.verify(Buffer.from('bukan pdf')))).toBe(DocumentErrorCode.NotAPdf);
    expect(await errorOf(verifier.verify(signed.subarray(0, 100)))).toBe(DocumentErrorCode.Truncated);
  });

  it('should stop a document that runs past the time limit, then serve the next one on a fresh thread', async () => {
    // The limit is a quarter of what the slow document takes on this machine right now: a fixed
    // limit is missed by an idle machine (the document is done first) or met by a loaded one.
    const roomy = pool({ threads: 1, timeoutMs: 30_000 });
    expect(await errorOf(roomy.verify(Buffer.from('x')))).toBe(DocumentErrorCode.NotAPdf); // warms the thread
    const started = performance.now();
    expect(await errorOf(roomy.verify(slowPdf(18)))).toBe(DocumentErrorCode.SignatureMalformed);
    const verifier = pool({ threads: 1, timeoutMs: Math.max(1, Math.floor((performance.now() - started) / 4)) });
    expect(await errorOf(verifier.verify(Buffer.from('x')))).toBe(DocumentErrorCode.NotAPdf); // warms the thread
    expect(await errorOf(verifier.verify(slowPdf(18)))).toBe(DocumentErrorCode.VerificationAborted);
    // The same pool answers again after its thread was terminated.
    expect(await errorOf(verifier.verify(Buffer.from('bukan pdf')))).toBe(DocumentErrorCode.NotAPdf);
  });

  it('should refuse at once when every thread is busy and the waiting line is full', async () => {
    const verifier = pool({ threads: 1, maxQueue: 1, timeoutMs: 30_000 });
    expect(await errorOf(verifier.verify(Buffer.from('x')))).toBe(DocumentErrorCode.NotAPdf); // warms the thread
    const running = [verifier.verify(slowPdf()), verifier.verify(slowPdf())];
    expect(await errorOf(verifier.verify(signed))).toBe(DocumentErrorCode.VerifierBusy);
    expect(await Promise.all(running.map(errorOf))).toEqual([DocumentErrorCode.SignatureMalformed, DocumentErrorCode.SignatureMalformed]);
  });
});
