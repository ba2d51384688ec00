import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { certInfoOf, type CertInfo } from './certificate-info';
import { CmsError } from './cms-error';
import { assertAcceptableKey, BudgetedCryptoEngine, VERIFICATION_LIMITS, type VerificationBudget } from './verification-limits';

const SIGNED_DATA = '1.2.840.113549.1.7.2';
const RSA_ENCRYPTION = '1.2.840.113549.1.1.1';
const SIGNING_TIME = '1.2.840.113549.1.9.5';
const SIGNING_CERT_V2 = '1.2.840.113549.1.9.16.2.47';
/** Hashes an ESS certificate identifier may name (node's names). */
const ESS_DIGESTS: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};
/** PKI.js's messages for "the content does not hash to what was signed" (pinned PKI.js version). */
const DIGEST_MISMATCH = /Message digest doesn't match|TSTInfo verification is failed/;

type CmsCheck = {
  signer: CertInfo;
  pool: CertInfo[];
  digestValid: boolean;
  signatureValid: boolean;
  signingTime?: Date;
  cmsLength: number;
};

/** Children of a constructed ASN.1 element (none for a primitive one). */
function childrenOf(block: asn1js.AsnType | undefined): asn1js.AsnType[] {
  const value = (block as { valueBlock?: { value?: unknown } } | undefined)?.valueBlock?.value;
  return Array.isArray(value) ? (value as asn1js.AsnType[]) : [];
}

/** The elements of ContentInfo → SignedData → [0] certificates on the bare ASN.1 tree (none when absent). */
function certificateElements(contentInfo: asn1js.AsnType): asn1js.AsnType[] {
  const signedData = childrenOf(childrenOf(contentInfo)[1])[0];
  return childrenOf(childrenOf(signedData).find((b) => b.idBlock.tagClass === 3 && b.idBlock.tagNumber === 0));
}

type ParsedSignedData = { signedData: pkijs.SignedData; pool: CertInfo[]; length: number };

/**
 * Parses the DER/BER ContentInfo(SignedData) at the start of `bytes`. The certificates are
 * counted on the bare ASN.1 tree before PKI.js reads the structure, and each X.509 certificate
 * keeps the bytes it was carried as (no re-encoding).
 */
function parseSignedData(bytes: Buffer): ParsedSignedData {
  const asn = asn1js.fromBER(bytes);
  if (asn.offset === -1) throw new CmsError(`not a CMS: ${asn.result.error}`);
  const elements = certificateElements(asn.result);
  if (elements.length > VERIFICATION_LIMITS.maxCertificatesPerCms) {
    throw new CmsError(`${elements.length} certificates in one CMS (at most ${VERIFICATION_LIMITS.maxCertificatesPerCms})`);
  }
  const contentInfo = new pkijs.ContentInfo({ schema: asn.result });
  if (contentInfo.contentType !== SIGNED_DATA) throw new CmsError('not a SignedData ContentInfo');
  const signedData = new pkijs.SignedData({ schema: contentInfo.content });
  if (signedData.signerInfos.length !== 1) throw new CmsError(`expected exactly one SignerInfo, found ${signedData.signerInfos.length}`);
  const pool: CertInfo[] = [];
  (signedData.certificates ?? []).forEach((cert, i) => {
    const element = elements[i];
    if (cert instanceof pkijs.Certificate && element) pool.push(certInfoOf(cert, Buffer.from(element.valueBeforeDecodeView)));
  });
  return { signedData, pool, length: asn.offset };
}

function signedAttribute(signerInfo: pkijs.SignerInfo, type: string): asn1js.AsnType | undefined {
  return signerInfo.signedAttrs?.attributes.find((a) => a.type === type)?.values[0];
}

/** ESS signing-certificate-v2, when present, must name the signer certificate. */
function signingCertMatches(signerInfo: pkijs.SignerInfo, signer: CertInfo): boolean {
  const attr = signedAttribute(signerInfo, SIGNING_CERT_V2);
  if (!attr) return true;
  const [head, second] = childrenOf(childrenOf(childrenOf(attr)[0])[0]);
  const explicitAlg = head instanceof asn1js.Sequence;
  const oid = explicitAlg ? childrenOf(head)[0] : undefined;
  const alg = explicitAlg ? (oid instanceof asn1js.ObjectIdentifier ? ESS_DIGESTS[oid.valueBlock.toString()] : undefined) : 'sha256';
  const certHash = explicitAlg ? second : head;
  if (!alg || !(certHash instanceof asn1js.OctetString)) throw new CmsError('malformed signing-certificate-v2 attribute');
  return Buffer.from(certHash.valueBlock.valueHexView).equals(createHash(alg).update(signer.der).digest());
}

