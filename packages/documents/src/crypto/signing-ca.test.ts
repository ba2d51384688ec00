import { X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { DocumentErrorCode, isDocumentError } from '../errors/document-error';
import { createSigningFixture, TEST_MASTER_SECRET } from '../testing/signing-fixture';
import { decryptPrivateKey } from './key-encryption';
import { issueSignerCredential } from './signing-ca';

jest.setTimeout(30_000);

describe('createSigningCa / issueSignerCredential', () => {
  const fx = createSigningFixture();

  it('should issue a 3072-bit signer certificate signed by the CA', () => {
    const ca = new X509Certificate(fx.ca.certPem);
    const cert = new X509Certificate(fx.institutionHead.certPem);
    expect(ca.ca).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.checkIssued(ca)).toBe(true);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.publicKey.asymmetricKeyDetails?.modulusLength).toBe(3072);
    expect(fx.institutionHead.chainPems).toEqual([fx.ca.certPem]);
  });

  it('should limit the signer key to digitalSignature and nonRepudiation and carry the identity', () => {
    const cert = forge.pki.certificateFromPem(fx.institutionHead.certPem);
    const ku = cert.getExtension('keyUsage') as {
      critical: boolean;
      digitalSignature: boolean;
      nonRepudiation: boolean;
      keyCertSign: boolean;
    };
    expect(ku).toMatchObject({ critical: true, digitalSignature: true, nonRepudiation: true, keyCertSign: false });
    expect(cert.subject.getField('CN').value).toBe(forge.util.encodeUtf8('Dra. Siti Rahmawati, M.Si.'));
    expect(cert.subject.getField({ name: 'serialNumber' }).value).toBe('197503122000032004');
    const alt = cert.getExtension('subjectAltName') as { altNames: Array<{ value: string }> };
    expect(alt.altNames[0]?.value).toBe('kepala.adpim@kalteng.go.id');
  });

  it('should store both private keys only encrypted, matching their certificates', () => {
    expect(fx.ca.encryptedKey).not.toContain('PRIVATE KEY');
    const key = decryptPrivateKey(fx.dataCenterHead.encryptedKey, TEST_MASTER_SECRET);
    const cert = forge.pki.certificateFromPem(fx.dataCenterHead.certPem);
    const pub = cert.publicKey as forge.pki.rsa.PublicKey;
    expect((forge.pki.privateKeyFromPem(key) as forge.pki.rsa.PrivateKey).n.equals(pub.n)).toBe(true);
  });

  it('should refuse to issue with a wrong CA secret or an invalid identity', () => {
    const identity = { name: 'X', email: 'x@kalteng.go.id', role: 'r', institution: 'i' };
    const errorOf = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return e;
      }
      return undefined;
    };
    const wrong = errorOf(() => issueSignerCredential(fx.ca, 'bukan-rahasia-yang-benar-123', identity));
    expect(isDocumentError(wrong, DocumentErrorCode.KeyDecryptionFailed)).toBe(true);
    const invalid = errorOf(() => issueSignerCredential(fx.ca, TEST_MASTER_SECRET, { ...identity, email: 'bukan email' }));
    expect(isDocumentError(invalid, DocumentErrorCode.InvalidArgument)).toBe(true);
    expect(isDocumentError(invalid) && invalid.details?.detail).toBe('signer: email');
  });
});
