import { createHash, generateKeyPairSync, X509Certificate } from 'node:crypto';
import forge from 'node-forge';

/** PEM key + certificate and the fingerprint PVE shows (`AB:CD:...`, SHA-256). */
interface SelfSigned {
  keyPem: string;
  certPem: string;
  fingerprint: string;
}

/** SHA-256 over the DER certificate, upper-case colon-separated hex (as `ssl_fingerprint`). */
function fingerprintOf(certPem: string): string {
  const der = new X509Certificate(certPem).raw;
  return createHash('sha256').update(der).digest('hex').toUpperCase().match(/../g)?.join(':') ?? '';
}

const cache = new Map<string, SelfSigned>();

/** Like generateSelfSigned, memoised per host/node for the process (keygen+signing costs ~1 s). */
export function cachedSelfSigned(host: string, nodeName: string): SelfSigned {
  const key = `${host}/${nodeName}`;
  let c = cache.get(key);
  if (!c) {
    c = generateSelfSigned(host, nodeName);
    cache.set(key, c);
  }
  return c;
}

/**
 * Generates a fresh self-signed certificate for 127.0.0.1/localhost/`host` (RSA 2048 made by
 * node:crypto for speed, signed with node-forge). Valid for 2 years.
 */
function generateSelfSigned(host: string, nodeName: string): SelfSigned {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = `01${createHash('sha1').update(keyPem).digest('hex').slice(0, 14)}`;
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 2 * 365 * 86400_000);
  const subject = [
    { name: 'organizationName', value: 'PVE Cluster Node' },
    { shortName: 'OU', value: 'PVE Cluster Node' },
    { name: 'commonName', value: `${nodeName}.betang.sim` },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  const altNames: Array<{ type: number; value?: string; ip?: string }> = [
    { type: 2, value: 'localhost' },
    { type: 2, value: nodeName },
    { type: 7, ip: '127.0.0.1' },
    { type: 7, ip: '::1' },
  ];
  if (host !== '127.0.0.1' && host !== '::1' && host !== 'localhost') {
    altNames.push(/^[\d.]+$|:/.test(host) ? { type: 7, ip: host } : { type: 2, value: host });
  }
  cert.setExtensions([
    { name: 'basicConstraints', cA: true },
    { name: 'keyUsage', keyCertSign: true, digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(keyPem), forge.md.sha256.create());
  const certPem = forge.pki.certificateToPem(cert);
  return { keyPem, certPem, fingerprint: fingerprintOf(certPem) };
}
