import type { X509Certificate } from 'node:crypto';
import { documentErrors } from '../errors/document-errors';
import { DerError } from './der-reader';

/**
 * Bounds on the cryptographic work one PDF may cause. A public-key operation costs up to tens of
 * milliseconds when the key is absurd (a 3072-bit modulus with a 3064-bit exponent), so the
 * number of operations and the shape of every key are limited before any of them runs.
 */
export const VERIFICATION_LIMITS = {
  /** Certificates one CMS may carry: a real chain (signer, intermediates, a timestamp chain) has a handful. */
  maxCertificatesPerCms: 16,
  /** Signature checks (CMS signatures and certificate links) for the whole document. */
  maxVerificationsPerDocument: 96,
  /** RSA modulus size range in bits. Below 2048 is breakable; above 8192 is no real CA's key. */
  rsaMinModulusBits: 2048,
  rsaMaxModulusBits: 8192,
  /** Largest RSA public exponent. Real keys use 65537; nothing legitimate needs more than 32 bits. */
  rsaMaxPublicExponent: 2n ** 32n + 1n,
  /** Named elliptic curves accepted (explicit curve parameters are refused). */
  ecCurves: ['prime256v1', 'secp384r1', 'secp521r1'] as readonly string[],
} as const;

/**
 * Throws DerError unless the certificate's public key is one this verifier will use: RSA within
 * the modulus and exponent limits (odd exponent ≥ 3), ECDSA on a named curve listed above, or
 * Ed25519/Ed448. Reads only the key's parameters: no modular exponentiation happens here.
 */
export function assertAcceptableKey(x509: X509Certificate): void {
  const key = x509.publicKey;
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails ?? {};
  if (type === 'rsa' || type === 'rsa-pss') {
    const bits = details.modulusLength ?? 0;
    const e = details.publicExponent ?? 0n;
    if (bits < VERIFICATION_LIMITS.rsaMinModulusBits || bits > VERIFICATION_LIMITS.rsaMaxModulusBits) throw new DerError(`RSA modulus of ${bits} bits is outside the accepted range`);
    if (e < 3n || e % 2n === 0n || e > VERIFICATION_LIMITS.rsaMaxPublicExponent) throw new DerError(`RSA public exponent of ${e.toString(2).length} bits is not accepted`);
    return;
  }
  if (type === 'ec') {
    if (!details.namedCurve || !VERIFICATION_LIMITS.ecCurves.includes(details.namedCurve)) throw new DerError(`EC curve ${details.namedCurve ?? '(explicit)'} is not accepted`);
    return;
  }
  if (type === 'ed25519' || type === 'ed448') return;
  throw new DerError(`public key type ${type ?? 'unknown'} is not accepted`);
}

/**
 * Counts the public-key operations of one document. `spend` throws SIGNATURE_MALFORMED once the
 * document asks for more than its budget, so a hostile file is refused instead of verified slowly.
 */
export class VerificationBudget {
  private remaining: number;

  constructor(max: number = VERIFICATION_LIMITS.maxVerificationsPerDocument) {
    this.remaining = max;
  }

  /** Takes one operation from the budget, or throws when none is left. */
  spend(): void {
    if (this.remaining <= 0) throw documentErrors.signatureMalformed('too many signature verifications for one document');
    this.remaining--;
  }
}
