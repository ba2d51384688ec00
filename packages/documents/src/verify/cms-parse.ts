import { childAt, children, DerError, expectTag, oidOf, present, readTlv, type Tlv } from './der-reader';

/** The parts of a CMS SignedData (first SignerInfo) needed to verify a PDF signature. */
export type ParsedCms = {
  certificates: Buffer[];
  eContentType: string;
  eContent?: Buffer;
  sid: { issuer: Buffer; serial: Buffer } | { subjectKeyId: Buffer };
  digestAlgorithm: string;
  /** Signed attributes re-tagged as SET OF (0x31): the bytes the signature covers. */
  signedAttrsDer?: Buffer;
  attributes: Map<string, Tlv>;
  signatureAlgorithm: string;
  signatureAlgorithmParams?: Tlv;
  signature: Buffer;
};

/** Value bytes of an OCTET STRING, joining the segments of a BER constructed one. */
export function octetsOf(t: Tlv): Buffer {
  if (t.tag === 0x04) return t.content;
  if (t.tag === 0x24) return Buffer.concat(children(t).map(octetsOf));
  throw new DerError('expected OCTET STRING');
}

/**
 * Parses DER/BER ContentInfo(SignedData). Bytes after the outer element (the zero padding of
 * a PDF /Contents) are ignored here; the caller checks them. Throws DerError on any shape
 * problem, never returns a partially filled result.
 */
export function parseCms(bytes: Buffer): { cms: ParsedCms; length: number } {
  const outer = expectTag(readTlv(bytes, 0), 0x30, 'ContentInfo');
  const [ctype, explicit] = children(outer);
  if (!ctype || oidOf(ctype) !== '1.2.840.113549.1.7.2') throw new DerError('not a SignedData ContentInfo');
  const sd = children(expectTag(children(expectTag(explicit, 0xa0, '[0] content'))[0], 0x30, 'SignedData'));
  let i = 1;
  expectTag(sd[i++], 0x31, 'digestAlgorithms');
  const encap = children(expectTag(sd[i++], 0x30, 'EncapsulatedContentInfo'));
  const eContentType = oidOf(present(encap[0], 'eContentType'));
  const eContent = encap[1] ? octetsOf(childAt(expectTag(encap[1], 0xa0, 'eContent'), 0, 'eContent OCTET STRING')) : undefined;
  const certificates: Buffer[] = [];
  const certificateSet = sd[i];
  if (certificateSet?.tag === 0xa0) {
    i++;
    for (const c of children(certificateSet)) if (c.tag === 0x30) certificates.push(c.raw);
  }
  if (sd[i]?.tag === 0xa1) i++;
  const signerInfos = children(expectTag(sd[i], 0x31, 'signerInfos'));
  const [signerInfo] = signerInfos;
  if (!signerInfo || signerInfos.length !== 1) throw new DerError(`expected exactly one SignerInfo, found ${signerInfos.length}`);
  return { cms: { certificates, eContentType, eContent, ...parseSignerInfo(signerInfo) }, length: outer.raw.length };
}

function parseSignerInfo(t: Tlv): Omit<ParsedCms, 'certificates' | 'eContentType' | 'eContent'> {
  const f = children(expectTag(t, 0x30, 'SignerInfo'));
  let i = 1;
  const sidTlv = f[i++];
  let sid: ParsedCms['sid'];
  if (sidTlv?.tag === 0x30) {
    const [issuer, serial] = children(sidTlv);
    sid = { issuer: expectTag(issuer, 0x30, 'issuer').raw, serial: expectTag(serial, 0x02, 'serial').content };
  } else if (sidTlv?.tag === 0x80) {
    sid = { subjectKeyId: sidTlv.content };
  } else throw new DerError('unsupported SignerIdentifier');
  const digestAlgorithm = oidOf(childAt(expectTag(f[i++], 0x30, 'digestAlgorithm'), 0, 'digestAlgorithm OID'));
  const attributes = new Map<string, Tlv>();
  let signedAttrsDer: Buffer | undefined;
  const a = f[i];
  if (a?.tag === 0xa0) {
    i++;
    signedAttrsDer = Buffer.concat([Buffer.from([0x31]), a.raw.subarray(1)]);
    for (const attr of children(a)) {
      const [type, values] = children(expectTag(attr, 0x30, 'Attribute'));
      const first = children(expectTag(values, 0x31, 'AttributeValues'))[0];
      if (first) attributes.set(oidOf(present(type, 'attrType')), first);
    }
  }
  const sigAlg = children(expectTag(f[i++], 0x30, 'signatureAlgorithm'));
  const signature = expectTag(f[i], 0x04, 'signature').content;
  return { sid, digestAlgorithm, signedAttrsDer, attributes, signatureAlgorithm: oidOf(present(sigAlg[0], 'signatureAlgorithm OID')), signatureAlgorithmParams: sigAlg[1], signature };
}
