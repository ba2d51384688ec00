import { X509Certificate } from 'node:crypto';
import type { CertInfo } from './certificate-info';
import type { VerificationBudget } from './verification-limits';

const MAX_CHAIN_DEPTH = 8;

function validAt(c: X509Certificate, at: Date): boolean {
  return new Date(c.validFrom).getTime() <= at.getTime() && at.getTime() <= new Date(c.validTo).getTime();
}

/** The names match (cheap, no key operation), then the signature of the link verifies (one budget unit). */
function issuedBy(child: X509Certificate, issuer: X509Certificate, budget: VerificationBudget): boolean {
  try {
    if (!child.checkIssued(issuer)) return false;
  } catch {
    return false;
  }
  budget.spend();
  try {
    return child.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/** Trust anchors parsed once per document; unreadable PEMs anchor nothing. */
export function parseTrustAnchors(pems: string[]): X509Certificate[] {
  const anchors: X509Certificate[] = [];
  for (const pem of pems) {
    try {
      anchors.push(new X509Certificate(pem));
    } catch {
      // an unreadable anchor simply anchors nothing
    }
  }
  return anchors;
}

/**
 * The SHA-256 fingerprint of the trust anchor a path from `signer` reaches, or null. The path
 * runs through CA certificates carried in the CMS (basicConstraints CA, valid at `at`, each link's
 * signature verified) to one of `anchors` (a CA valid at `at` that issued the last link, or the
 * certificate itself when it is an anchor). Every link signature is taken from `budget`, which
 * throws when a hostile pool would need too many; without anchors nothing is trusted and no
 * signature is computed.
 */
export function trustAnchorOf(signer: CertInfo, pool: CertInfo[], anchors: X509Certificate[], at: Date, budget: VerificationBudget): string | null {
  const usable = anchors.filter((a) => validAt(a, at));
  if (usable.length === 0) return null;
  let current = signer.x509;
  const seen = new Set<string>();
  for (let depth = 0; depth < MAX_CHAIN_DEPTH; depth++) {
    if (!validAt(current, at) || seen.has(current.fingerprint256)) return null;
    seen.add(current.fingerprint256);
    const same = usable.find((a) => a.fingerprint256 === current.fingerprint256);
    if (same) return same.fingerprint256;
    const child = current;
    const anchor = usable.find((a) => a.ca && issuedBy(child, a, budget));
    if (anchor) return anchor.fingerprint256;
    const next = pool.find((p) => p.x509.ca && validAt(p.x509, at) && !seen.has(p.x509.fingerprint256) && issuedBy(child, p.x509, budget));
    if (!next) return null;
    current = next.x509;
  }
  return null;
}
