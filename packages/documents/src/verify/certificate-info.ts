import { X509Certificate } from 'node:crypto';
import { children, oidOf, readTlv, type Tlv } from './der-reader';

/** A certificate from a CMS, with the raw fields needed to match a SignerIdentifier. */
export type CertInfo = {
  der: Buffer;
  x509: X509Certificate;
  serial: Buffer;
  issuer: Buffer;
  subjectKeyId?: Buffer;
  commonName?: string;
};

/** Parses one DER certificate; throws (DerError or node's error) when it is not one. */
export function certInfo(der: Buffer): CertInfo {
  const x509 = new X509Certificate(der);
  const tbs = children(children(readTlv(der))[0]);
  const i = tbs[0].tag === 0xa0 ? 1 : 0;
  let subjectKeyId: Buffer | undefined;
  const extsWrapper = tbs.find((t) => t.tag === 0xa3);
  if (extsWrapper) {
    for (const ext of children(children(extsWrapper)[0])) {
      const parts = children(ext);
      if (oidOf(parts[0]) === '2.5.29.14') subjectKeyId = readTlv(parts[parts.length - 1].content).content;
    }
  }
  const commonName = nameAttribute(tbs[i + 4], '2.5.4.3');
  return { der, x509, serial: stripLeadingZeros(tbs[i].content), issuer: tbs[i + 2].raw, subjectKeyId, commonName };
}

/** First value of an attribute in an X.501 Name, decoded from UTF8/Printable/IA5/BMP strings. */
function nameAttribute(name: Tlv, oid: string): string | undefined {
  for (const rdn of children(name)) {
    for (const atv of children(rdn)) {
      const [type, value] = children(atv);
      if (oidOf(type) !== oid) continue;
      if (value.tag === 0x1e) return Buffer.from(value.content).swap16().toString('utf16le');
      return value.content.toString(value.tag === 0x0c ? 'utf8' : 'latin1');
    }
  }
  return undefined;
}

/** INTEGER bytes without sign-padding zeros, so 00 8f … and 8f … compare equal. */
export function stripLeadingZeros(b: Buffer): Buffer {
  let k = 0;
  while (k < b.length - 1 && b[k] === 0) k++;
  return b.subarray(k);
}

/** PEM text for a DER certificate. */
export function toPem(der: Buffer): string {
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}
