import { createHash, sign as rsaSign } from 'node:crypto';
import forge from 'node-forge';
import { documentErrors } from '../errors/document-errors';

const { asn1 } = forge;
const U = asn1.Class.UNIVERSAL;
const T = asn1.Type;

const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  sha256: '2.16.840.1.101.3.4.2.1',
  rsaEncryption: '1.2.840.113549.1.1.1',
} as const;

const oid = (o: string) => asn1.create(U, T.OID, false, asn1.oidToDer(o).getBytes());
const seq = (v: forge.asn1.Asn1[]) => asn1.create(U, T.SEQUENCE, true, v);
const set = (v: forge.asn1.Asn1[]) => asn1.create(U, T.SET, true, v);
const octets = (b: Buffer) => asn1.create(U, T.OCTETSTRING, false, b.toString('binary'));
const der = (node: forge.asn1.Asn1) => Buffer.from(asn1.toDer(node).getBytes(), 'binary');
const attr = (type: string, value: forge.asn1.Asn1) => seq([oid(type), set([value])]);

function pemToDer(pem: string): Buffer {
  const [block] = forge.pem.decode(pem);
  if (!block) throw documentErrors.signingFailed('certificate is not PEM-encoded');
  return Buffer.from(block.body, 'binary');
}

/** Issuer Name and serial INTEGER nodes from a certificate, as they appear in its DER. */
function issuerAndSerial(certDer: Buffer): { issuer: forge.asn1.Asn1; serial: forge.asn1.Asn1 } {
  const tbs = (asn1.fromDer(certDer.toString('binary')).value as forge.asn1.Asn1[])[0];
  const fields = (tbs?.value ?? []) as forge.asn1.Asn1[];
  const i = fields[0]?.tagClass === asn1.Class.CONTEXT_SPECIFIC ? 1 : 0;
  const serial = fields[i];
  const issuer = fields[i + 2];
  if (!serial || !issuer) throw documentErrors.signingFailed('signer certificate has no serial number or issuer');
  return { serial, issuer };
}

type CmsInput = {
  content: Buffer;
  signerCertPem: string;
  chainPems: string[];
  privateKeyPem: string;
  signingTime?: Date;
};

/**
 * Builds a detached CMS SignedData (sha256, RSA PKCS#1 v1.5) with signed attributes
 * contentType, messageDigest, ESS signing-certificate-v2 and, only when `signingTime` is
 * given, signingTime (PAdES/CAdES forbids it; adbe.pkcs7.detached allows it). Includes the
 * signer certificate and its chain. Deterministic for a given key and input.
 */
export function buildDetachedCms(input: CmsInput): Buffer {
  const signerDer = pemToDer(input.signerCertPem);
  const { issuer, serial } = issuerAndSerial(signerDer);
  const digest = createHash('sha256').update(input.content).digest();
  const essCertId = seq([
    octets(createHash('sha256').update(signerDer).digest()),
    seq([seq([asn1.create(asn1.Class.CONTEXT_SPECIFIC, 4, true, [issuer])]), serial]),
  ]);
  const attrs = [
    attr(OID.contentType, oid(OID.data)),
    attr(OID.messageDigest, octets(digest)),
    attr(OID.signingCertificateV2, seq([seq([essCertId])])),
    ...(input.signingTime ? [attr(OID.signingTime, asn1.create(U, T.UTCTIME, false, asn1.dateToUtcTime(input.signingTime)))] : []),
  ]
    .map(der)
    .sort(Buffer.compare)
    .map((b) => asn1.fromDer(b.toString('binary')));
  const signature = rsaSign('sha256', der(set(attrs)), input.privateKeyPem);
  const certs = [signerDer, ...input.chainPems.map(pemToDer)].map((b) => asn1.fromDer(b.toString('binary')));
  const signerInfo = seq([
    asn1.create(U, T.INTEGER, false, '\x01'),
    seq([issuer, serial]),
    seq([oid(OID.sha256)]),
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, attrs),
    seq([oid(OID.rsaEncryption), asn1.create(U, T.NULL, false, '')]),
    octets(signature),
  ]);
  const signedData = seq([
    asn1.create(U, T.INTEGER, false, '\x01'),
    set([seq([oid(OID.sha256)])]),
    seq([oid(OID.data)]),
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, certs),
    set([signerInfo]),
  ]);
  return der(seq([oid(OID.signedData), asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [signedData])]));
}
