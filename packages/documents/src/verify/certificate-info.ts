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
  /** Subject serialNumber values (where certificate authorities put a NIK or NIP). */
  serialNumbers: string[];
  /** E-mail addresses from the subject (emailAddress) and the subjectAltName (rfc822Name), lower-cased. */
  emails: string[];
};

const SAN = '2.5.29.17';
const SKI = '2.5.29.14';
const COMMON_NAME = '2.5.4.3';
const SERIAL_NUMBER = '2.5.4.5';
const EMAIL_ADDRESS = '1.2.840.113549.1.9.1';

/** Parses one DER certificate; throws (DerError or node's error) when it is not one. */
export function certInfo(der: Buffer): CertInfo {
  const x509 = new X509Certificate(der);
  const tbs = children(children(readTlv(der))[0]);
  const i = tbs[0].tag === 0xa0 ? 1 : 0;
  let subjectKeyId: Buffer | undefined;
  const emails: string[] = [];
  const extsWrapper = tbs.find((t) => t.tag === 0xa3);
  if (extsWrapper) {
    for (const ext of children(children(extsWrapper)[0])) {
      const parts = children(ext);
      const value = readTlv(parts[parts.length - 1].content);
      if (oidOf(parts[0]) === SKI) subjectKeyId = value.content;
      // GeneralName rfc822Name is [1] IMPLICIT IA5String
      if (oidOf(parts[0]) === SAN) for (const name of children(value)) if (name.tag === 0x81) emails.push(name.content.toString('latin1'));
    }
  }
  const subject = tbs[i + 4];
  emails.push(...nameAttributes(subject, EMAIL_ADDRESS));
  return {
    der,
    x509,
    serial: stripLeadingZeros(tbs[i].content),
    issuer: tbs[i + 2].raw,
    subjectKeyId,
    commonName: nameAttributes(subject, COMMON_NAME)[0],
    serialNumbers: nameAttributes(subject, SERIAL_NUMBER),
    emails: [...new Set(emails.map((e) => e.trim().toLowerCase()))],
  };
}

/** Every value of an attribute in an X.501 Name, decoded from UTF8/Printable/IA5/BMP strings. */
function nameAttributes(name: Tlv, oid: string): string[] {
  const out: string[] = [];
  for (const rdn of children(name)) {
    for (const atv of children(rdn)) {
      const [type, value] = children(atv);
      if (oidOf(type) !== oid) continue;
      out.push(value.tag === 0x1e ? Buffer.from(value.content).swap16().toString('utf16le') : value.content.toString(value.tag === 0x0c ? 'utf8' : 'latin1'));
    }
  }
  return out;
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
