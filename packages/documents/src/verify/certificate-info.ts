import { X509Certificate } from 'node:crypto';
import * as pkijs from 'pkijs';

/** A certificate from a CMS: PKI.js's parsed form, node's (for keys and fingerprints) and who it names. */
export type CertInfo = {
  der: Buffer;
  x509: X509Certificate;
  cert: pkijs.Certificate;
  commonName?: string;
  /** Subject serialNumber values (where certificate authorities put a NIK or NIP). */
  serialNumbers: string[];
  /** E-mail addresses from the subject (emailAddress) and the subjectAltName (rfc822Name), lower-cased. */
  emails: string[];
};

const SAN = '2.5.29.17';
const COMMON_NAME = '2.5.4.3';
const SERIAL_NUMBER = '2.5.4.5';
const EMAIL_ADDRESS = '1.2.840.113549.1.9.1';
const RFC822_NAME = 1;

/** Parses one DER certificate with node and PKI.js; throws when either refuses it. */
export function certInfo(der: Buffer): CertInfo {
  const x509 = new X509Certificate(der);
  return describe(der, x509, pkijs.Certificate.fromBER(der));
}

/** certInfo for a certificate PKI.js already parsed out of a CMS from `der` (node must accept those bytes too). */
export function certInfoOf(cert: pkijs.Certificate, der: Buffer): CertInfo {
  return describe(der, new X509Certificate(der), cert);
}

function describe(der: Buffer, x509: X509Certificate, cert: pkijs.Certificate): CertInfo {
  const emails = nameValues(cert.subject, EMAIL_ADDRESS);
  for (const ext of cert.extensions ?? []) {
    if (ext.extnID !== SAN || !(ext.parsedValue instanceof pkijs.AltName)) continue;
    for (const name of ext.parsedValue.altNames) if (name.type === RFC822_NAME && typeof name.value === 'string') emails.push(name.value);
  }
  return {
    der,
    x509,
    cert,
    commonName: nameValues(cert.subject, COMMON_NAME)[0],
    serialNumbers: nameValues(cert.subject, SERIAL_NUMBER),
    emails: [...new Set(emails.map((e) => e.trim().toLowerCase()))],
  };
}

/** Every value of an attribute in an X.501 Name, as the string PKI.js decoded (UTF8/Printable/IA5/BMP). */
function nameValues(name: pkijs.RelativeDistinguishedNames, oid: string): string[] {
  return name.typesAndValues
    .filter((atv) => atv.type === oid)
    .map((atv) => String((atv.value.valueBlock as { value?: unknown }).value ?? ''));
}

/** PEM text for a DER certificate. */
export function toPem(der: Buffer): string {
  const b64 = der
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}
