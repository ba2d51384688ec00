import forge from 'node-forge';
import { documentErrors } from '../errors/document-errors';
import { buildCertificate, generateRsaKeyPair, subjectKeyIdentifier } from './certificate-builder';
import { decryptPrivateKey, encryptPrivateKey } from './key-encryption';
import {
  ZCreateSigningCaOptions,
  ZSignerIdentity,
  type CreateSigningCaOptions,
  type SignerCredential,
  type SignerIdentity,
  type SigningCa,
} from './signing-ca.types';

const DAY = 24 * 60 * 60 * 1000;

// UTF8String for names (Indonesian names may carry non-ASCII); countryName must stay PrintableString.
function utf8Fields(fields: Array<{ name: string; value: string }>): forge.pki.CertificateField[] {
  return fields.map((f) => (f.name === 'countryName' ? f : { ...f, valueTagClass: forge.asn1.Type.UTF8 })) as forge.pki.CertificateField[];
}

/**
 * Creates the internal signing CA (RSA 3072, self-signed, keyCertSign/cRLSign, pathLen 0) for
 * uncertified electronic signatures under PP 71/2019. The private key is returned only
 * encrypted under `masterSecret`. Each call creates a new, different CA: store the result once.
 */
export function createSigningCa(options: CreateSigningCaOptions): SigningCa {
  const o = ZCreateSigningCaOptions.parse(options);
  const now = o.now ?? new Date();
  const keys = generateRsaKeyPair(3072);
  const name = [
    { name: 'countryName', value: 'ID' },
    { name: 'organizationName', value: o.organization },
    { name: 'commonName', value: o.commonName },
  ];
  const certPem = buildCertificate({
    publicKeyPem: keys.publicKeyPem,
    subject: utf8Fields(name),
    issuer: utf8Fields(name),
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + o.validityYears * 365 * DAY),
    signingKeyPem: keys.privateKeyPem,
    extensions: [
      { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
      { name: 'subjectKeyIdentifier' },
    ],
  });
  return { certPem, encryptedKey: encryptPrivateKey(keys.privateKeyPem, o.masterSecret) };
}

export type IssueSignerOptions = { validityDays?: number; now?: Date; keyBits?: 2048 | 3072 | 4096; signerKeySecret?: string };

/**
 * Issues a per-signer RSA key (3072 by default) and a certificate signed by the CA with key
 * usage digitalSignature + nonRepudiation (critical) and extended key usage emailProtection.
 * The signer key is returned encrypted under `signerKeySecret` (default: `caKeySecret`).
 * Throws KEY_DECRYPTION_FAILED when `caKeySecret` does not open the CA key.
 */
export function issueSignerCredential(
  ca: SigningCa,
  caKeySecret: string,
  signer: SignerIdentity,
  options: IssueSignerOptions = {},
): SignerCredential {
  const s = ZSignerIdentity.safeParse(signer);
  if (!s.success) throw documentErrors.invalidArgument(`signer: ${s.error.issues.map((i) => i.path.join('.')).join(', ')}`);
  const caKeyPem = decryptPrivateKey(ca.encryptedKey, caKeySecret);
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const now = options.now ?? new Date();
  const notAfter = new Date(Math.min(now.getTime() + (options.validityDays ?? 3 * 365) * DAY, caCert.validity.notAfter.getTime()));
  const keys = generateRsaKeyPair(options.keyBits ?? 3072);
  const subject = [
    { name: 'countryName', value: 'ID' },
    { name: 'organizationName', value: s.data.institution },
    { name: 'title', value: s.data.role },
    { name: 'commonName', value: s.data.name },
    ...(s.data.nip ? [{ name: 'serialNumber', value: s.data.nip }] : []),
  ];
  const certPem = buildCertificate({
    publicKeyPem: keys.publicKeyPem,
    subject: utf8Fields(subject),
    issuer: caCert.subject.attributes,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter,
    signingKeyPem: caKeyPem,
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, critical: true },
      { name: 'extKeyUsage', emailProtection: true },
      { name: 'subjectAltName', altNames: [{ type: 1, value: s.data.email }] },
      { name: 'subjectKeyIdentifier' },
      { name: 'authorityKeyIdentifier', keyIdentifier: subjectKeyIdentifier(ca.certPem) },
    ],
  });
  return {
    certPem,
    encryptedKey: encryptPrivateKey(keys.privateKeyPem, options.signerKeySecret ?? caKeySecret),
    chainPems: [ca.certPem],
  };
}
