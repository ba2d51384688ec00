import { constants, createHash, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { certInfo, stripLeadingZeros, type CertInfo } from './certificate-info';
import { parseCms, octetsOf, type ParsedCms } from './cms-parse';
import { childAt, children, DerError, oidOf, present, readTlv, type Tlv } from './der-reader';
import { assertAcceptableKey, VERIFICATION_LIMITS, type VerificationBudget } from './verification-limits';

const DIGESTS: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};
const RSA_PSS = '1.2.840.113549.1.1.10';
const TST_INFO = '1.2.840.113549.1.9.16.1.4';
const MESSAGE_DIGEST = '1.2.840.113549.1.9.4';
const SIGNING_TIME = '1.2.840.113549.1.9.5';
const SIGNING_CERT_V2 = '1.2.840.113549.1.9.16.2.47';

type CmsCheck = { signer: CertInfo; pool: CertInfo[]; digestValid: boolean; signatureValid: boolean; signingTime?: Date; cmsLength: number };

function findSigner(cms: ParsedCms, pool: CertInfo[]): CertInfo {
  const sid = cms.sid;
  const found = pool.find((c) =>
    'subjectKeyId' in sid
      ? c.subjectKeyId?.equals(sid.subjectKeyId)
      : c.serial.equals(stripLeadingZeros(sid.serial)) && c.issuer.equals(sid.issuer),
  );
  if (!found) throw new DerError('signer certificate not included in the CMS');
  return found;
}

function parseTime(t: Tlv): Date | undefined {
  const s = t.content.toString('latin1');
  const m = /^(\d{2}|\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(?:\.\d+)?Z$/.exec(s);
  if (!m) return undefined;
  const [, yearText = '', month, day, hour, minute, second] = m;
  const year = yearText.length === 2 ? (Number(yearText) < 50 ? 2000 : 1900) + Number(yearText) : Number(yearText);
  return new Date(Date.UTC(year, Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second ?? 0)));
}

function verifySignature(cms: ParsedCms, data: Buffer, key: KeyObject, hash: string, budget: VerificationBudget): boolean {
  budget.spend();
  const pss = cms.signatureAlgorithm === RSA_PSS;
  try {
    return cryptoVerify(
      hash,
      data,
      pss ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO } : key,
      cms.signature,
    );
  } catch {
    return false;
  }
}

/** messageDigest must equal the content hash (for a timestamp token: its imprint must). */
function checkDigest(cms: ParsedCms, content: Buffer[], hash: string): boolean {
  const contentHash = (alg: string) => content.reduce((h, part) => h.update(part), createHash(alg)).digest();
  if (cms.eContentType === TST_INFO && cms.eContent) {
    const [algSeq, hashed] = children(childAt(readTlv(cms.eContent), 2, 'messageImprint'));
    const alg = DIGESTS[oidOf(childAt(present(algSeq, 'hashAlgorithm'), 0, 'hashAlgorithm OID'))];
    const imprintOk = !!alg && octetsOf(present(hashed, 'hashedMessage')).equals(contentHash(alg));
    const md = cms.attributes.get(MESSAGE_DIGEST);
    return imprintOk && !!md && octetsOf(md).equals(createHash(hash).update(cms.eContent).digest());
  }
  if (!cms.signedAttrsDer) return true;
  const md = cms.attributes.get(MESSAGE_DIGEST);
  return !!md && octetsOf(md).equals(contentHash(hash));
}

/** ESS signing-certificate-v2, when present, must name the signer certificate. */
function signingCertMatches(cms: ParsedCms, signer: CertInfo): boolean {
  const attr = cms.attributes.get(SIGNING_CERT_V2);
  if (!attr) return true;
  const parts = children(childAt(childAt(attr, 0, 'SigningCertificateV2'), 0, 'ESSCertIDv2'));
  const head = present(parts[0], 'ESSCertIDv2 fields');
  const alg = head.tag === 0x30 ? DIGESTS[oidOf(childAt(head, 0, 'hashAlgorithm OID'))] : 'sha256';
  const certHash = head.tag === 0x30 ? present(parts[1], 'certHash') : head;
  return !!alg && octetsOf(certHash).equals(createHash(alg).update(signer.der).digest());
}

/**
 * Verifies a detached CMS over `content` (the covered parts, in order, hashed without copying): digest (messageDigest attribute, or a timestamp
 * token's imprint), the signer's signature over the signed attributes, and the ESS
 * signing-certificate binding. Throws DerError (or node's certificate error) on malformed
 * input, on more than VERIFICATION_LIMITS.maxCertificatesPerCms certificates and on any
 * certificate whose key is outside the limits (checked before any signature is computed); a
 * well-formed but wrong signature yields false flags, not an exception. The one signature check
 * is taken from `budget`.
 */
export function verifyCms(cmsBytes: Buffer, content: Buffer[], budget: VerificationBudget): CmsCheck {
  const { cms, length } = parseCms(cmsBytes);
  if (cms.certificates.length > VERIFICATION_LIMITS.maxCertificatesPerCms) {
    throw new DerError(`${cms.certificates.length} certificates in one CMS (at most ${VERIFICATION_LIMITS.maxCertificatesPerCms})`);
  }
  const pool = cms.certificates.map(certInfo);
  for (const c of pool) assertAcceptableKey(c.x509);
  const signer = findSigner(cms, pool);
  const hash = DIGESTS[cms.digestAlgorithm];
  if (!hash) throw new DerError(`unsupported digest algorithm ${cms.digestAlgorithm}`);
  const digestValid = checkDigest(cms, content, hash);
  const signed = cms.signedAttrsDer ?? Buffer.concat(content);
  const signatureValid = verifySignature(cms, signed, signer.x509.publicKey, hash, budget) && signingCertMatches(cms, signer);
  const st = cms.attributes.get(SIGNING_TIME);
  return { signer, pool, digestValid, signatureValid, signingTime: st ? parseTime(st) : undefined, cmsLength: length };
}
