import { KeyObject, type X509Certificate } from 'node:crypto';
import * as pkijs from 'pkijs';
import { documentErrors } from '../errors/document-errors';
import { CmsError } from './cms-error';

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
 * Throws CmsError unless the key is one this verifier will use: RSA within the modulus and
 * exponent limits (odd exponent ≥ 3), ECDSA on a named curve listed above, or Ed25519/Ed448.
 * Reads only the key's parameters: no modular exponentiation happens here.
 */
function assertAcceptablePublicKey(key: KeyObject): void {
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails ?? {};
  if (type === 'rsa' || type === 'rsa-pss') {
    const bits = details.modulusLength ?? 0;
    const e = details.publicExponent ?? 0n;
    if (bits < VERIFICATION_LIMITS.rsaMinModulusBits || bits > VERIFICATION_LIMITS.rsaMaxModulusBits)
      throw new CmsError(`RSA modulus of ${bits} bits is outside the accepted range`);
    if (e < 3n || e % 2n === 0n || e > VERIFICATION_LIMITS.rsaMaxPublicExponent)
      throw new CmsError(`RSA public exponent of ${e.toString(2).length} bits is not accepted`);
    return;
  }
  if (type === 'ec') {
    if (!details.namedCurve || !VERIFICATION_LIMITS.ecCurves.includes(details.namedCurve))
      throw new CmsError(`EC curve ${details.namedCurve ?? '(explicit)'} is not accepted`);
    return;
  }
  if (type === 'ed25519' || type === 'ed448') return;
  throw new CmsError(`public key type ${type ?? 'unknown'} is not accepted`);
}

/** assertAcceptablePublicKey for a certificate's key. */
export function assertAcceptableKey(x509: X509Certificate): void {
  assertAcceptablePublicKey(x509.publicKey);
}

/**
 * Counts the public-key operations of one document. `spend` throws SIGNATURE_MALFORMED once the
 * document asks for more than its budget, so a hostile file is refused instead of verified slowly.
 * PKI.js swallows errors inside its path search, so the overrun is remembered and
 * `rethrowIfOverrun` raises it again once PKI.js returns.
 */
export class VerificationBudget {
  private remaining: number;
  private overrun = false;

  constructor(max: number = VERIFICATION_LIMITS.maxVerificationsPerDocument) {
    this.remaining = max;
  }

  /** Takes one operation from the budget, or throws when none is left. */
  spend(): void {
    if (this.remaining <= 0) {
      this.overrun = true;
      throw budgetExceeded();
    }
    this.remaining--;
  }

  /** Throws SIGNATURE_MALFORMED when any `spend` of this budget was refused. */
  rethrowIfOverrun(): void {
    if (this.overrun) throw budgetExceeded();
  }
}

function budgetExceeded() {
  return documentErrors.signatureMalformed('too many signature verifications for one document');
}

/**
 * The PKI.js engine for one document: node's WebCrypto, where every public-key verification PKI.js
 * asks for (CMS signatures and certificate links alike) first takes a unit from `budget`, and
 * every key it imports is checked against VERIFICATION_LIMITS before it is returned, so no maths
 * runs on a refused key and no document runs more than its budget.
 */
export class BudgetedCryptoEngine extends pkijs.CryptoEngine {
  constructor(private readonly budget: VerificationBudget) {
    super({ name: 'betang-budgeted', crypto: globalThis.crypto });
  }

  /** SPKI straight into WebCrypto (PKI.js's portable route goes through JWK), then the key's shape is checked. */
  override async getPublicKey(...args: Parameters<pkijs.CryptoEngine['getPublicKey']>): ReturnType<pkijs.CryptoEngine['getPublicKey']> {
    const [publicKeyInfo, signatureAlgorithm, parameters] = args;
    const { algorithm } = parameters ?? this.fillPublicKeyParameters(publicKeyInfo, signatureAlgorithm);
    const spki = publicKeyInfo.toSchema().toBER(false);
    const key = await this.subtle.importKey(
      'spki',
      spki,
      algorithm.algorithm as Parameters<pkijs.CryptoEngine['generateKey']>[0],
      true,
      algorithm.usages,
    );
    assertAcceptablePublicKey(KeyObject.from(key));
    return key;
  }

  override async verifyWithPublicKey(
    data: Parameters<pkijs.CryptoEngine['verifyWithPublicKey']>[0],
    signature: Parameters<pkijs.CryptoEngine['verifyWithPublicKey']>[1],
    publicKeyInfo: pkijs.PublicKeyInfo,
    signatureAlgorithm: pkijs.AlgorithmIdentifier,
    shaAlgorithm?: string,
  ): Promise<boolean> {
    this.budget.spend();
    return super.verifyWithPublicKey(data, signature, publicKeyInfo, signatureAlgorithm, shaAlgorithm);
  }
}
