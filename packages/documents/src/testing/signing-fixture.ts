import { createSigningCa, issueSignerCredential } from '../crypto/signing-ca';
import type { SignerCredential, SigningCa } from '../crypto/signing-ca.types';

export const TEST_MASTER_SECRET = 'uji-rahasia-utama-betang-0123456789abcdef';

export type SigningFixture = { ca: SigningCa; institutionHead: SignerCredential; dataCenterHead: SignerCredential };

/** A fresh internal CA with credentials for both agreement signers (takes ~2 s: RSA 3072). */
export function createSigningFixture(commonName = 'Betang Uji CA'): SigningFixture {
  const ca = createSigningCa({ commonName, organization: 'Diskominfosantik Provinsi Kalimantan Tengah', masterSecret: TEST_MASTER_SECRET });
  return {
    ca,
    institutionHead: issueSignerCredential(ca, TEST_MASTER_SECRET, {
      name: 'Dra. Siti Rahmawati, M.Si.',
      email: 'kepala.adpim@kalteng.go.id',
      nip: '197503122000032004',
      role: 'Kepala Biro Administrasi Pimpinan',
      institution: 'Biro Administrasi Pimpinan',
    }),
    dataCenterHead: issueSignerCredential(ca, TEST_MASTER_SECRET, {
      name: 'Ir. Agus Priyanto, M.T.',
      email: 'kadis@diskominfosantik.kalteng.go.id',
      nip: '197108151998031005',
      role: 'Kepala Dinas',
      institution: 'Diskominfosantik Provinsi Kalimantan Tengah',
    }),
  };
}

/** Signature metadata as the platform would pass it. */
export function signMeta(signerName: string, signedAt = new Date()) {
  return {
    signerName,
    reason: 'Menyetujui Perjanjian Pemanfaatan Server',
    location: 'Palangka Raya',
    contactInfo: 'pusatdata@kalteng.go.id',
    signedAt,
  };
}
