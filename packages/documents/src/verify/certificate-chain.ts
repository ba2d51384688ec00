import { X509Certificate } from 'node:crypto';
import * as pkijs from 'pkijs';
import type { CertInfo } from './certificate-info';
import { BudgetedCryptoEngine, type VerificationBudget } from './verification-limits';

/** A configured root: node's view (validity, fingerprint) and PKI.js's (path building). */
export type TrustAnchor = { x509: X509Certificate; cert: pkijs.Certificate };

function validAt(c: X509Certificate, at: Date): boolean {
  return new Date(c.validFrom).getTime() <= at.getTime() && at.getTime() <= new Date(c.validTo).getTime();
}

/** Trust anchors parsed once per document; unreadable PEMs anchor nothing. */
export function parseTrustAnchors(pems: string[]): TrustAnchor[] {
  const anchors: TrustAnchor[] = [];
  for (const pem of pems) {
    try {
      const x509 = new X509Certificate(pem);
      anchors.push({ x509, cert: pkijs.Certificate.fromBER(x509.raw) });
    } catch {
      // an unreadable anchor simply anchors nothing
    }
  }
  return anchors;
}

/**
 * The SHA-256 fingerprint (node's colon hex) of the trust anchor a path from `signer` reaches, or
 * null. PKI.js's CertificateChainValidationEngine builds and checks the path: through CA
 * certificates carried in the CMS (basicConstraints CA, key usage, every certificate valid at
 * `at`, each link's signature verified) to one of `anchors`; a signer that is itself an anchor
 * valid at `at` is trusted as it is. Every link signature is taken from `budget` (PKI.js runs on a
 * BudgetedCryptoEngine), which throws SIGNATURE_MALFORMED when a hostile pool would need too many;
 * without anchors nothing is trusted and no signature is computed.
 */
export async function trustAnchorOf(
  signer: CertInfo,
  pool: CertInfo[],
  anchors: TrustAnchor[],
  at: Date,
  budget: VerificationBudget,
): Promise<string | null> {
  const usable = anchors.filter((a) => validAt(a.x509, at));
  if (usable.length === 0) return null;
  const fingerprint = signer.x509.fingerprint256;
  const same = usable.find((a) => a.x509.fingerprint256 === fingerprint);
  if (same) return same.x509.fingerprint256;
  const intermediates = pool.filter(
    (p) => p.x509.ca && p.x509.fingerprint256 !== fingerprint && !usable.some((a) => a.x509.fingerprint256 === p.x509.fingerprint256),
  );
  // PKI.js takes the last of `certs` as the end-entity certificate.
  const engine = new pkijs.CertificateChainValidationEngine({
    trustedCerts: usable.map((a) => a.cert),
    certs: [...intermediates.map((p) => p.cert), signer.cert],
    checkDate: at,
  });
  // PKI.js throws (rather than returns) for some failed paths; both mean "no trusted path".
  const result = await engine.verify({}, new BudgetedCryptoEngine(budget)).catch(() => null);
  budget.rethrowIfOverrun();
  const root = result?.result ? result.certificatePath?.[result.certificatePath.length - 1] : undefined;
  return usable.find((a) => a.cert === root)?.x509.fingerprint256 ?? null;
}
