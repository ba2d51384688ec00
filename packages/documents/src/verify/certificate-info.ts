import { X509Certificate } from 'node:crypto';
import { childAt, children, DerError, oidOf, present, readTlv, type Tlv } from './der-reader';

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
  const tbs = children(childAt(readTlv(der), 0, 'TBSCertificate'));
  const i = present(tbs[0], 'TBSCertificate fields').tag === 0xa0 ? 1 : 0;
  let subjectKeyId: Buffer | undefined;
  const emails: string[] = [];
  const extsWrapper = tbs.find((t) => t.tag === 0xa3);
  if (extsWrapper) {
    for (const ext of children(childAt(extsWrapper, 0, 'Extensions'))) {
      const parts = children(ext);
      const extnId = oidOf(present(parts[0], 'extnID'));
      const value = readTlv(present(parts[parts.length - 1], 'extnValue').content);
      if (extnId === SKI) subjectKeyId = value.content;
      // GeneralName rfc822Name is [1] IMPLICIT IA5String
      if (extnId === SAN) for (const name of children(value)) if (name.tag === 0x81) emails.push(name.content.toString('latin1'));
    }
  }
  const subject = present(tbs[i + 4], 'subject');
  emails.push(...nameAttributes(subject, EMAIL_ADDRESS));
  return {
    der,
    x509,
    serial: stripLeadingZeros(present(tbs[i], 'serialNumber').content),
    issuer: present(tbs[i + 2], 'issuer').raw,
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
      if (!type || !value) throw new DerError('incomplete AttributeTypeAndValue');
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
