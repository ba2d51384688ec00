import { AGREEMENT_TEMPLATE_VERSION, type AgreementDocumentInput } from '../agreement/agreement-data.schema';

/** A complete, valid agreement input for tests and examples; override any field. */
export function sampleAgreementData(overrides: Partial<AgreementDocumentInput> = {}): AgreementDocumentInput {
  return {
    templateVersion: AGREEMENT_TEMPLATE_VERSION,
    documentNumber: '500.12/0123/DKISP-PD/XI/2026',
    issuedAt: new Date('2026-11-27T03:30:00Z'),
    institution: {
      name: 'Biro Administrasi Pimpinan Sekretariat Daerah Provinsi Kalimantan Tengah',
      address: 'Jalan R.T.A. Milono Nomor 1, Palangka Raya',
      head: { name: 'Dra. Siti Rahmawati, M.Si.', nip: '197503122000032004', title: 'Kepala Biro Administrasi Pimpinan' },
    },
    dataCenter: {
      address: 'Jalan Willem A. Samad Nomor 1, Palangka Raya',
      head: {
        name: 'Ir. Agus Priyanto, M.T.',
        nip: '197108151998031005',
        title: 'Kepala Dinas Komunikasi, Informatika, Persandian dan Statistik Provinsi Kalimantan Tengah',
      },
    },
    term: { fiscalYear: 2026, startDate: '2026-01-01', endDate: '2026-12-31' },
    resourceCeiling: { vcpu: 8, ramGib: 16, diskGib: 500, ipCount: 2 },
    osTemplates: ['Debian 12 (Bookworm)', 'Ubuntu Server 24.04 LTS'],
    applications: [
      { name: 'Portal Berita Biro Adpim', classification: 'rendah', domain: 'adpim.kalteng.go.id' },
      { name: 'Sistem Agenda Pimpinan', classification: 'tinggi' },
    ],
    domains: ['adpim.kalteng.go.id', 'agenda.kalteng.go.id'],
    verificationUrl: 'https://betang.kalteng.go.id/verifikasi/3f9c2a7e-5b1d-4c8e-9a0f-2d6b7e1c4a55',
    ...overrides,
  };
}
