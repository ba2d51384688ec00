import { decryptPrivateKey } from '../crypto/key-encryption';
import type { SignerCredential } from '../crypto/signing-ca.types';
import { documentErrors } from '../errors/document-errors';
import { buildDetachedCms } from './cms-builder';
import type { PdfSignatureSubFilter, Signer } from './signer.port';

/**
 * Signer backed by a credential issued by the internal CA (uncertified electronic signature,
 * PP 71/2019). The key is decrypted per call and only held for the duration of `sign`; a
 * wrong master secret fails on the first sign with KEY_DECRYPTION_FAILED.
 */
export function createInternalCaSigner(
  credential: SignerCredential,
  masterSecret: string,
  options: { subFilter?: PdfSignatureSubFilter } = {},
): Signer {
  const subFilter = options.subFilter ?? 'ETSI.CAdES.detached';
  return {
    kind: 'internal-ca',
    subFilter,
    maxSignatureBytes: 16 * 1024,
    async sign(input) {
      if (!Buffer.isBuffer(input.pdf)) throw documentErrors.invalidArgument('sign: pdf must be a Buffer');
      const privateKeyPem = decryptPrivateKey(credential.encryptedKey, masterSecret);
      return buildDetachedCms({
        content: input.pdf,
        signerCertPem: credential.certPem,
        chainPems: credential.chainPems,
        privateKeyPem,
        signingTime: subFilter === 'adbe.pkcs7.detached' ? input.signedAt : undefined,
      });
    },
  };
}
