import { X509Certificate } from 'node:crypto';
import type { CertInfo } from './certificate-info';

function validAt(c: X509Certificate, at: Date): boolean {
  return new Date(c.validFrom).getTime() <= at.getTime() && at.getTime() <= new Date(c.validTo).getTime();
}

function issuedBy(child: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return child.checkIssued(issuer) && child.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/**
 * True when a path exists from `signer` through CA certificates carried in the CMS to one of
 * `trustedCaPems`, with every certificate valid at `at` and every intermediate a CA. Unparsable
 * trust anchors are ignored; without anchors nothing is trusted.
 */
export function isChainTrusted(signer: CertInfo, pool: CertInfo[], trustedCaPems: string[], at: Date): boolean {
  const anchors: X509Certificate[] = [];
  for (const pem of trustedCaPems) {
    try {
      anchors.push(new X509Certificate(pem));
    } catch {
      // an unreadable anchor simply anchors nothing
    }
  }
  let current = signer.x509;
  const seen = new Set<string>();
  for (let depth = 0; depth < 8; depth++) {
    if (!validAt(current, at) || seen.has(current.fingerprint256)) return false;
    seen.add(current.fingerprint256);
    if (anchors.some((a) => a.fingerprint256 === current.fingerprint256 && validAt(a, at))) return true;
    const anchor = anchors.find((a) => a.ca && validAt(a, at) && issuedBy(current, a));
    if (anchor) return true;
    const next = pool.find((p) => p.x509.ca && issuedBy(current, p.x509));
    if (!next) return false;
    current = next.x509;
  }
  return false;
}
