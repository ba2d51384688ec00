import { randomBytes } from 'node:crypto';
import forge from 'node-forge';
import { buildCertificate, generateRsaKeyPair } from '../crypto/certificate-builder';
import { decryptPrivateKey } from '../crypto/key-encryption';
import { createSigningCa } from '../crypto/signing-ca';
import type { SignerCredential } from '../crypto/signing-ca.types';
import { buildDetachedCms } from '../signing/cms-builder';
import type { Signer } from '../signing/signer.port';

const DAY = 24 * 60 * 60 * 1000;

/**
 * A CA certificate whose RSA key has a 3072-bit modulus and a 3064-bit public exponent (the
 * largest OpenSSL accepts at that size), named like the issuer of `signerCertPem` and without a
 * subject key identifier, so a naive path builder tries it as that signer's issuer and pays an
 * expensive, always failing, signature check. The modulus is random: nothing can be signed with it.
 */
export function bigExponentIssuerCertificate(signerCertPem: string): string {
  const n = randomBytes(384);
  setBits(n, 0, 0x80);
  setBits(n, 383, 0x01);
  const e = randomBytes(383);
  setBits(e, 0, 0x80);
  setBits(e, 382, 0x01);
  const publicKey = forge.pki.setRsaPublicKey(
    new forge.jsbn.BigInteger(n.toString('hex'), 16),
    new forge.jsbn.BigInteger(e.toString('hex'), 16),
  );
  const signer = forge.pki.certificateFromPem(signerCertPem);
  const now = Date.now();
  return buildCertificate({
    publicKeyPem: forge.pki.publicKeyToPem(publicKey),
    subject: signer.issuer.attributes,
    issuer: signer.issuer.attributes,
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 365 * DAY),
    signingKeyPem: generateRsaKeyPair(2048).privateKeyPem,
    extensions: [{ name: 'basicConstraints', cA: true, critical: true }],
  });
}

/**
 * A signer that signs correctly with `credential` but puts `count` copies of `extraCertPem` into
 * its CMS (a certificate flood); the /Contents placeholder is sized to fit.
 */
export function certificateFloodSigner(credential: SignerCredential, masterSecret: string, extraCertPem: string, count: number): Signer {
  const certBytes = Buffer.from(forge.pem.decode(extraCertPem)[0]!.body, 'binary').length;
  return {
    kind: 'test-flood',
    maxSignatureBytes: 16 * 1024 + count * certBytes,
    async sign(input) {
      return buildDetachedCms({
        content: input.pdf,
        signerCertPem: credential.certPem,
        chainPems: Array.from({ length: count }, () => extraCertPem),
        privateKeyPem: decryptPrivateKey(credential.encryptedKey, masterSecret),
      });
    },
  };
}

/** A home-made credential: a self-signed certificate named `commonName`, whose own key signs. */
export function selfSignedCredential(commonName: string, masterSecret: string): SignerCredential {
  const ca = createSigningCa({ commonName, organization: 'Buatan Sendiri', masterSecret });
  return { certPem: ca.certPem, encryptedKey: ca.encryptedKey, chainPems: [] };
}

/** ORs `mask` into byte `at` (throws RangeError past the end). */
function setBits(b: Buffer, at: number, mask: number): void {
  b.writeUInt8(b.readUInt8(at) | mask, at);
}
