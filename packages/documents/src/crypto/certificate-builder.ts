import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import forge from 'node-forge';

/** RSA key pair from node:crypto (fast native keygen); PEMs are PKCS#8 / SPKI. */
export function generateRsaKeyPair(bits = 3072): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** Positive 128-bit random serial (hex), as RFC 5280 asks for unpredictable serials. */
function randomSerialHex(): string {
  const b = randomBytes(16);
  b.writeUInt8((b.readUInt8(0) & 0x7f) | 0x01, 0);
  return b.toString('hex');
}

// getTBSCertificate exists in node-forge 1.x but is missing from @types/node-forge.
type ForgeTbs = { getTBSCertificate(cert: forge.pki.Certificate): forge.asn1.Asn1 };

/** sha256WithRSAEncryption (RFC 4055); forge's `pki.oids` table is typed as a loose string index. */
const SHA256_WITH_RSA_OID = '1.2.840.113549.1.1.11';

type CertSpec = {
  publicKeyPem: string;
  subject: forge.pki.CertificateField[];
  issuer: forge.pki.CertificateField[];
  notBefore: Date;
  notAfter: Date;
  extensions: object[];
  signingKeyPem: string;
};

/** Builds and signs (sha256WithRSA) an X.509 v3 certificate; returns its PEM. */
export function buildCertificate(spec: CertSpec): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(spec.publicKeyPem);
  cert.serialNumber = randomSerialHex();
  cert.validity.notBefore = spec.notBefore;
  cert.validity.notAfter = spec.notAfter;
  cert.setSubject(spec.subject);
  cert.setIssuer(spec.issuer);
  cert.setExtensions(spec.extensions);
  // forge's pure-JS RSA takes seconds for a 3072-bit key; sign the TBS bytes natively instead.
  cert.md = forge.md.sha256.create();
  cert.signatureOid = cert.siginfo.algorithmOid = SHA256_WITH_RSA_OID;
  cert.tbsCertificate = (forge.pki as unknown as ForgeTbs).getTBSCertificate(cert);
  const tbsDer = Buffer.from(forge.asn1.toDer(cert.tbsCertificate).getBytes(), 'binary');
  cert.signature = sign('sha256', tbsDer, spec.signingKeyPem).toString('binary');
  return forge.pki.certificateToPem(cert);
}

/** Subject key identifier (SHA-1 of the public key, RFC 5280 method 1) as a binary string. */
export function subjectKeyIdentifier(certPem: string): string {
  return forge.pki.certificateFromPem(certPem).generateSubjectKeyIdentifier().getBytes();
}
