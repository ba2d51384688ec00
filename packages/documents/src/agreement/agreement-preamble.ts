import type { AgreementDocumentData } from './agreement-data.schema';
import { formatDateId, formalDateWords } from './indonesian-format';
import { formatNip, type Block } from './layout-blocks';

const LEGAL_BASES = [
  'Undang-Undang Nomor 11 Tahun 2008 tentang Informasi dan Transaksi Elektronik sebagaimana telah beberapa kali diubah, terakhir dengan Undang-Undang Nomor 1 Tahun 2024;',
  'Undang-Undang Nomor 14 Tahun 2008 tentang Keterbukaan Informasi Publik;',
  'Undang-Undang Nomor 23 Tahun 2014 tentang Pemerintahan Daerah sebagaimana telah beberapa kali diubah;',
  'Undang-Undang Nomor 27 Tahun 2022 tentang Pelindungan Data Pribadi;',
  'Peraturan Pemerintah Nomor 71 Tahun 2019 tentang Penyelenggaraan Sistem dan Transaksi Elektronik;',
  'Peraturan Presiden Nomor 95 Tahun 2018 tentang Sistem Pemerintahan Berbasis Elektronik;',
  'Peraturan Presiden Nomor 63 Tahun 2019 tentang Penggunaan Bahasa Indonesia;',
  'Peraturan Badan Siber dan Sandi Negara Nomor 4 Tahun 2021 tentang Pedoman Manajemen Keamanan Informasi Sistem Pemerintahan Berbasis Elektronik dan Standar Teknis dan Prosedur Keamanan Sistem Pemerintahan Berbasis Elektronik;',
];

/** Title, parties and legal basis of the agreement. */
export function preambleBlocks(d: AgreementDocumentData): Block[] {
  const legal = [...LEGAL_BASES, ...d.additionalLegalBases];
  return [
    {
      kind: 'title',
      lines: [
        'PERJANJIAN PEMANFAATAN SERVER',
        'UNTUK LAYANAN VIRTUAL PRIVATE SERVER (VPS)',
        'PADA PUSAT DATA PEMERINTAH PROVINSI KALIMANTAN TENGAH',
        'ANTARA',
        d.dataCenter.name.toUpperCase(),
        'DENGAN',
        d.institution.name.toUpperCase(),
        `NOMOR: ${d.documentNumber}`,
      ],
    },
    { kind: 'spacer', height: 8 },
    {
      kind: 'paragraph',
      text:
        `Pada hari ini, ${formalDateWords(d.issuedAt)} (${formatDateId(d.issuedAt)}), bertempat di ${d.place}, ` +
        'yang bertanda tangan di bawah ini:',
    },
    { kind: 'item', label: '1.', text: `${d.dataCenter.head.name}` },
    {
      kind: 'fields',
      level: 0,
      rows: [
        ['NIP', formatNip(d.dataCenter.head.nip)],
        ['Jabatan', d.dataCenter.head.title],
      ],
    },
    {
      kind: 'paragraph',
      text:
        `dalam hal ini bertindak untuk dan atas nama ${d.dataCenter.name} selaku pengelola Pusat Data Pemerintah ` +
        `Provinsi Kalimantan Tengah, berkedudukan di ${d.dataCenter.address}, selanjutnya disebut PIHAK PERTAMA.`,
    },
    { kind: 'item', label: '2.', text: `${d.institution.head.name}` },
    {
      kind: 'fields',
      level: 0,
      rows: [
        ['NIP', formatNip(d.institution.head.nip)],
        ['Jabatan', d.institution.head.title],
      ],
    },
    {
      kind: 'paragraph',
      text:
        `dalam hal ini bertindak untuk dan atas nama ${d.institution.name}, berkedudukan di ` +
        `${d.institution.address}, selanjutnya disebut PIHAK KEDUA.`,
    },
    {
      kind: 'paragraph',
      text:
        'PIHAK PERTAMA dan PIHAK KEDUA yang selanjutnya secara bersama-sama disebut PARA PIHAK, dengan ' +
        'memperhatikan ketentuan peraturan perundang-undangan sebagai berikut:',
    },
    ...legal.map((text, i): Block => ({ kind: 'item', label: `${i + 1}.`, text })),
    {
      kind: 'paragraph',
      text:
        'PARA PIHAK sepakat untuk mengadakan Perjanjian Pemanfaatan Server untuk Layanan Virtual Private Server ' +
        '(VPS) pada Pusat Data Pemerintah Provinsi Kalimantan Tengah, yang selanjutnya disebut Perjanjian, ' +
        'dengan ketentuan sebagai berikut:',
    },
  ];
}
