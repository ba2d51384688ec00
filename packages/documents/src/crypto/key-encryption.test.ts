import { DocumentErrorCode, isDocumentError } from '../errors/document-error';
import { generateRsaKeyPair } from './certificate-builder';
import { decryptPrivateKey, encryptPrivateKey } from './key-encryption';

const SECRET = 'rahasia-utama-uji-0123456789abcdef';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    return isDocumentError(e) ? e.code : 'other';
  }
}

describe('encryptPrivateKey / decryptPrivateKey', () => {
  const { privateKeyPem } = generateRsaKeyPair(2048);

  it('should round-trip and never store the key in clear', () => {
    const blob = encryptPrivateKey(privateKeyPem, SECRET);
    expect(blob.startsWith('betang-key.v1.')).toBe(true);
    expect(blob).not.toContain('PRIVATE KEY');
    expect(decryptPrivateKey(blob, SECRET)).toBe(privateKeyPem);
  });

  it('should use a fresh salt and IV for every encryption', () => {
    expect(encryptPrivateKey(privateKeyPem, SECRET)).not.toBe(encryptPrivateKey(privateKeyPem, SECRET));
  });

  it('should fail with KEY_DECRYPTION_FAILED for a wrong secret, a flipped bit or a malformed blob', () => {
    const blob = encryptPrivateKey(privateKeyPem, SECRET);
    expect(codeOf(() => decryptPrivateKey(blob, `${SECRET}x`))).toBe(DocumentErrorCode.KeyDecryptionFailed);
    const parts = blob.split('.');
    const ct = Buffer.from(parts[5] ?? '', 'base64url');
    ct.writeUInt8(ct.readUInt8(10) ^ 1, 10);
    parts[5] = ct.toString('base64url');
    expect(codeOf(() => decryptPrivateKey(parts.join('.'), SECRET))).toBe(DocumentErrorCode.KeyDecryptionFailed);
    expect(codeOf(() => decryptPrivateKey('betang-key.v1.a.b.c.d', SECRET))).toBe(DocumentErrorCode.KeyDecryptionFailed);
    expect(codeOf(() => decryptPrivateKey(42 as unknown as string, SECRET))).toBe(DocumentErrorCode.KeyDecryptionFailed);
  });

  it('should refuse a master secret shorter than 16 bytes', () => {
    expect(codeOf(() => encryptPrivateKey(privateKeyPem, 'pendek'))).toBe(DocumentErrorCode.InvalidArgument);
  });
});
