import type { AgreementDocumentData } from './agreement-data.schema';
import { article, lettered, numbered, type Block } from './layout-blocks';

export const CLASSIFICATION_LABEL = { strategis: 'Strategis', tinggi: 'Tinggi', rendah: 'Rendah' } as const;

/** Pasal 1–5: definitions, purpose, scope with the resource ceiling, obligations of both parties. */
export function scopeArticles(d: AgreementDocumentData): Block[] {
  const c = d.resourceCeiling;
  const domains = d.domains.length > 0 ? d.domains.join(', ') : 'belum ditetapkan';
  return [
    article(1, 'Ketentuan Umum'),
    { kind: 'paragraph', text: 'Dalam Perjanjian ini yang dimaksud dengan:' },
    ...numbered([
      `Pusat Data adalah fasilitas Pemerintah Provinsi Kalimantan Tengah yang digunakan untuk penempatan sistem elektronik dan komponen terkaitnya, yang dikelola oleh PIHAK PERTAMA.`,
      'Virtual Private Server yang selanjutnya disingkat VPS adalah server virtual yang berjalan di atas infrastruktur komputasi Pusat Data dan dikelola sendiri oleh PIHAK KEDUA.',
      'Layanan Infrastructure as a Service yang selanjutnya disebut Layanan IaaS adalah layanan penyediaan sumber daya komputasi, penyimpanan dan jaringan dalam bentuk VPS.',
      'Aplikasi adalah sistem elektronik milik PIHAK KEDUA yang dijalankan pada VPS.',
      'Data adalah seluruh data dan informasi yang disimpan, diolah atau dihasilkan oleh Aplikasi dan VPS milik PIHAK KEDUA.',
      'Insiden Keamanan Informasi adalah satu atau serangkaian kejadian yang mengancam kerahasiaan, keutuhan atau ketersediaan sistem elektronik dan Data.',
      'Surat Resmi adalah surat dinas yang ditandatangani oleh kepala perangkat daerah atau pejabat yang diberi wewenang.',
    ]),
    article(2, 'Maksud dan Tujuan'),
    ...numbered([
      'Maksud Perjanjian ini adalah sebagai pedoman bagi PARA PIHAK dalam pemanfaatan server Pusat Data untuk Layanan IaaS berupa VPS.',
      'Tujuan Perjanjian ini adalah mewujudkan penyelenggaraan sistem elektronik PIHAK KEDUA yang andal, aman, terpadu dan efisien dalam kerangka Sistem Pemerintahan Berbasis Elektronik.',
    ]),
    article(3, 'Ruang Lingkup'),
    ...numbered([
      'PIHAK PERTAMA menyediakan Layanan IaaS berupa VPS kepada PIHAK KEDUA, dan PIHAK KEDUA mengelola sendiri sistem operasi, Aplikasi dan Data pada VPS tersebut.',
      'Batas paling tinggi sumber daya yang dapat digunakan PIHAK KEDUA untuk seluruh VPS adalah sebagai berikut:',
    ]),
    ...lettered([
      `prosesor virtual (vCPU): ${c.vcpu} inti;`,
      `memori (RAM): ${c.ramGib} GiB;`,
      `media penyimpanan (disk): ${c.diskGib} GiB;`,
      `alamat IP: ${c.ipCount} alamat.`,
    ]),
    ...numbered([
      `Templat sistem operasi yang dapat digunakan: ${d.osTemplates.join('; ')}.`,
      'Aplikasi yang dijalankan pada VPS beserta klasifikasi datanya adalah sebagai berikut:',
    ]).map((b, i) => (b.kind === 'item' ? { ...b, label: `(${i + 3})` } : b)),
    ...lettered(
      d.applications.map((a) => `${a.name}${a.domain ? ` (${a.domain})` : ''}: klasifikasi ${CLASSIFICATION_LABEL[a.classification]};`),
    ),
    { kind: 'item', label: '(5)', text: `Nama domain yang digunakan: ${domains}.` },
    {
      kind: 'item',
      label: '(6)',
      text: 'Perubahan batas sumber daya, templat, Aplikasi atau nama domain diajukan oleh PIHAK KEDUA melalui sistem layanan Pusat Data dan berlaku setelah disetujui oleh PIHAK PERTAMA.',
    },
    article(4, 'Hak dan Kewajiban PIHAK PERTAMA'),
    { kind: 'item', label: '(1)', text: 'PIHAK PERTAMA berkewajiban:' },
    ...lettered([
      'menyediakan fasilitas Pusat Data, catu daya, sistem pendingin dan konektivitas jaringan bagi VPS;',
      'menjaga keamanan fisik dan keamanan infrastruktur Pusat Data;',
      'melaksanakan pencadangan VPS sesuai ketentuan Pasal 6;',
      'menyampaikan pemberitahuan kepada PIHAK KEDUA paling lambat 3 (tiga) hari kerja sebelum pemeliharaan terencana yang berdampak pada VPS;',
      'menjaga kerahasiaan Data PIHAK KEDUA dan tidak mengakses isi Data kecuali atas permintaan PIHAK KEDUA atau untuk penanganan Insiden Keamanan Informasi.',
    ]),
    { kind: 'item', label: '(2)', text: 'PIHAK PERTAMA berhak:' },
    ...lettered([
      'menetapkan standar teknis dan prosedur pemanfaatan Layanan IaaS;',
      'memantau penggunaan sumber daya dan lalu lintas jaringan VPS;',
      'menangguhkan VPS sesuai ketentuan Pasal 7.',
    ]),
    article(5, 'Hak dan Kewajiban PIHAK KEDUA'),
    { kind: 'item', label: '(1)', text: 'PIHAK KEDUA berkewajiban:' },
    ...lettered([
      'bertanggung jawab atas Aplikasi dan Data, termasuk keabsahan dan isi informasinya;',
      'memperbarui sistem operasi dan perangkat lunak pada VPS secara berkala, termasuk pembaruan keamanan;',
      'mengelola hak akses pengguna VPS dan Aplikasi serta menjaga kerahasiaan kredensial;',
      'menunjuk penanggung jawab teknis untuk setiap Aplikasi dan memutakhirkan datanya;',
      'melaporkan Insiden Keamanan Informasi kepada PIHAK PERTAMA paling lambat 1 x 24 (satu kali dua puluh empat) jam sejak diketahui;',
      'menggunakan sumber daya tidak melebihi batas sebagaimana dimaksud dalam Pasal 3 ayat (2).',
    ]),
    { kind: 'item', label: '(2)', text: 'PIHAK KEDUA berhak:' },
    ...lettered([
      'memperoleh Layanan IaaS sesuai Perjanjian ini;',
      'memperoleh dukungan teknis dan informasi status layanan dari PIHAK PERTAMA;',
      'meminta pemulihan VPS dari cadangan sesuai ketentuan Pasal 6.',
    ]),
  ];
}