function signingTimeOf(signerInfo: pkijs.SignerInfo): Date | undefined {
  const t = signedAttribute(signerInfo, SIGNING_TIME);
  return t instanceof asn1js.UTCTime || t instanceof asn1js.GeneralizedTime ? t.toDate() : undefined;
}

/**
 * The signer's signature over the signed attributes alone, exactly as PKI.js checks it. Used when
 * PKI.js stopped at a digest mismatch, so the report still says whether the signature itself holds.
 */
async function signatureOverSignedAttrs(
  signedData: pkijs.SignedData,
  signerCert: pkijs.Certificate,
  engine: BudgetedCryptoEngine,
): Promise<boolean> {
  const signerInfo = signedData.signerInfos[0];
  if (!signerInfo?.signedAttrs) return false;
  const algorithm = engine.getAlgorithmByOID(signerInfo.digestAlgorithm.algorithmId);
  const sha = signerInfo.signatureAlgorithm.algorithmId === RSA_ENCRYPTION && 'name' in algorithm ? String(algorithm.name) : undefined;
  try {
    return await engine.verifyWithPublicKey(
      signerInfo.signedAttrs.encodedValue,
      signerInfo.signature,
      signerCert.subjectPublicKeyInfo,
      signerInfo.signatureAlgorithm,
      sha,
    );
  } catch (e) {
    if (e instanceof CmsError) throw e;
    return false;
  }
}

/** The covered parts in one ArrayBuffer of exactly their length (PKI.js hashes a whole ArrayBuffer). */
function joined(parts: Buffer[]): ArrayBuffer {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out.buffer;
}

/**
 * Verifies a detached CMS over `content` (the covered parts, in order) with PKI.js: the
 * messageDigest attribute (or a timestamp token's imprint), the signer's signature over the signed
 * attributes, and (here) the ESS signing-certificate binding. Before PKI.js sees anything, the
 * CMS may carry at most VERIFICATION_LIMITS.maxCertificatesPerCms certificates and every
 * certificate's key must be within the limits; the signature check is taken from `budget`.
 * Throws CmsError (or a parser's error) on malformed input and SIGNATURE_MALFORMED when the budget
 * runs out; a well-formed but wrong signature yields false flags, not an exception.
 */
export async function verifyCms(cmsBytes: Buffer, content: Buffer[], budget: VerificationBudget): Promise<CmsCheck> {
  const { signedData, pool, length } = parseSignedData(cmsBytes);
  for (const c of pool) assertAcceptableKey(c.x509);
  const engine = new BudgetedCryptoEngine(budget);
  const data = joined(content);
  let digestValid = true;
  let signatureValid = false;
  let signerCert: pkijs.Certificate | null = null;
  try {
    const r = await signedData.verify({ signer: 0, data, extendedMode: true, checkChain: false }, engine);
    signatureValid = r.signatureVerified === true;
    signerCert = r.signerCertificate ?? null;
  } catch (e) {
    budget.rethrowIfOverrun();
    if (!(e instanceof pkijs.SignedDataVerifyError) || e.code !== 15 || !e.signerCertificate) throw new CmsError((e as Error).message);
    signerCert = e.signerCertificate;
    if (DIGEST_MISMATCH.test(e.message)) {
      digestValid = false;
      signatureValid = await signatureOverSignedAttrs(signedData, signerCert, engine);
    } else if (/TSTInfo (eContent is empty|wrong ASN.1 schema)/.test(e.message)) {
      throw new CmsError(e.message);
    }
    // Any other failure past the digest (an unusable signature value, an algorithm WebCrypto
    // lacks) means the signature does not verify: reported with signatureValid false.
  }
  budget.rethrowIfOverrun();
  const signer = pool.find((c) => c.cert === signerCert);
  if (!signer) throw new CmsError('signer certificate not included in the CMS');
  const signerInfo = signedData.signerInfos[0]!;
  return {
    signer,
    pool,
    digestValid,
    signatureValid: signatureValid && signingCertMatches(signerInfo, signer),
    signingTime: signingTimeOf(signerInfo),
    cmsLength: length,
  };
}
