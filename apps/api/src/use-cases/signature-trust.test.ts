import { createSigningCa, issueSignerCredential } from '@betang/documents';
import { identifiesSigner, parseTrustRootBundle, signatureTrust } from './signature-trust';

const SECRET = 'rahasia-uji-akar-kepercayaan-0123456789';

describe('signature trust settings', () => {
  const root = createSigningCa({ commonName: 'Akar Uji', organization: 'Uji', masterSecret: SECRET });
  const leaf = issueSignerCredential(
    root,
    SECRET,
    { name: 'Bukan CA', email: 'a@kalteng.go.id', role: 'Uji', institution: 'Uji' },
    { keyBits: 2048 },
  );

  it('should read every CA of a PEM bundle and refuse a bundle with a non-CA, garbage or nothing', () => {
    const roots = parseTrustRootBundle(`komentar\n${root.certPem}\n${root.certPem}`, 'akar.pem');
    expect(roots).toHaveLength(2);
    expect(signatureTrust(roots).rootFingerprints.size).toBe(1);
    expect(() => parseTrustRootBundle('', 'kosong.pem')).toThrow(/kosong\.pem: tidak ada sertifikat PEM \/ no PEM certificate/);
    expect(() => parseTrustRootBundle(`${root.certPem}${leaf.certPem}`, 'campur.pem')).toThrow(/certificate 2 is not a CA/);
    expect(() => parseTrustRootBundle('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----', 'rusak.pem')).toThrow(
      /certificate 1 is unreadable/,
    );
    const expired = createSigningCa({
      commonName: 'Akar Lama',
      organization: 'Uji',
      masterSecret: SECRET,
      validityYears: 1,
      now: new Date('2020-01-01T00:00:00Z'),
    });
    expect(() => parseTrustRootBundle(expired.certPem, 'lama.pem')).toThrow(/has expired/);
  });

  it('should identify a signer by NIP in serialNumber or by e-mail, only by the rules set, never by the name', () => {
    const expected = {
      role: 'dc_head' as const,
      name: 'Kepala Diskominfosantik',
      nip: '197108151998031005',
      emails: ['kadis@kalteng.go.id'],
    };
    const cert = (serialNumbers: string[], emails: string[] = [], commonName = 'Kepala Diskominfosantik') => ({
      signerIdentity: { commonName, serialNumbers, emails },
    });
    expect(identifiesSigner(cert(['197108151998031005']), expected, ['nip'])).toBe(true);
    expect(identifiesSigner(cert(['NIP:197108151998031005']), expected, ['nip'])).toBe(true);
    expect(identifiesSigner(cert(['19710815 199803 1 005']), expected, ['nip'])).toBe(true);
    expect(identifiesSigner(cert(['1971081519980310051']), expected, ['nip'])).toBe(false);
    expect(identifiesSigner(cert(['6271010101010001']), expected, ['nip'])).toBe(false);
    expect(identifiesSigner(cert([]), expected, ['nip'])).toBe(false);
    expect(identifiesSigner(cert([], ['KADIS@kalteng.go.id']), expected, ['email'])).toBe(true);
    expect(identifiesSigner(cert([], ['kadis@kalteng.go.id']), expected, ['nip'])).toBe(false);
    expect(identifiesSigner(cert(['197108151998031005']), expected, ['email'])).toBe(false);
    expect(identifiesSigner(cert([], ['kadis@kalteng.go.id']), expected, ['nip', 'email'])).toBe(true);
    expect(identifiesSigner(cert(['197108151998031005']), { ...expected, nip: null }, ['nip'])).toBe(false);
  });
});
