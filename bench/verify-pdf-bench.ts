/*
 * Time per PDF signature verification (verifyPdfSignatures in this process, no thread pool).
 * Usage: node --import tsx bench/verify-pdf-bench.ts [iterations]
 * Prints one line per document: wall-clock mean, median and p95 milliseconds over the iterations,
 * after a warm-up, and the mean CPU time of the process (every thread: WebCrypto runs on libuv's
 * pool), which a machine shared with other work disturbs less than the wall clock. The documents are made here with Betang's own signer: an agreement signed twice and
 * chained to the internal CA, the same verified without trust anchors (no chain work), and a
 * one-signature agreement whose CMS carries the 16 certificates the limit allows.
 */
import { createInternalCaSigner, renderAgreementPdf, signPdfIncrementally, verifyPdfSignatures } from '@betang/documents';
import { certificateFloodSigner, createSigningFixture, sampleAgreementData, signMeta, TEST_MASTER_SECRET } from '@betang/documents/testing';

type Case = { name: string; pdf: Buffer; trustedCaPems: string[] };

async function documents(): Promise<Case[]> {
  const fx = createSigningFixture();
  const original = await renderAgreementPdf(sampleAgreementData());
  const once = await signPdfIncrementally(original, createInternalCaSigner(fx.institutionHead, TEST_MASTER_SECRET), signMeta('Uji Satu'));
  const twice = await signPdfIncrementally(once, createInternalCaSigner(fx.dataCenterHead, TEST_MASTER_SECRET), signMeta('Uji Dua'));
  const flood = await signPdfIncrementally(
    original,
    certificateFloodSigner({ ...fx.institutionHead, chainPems: [] }, TEST_MASTER_SECRET, fx.ca.certPem, 15),
    signMeta('Uji Banjir'),
  );
  return [
    { name: 'two signatures, trusted chain', pdf: twice, trustedCaPems: [fx.ca.certPem] },
    { name: 'two signatures, no trust anchor', pdf: twice, trustedCaPems: [] },
    { name: 'one signature, 16 certificates in the CMS', pdf: flood, trustedCaPems: [fx.ca.certPem] },
  ];
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

async function main(): Promise<void> {
  const iterations = Number(process.argv[2] ?? 40);
  console.log(`verifyPdfSignatures, ${iterations} iterations after 5 warm-up runs, Node ${process.version}`);
  for (const c of await documents()) {
    // `await` also accepts a synchronous verifier, so the same script times either implementation.
    for (let i = 0; i < 5; i++) await verifyPdfSignatures(c.pdf, { trustedCaPems: c.trustedCaPems });
    const times: number[] = [];
    const cpuStart = process.cpuUsage();
    for (let i = 0; i < iterations; i++) {
      const started = performance.now();
      await verifyPdfSignatures(c.pdf, { trustedCaPems: c.trustedCaPems });
      times.push(performance.now() - started);
    }
    const cpu = process.cpuUsage(cpuStart);
    times.sort((a, b) => a - b);
    const mean = times.reduce((s, t) => s + t, 0) / times.length;
    const cpuMs = (cpu.user + cpu.system) / 1000 / iterations;
    console.log(
      `${c.name.padEnd(42)} ${(c.pdf.length / 1024).toFixed(0).padStart(4)} KiB  wall mean ${mean.toFixed(1)} ms, median ${quantile(times, 0.5).toFixed(1)}, p95 ${quantile(times, 0.95).toFixed(1)}  cpu ${cpuMs.toFixed(1)} ms`,
    );
  }
}

void main();
