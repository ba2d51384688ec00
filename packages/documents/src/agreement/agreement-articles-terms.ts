import type { AgreementDocumentData } from './agreement-data.schema';
import { formatDateId, terbilang } from './indonesian-format';
import { CLASSIFICATION_LABEL } from './agreement-articles-scope';
import { article, lettered, numbered, type Block } from './layout-blocks';

/** Pasal 6–10: backups, acceptable use and suspension, security testing, credentials, data. */
export function operationArticles(d: AgreementDocumentData): Block[] {
  const b = d.backup;
  return [
    article(6, 'Cadangan Data dan Pemulihan'),
    ...(b.classes ? classBackupItems(b.classes, b.offsiteCopy) : fixedBackupItems(b)),
    article(7, 'Penggunaan yang Diperbolehkan dan Penangguhan Layanan'),
    { kind: 'item', label: '(1)', text: 'PIHAK KEDUA dilarang menggunakan VPS untuk:' },
    ...lettered([
      'menyimpan, mengolah atau menyebarkan konten yang melanggar ketentuan peraturan perundang-undangan;',
      'melakukan serangan, pemindaian atau upaya akses tanpa hak terhadap sistem elektronik mana pun;',
      'menggunakan sumber daya secara berlebihan yang mengganggu layanan pengguna lain, termasuk penambangan aset kripto;',
      'menjalankan layanan yang tidak berkaitan dengan tugas dan fungsi PIHAK KEDUA.',
    ]),
    {
      kind: 'item',
      label: '(2)',
      text: 'PIHAK PERTAMA dapat menangguhkan VPS tanpa pemberitahuan terlebih dahulu apabila terjadi pelanggaran sebagaimana dimaksud pada ayat (1) atau Insiden Keamanan Informasi yang mengancam sistem lain, dan memberitahukan alasannya kepada PIHAK KEDUA paling lambat 1 x 24 (satu kali dua puluh empat) jam setelah penangguhan.',
    },
    {
      kind: 'item',
      label: '(3)',
      text: 'VPS yang ditangguhkan diaktifkan kembali setelah PIHAK KEDUA menyelesaikan penyebab penangguhan dan menyampaikan laporannya kepada PIHAK PERTAMA.',
    },
    article(8, 'Keamanan Informasi dan Uji Keamanan'),
    ...numbered([
      'Sebelum Aplikasi dioperasikan untuk publik, PIHAK PERTAMA dapat mensyaratkan uji keamanan (penilaian kerentanan atau uji penetrasi) terhadap Aplikasi dan VPS.',
      'PIHAK KEDUA wajib menindaklanjuti temuan uji keamanan dengan tingkat risiko tinggi sebelum Aplikasi dioperasikan untuk publik.',
      'PARA PIHAK bekerja sama dalam penanganan Insiden Keamanan Informasi sesuai ketentuan peraturan perundang-undangan.',
    ]),
    article(9, 'Hak Akses dan Pemulihan Kredensial'),
    ...numbered([
      'Kredensial akses VPS dan Aplikasi dikelola oleh PIHAK KEDUA.',
      'Pemulihan atau pengaturan ulang kredensial oleh PIHAK PERTAMA hanya dilakukan berdasarkan Surat Resmi dari PIHAK KEDUA.',
    ]),
    article(10, 'Kepemilikan dan Klasifikasi Data'),
    ...numbered([
      'Data, Aplikasi dan sistem elektronik pada VPS merupakan milik Pemerintah Provinsi Kalimantan Tengah yang dikelola oleh PIHAK KEDUA.',
      'Klasifikasi data setiap Aplikasi ditetapkan sebagaimana tercantum dalam Pasal 3 ayat (4) dan menjadi dasar penerapan kendali keamanan oleh PARA PIHAK.',
      'PIHAK KEDUA memutakhirkan klasifikasi data apabila terjadi perubahan sifat Data.',
    ]),
  ];
}

/** Pasal 11–14: term, termination, disputes, closing provisions. */
export function termArticles(d: AgreementDocumentData): Block[] {
  const t = d.term;
  return [
    article(11, 'Jangka Waktu dan Perpanjangan'),
    ...numbered([
      `Perjanjian ini berlaku sejak tanggal ${formatDateId(t.startDate)} sampai dengan tanggal ${formatDateId(t.endDate)}, sesuai dengan Tahun Anggaran ${t.fiscalYear}.`,
      'Perjanjian ini dapat diperpanjang untuk tahun anggaran berikutnya atas permohonan PIHAK KEDUA yang diajukan paling lambat 30 (tiga puluh) hari sebelum Perjanjian berakhir.',
    ]),
    article(12, 'Pengakhiran serta Pengembalian dan Penghapusan Data'),
    ...numbered([
      'Perjanjian ini berakhir karena jangka waktunya berakhir dan tidak diperpanjang, atas kesepakatan PARA PIHAK, atau atas permintaan salah satu pihak yang disampaikan dengan Surat Resmi paling lambat 30 (tiga puluh) hari sebelumnya.',
      'Dalam waktu 30 (tiga puluh) hari sejak Perjanjian berakhir, PIHAK PERTAMA menyerahkan salinan Data kepada PIHAK KEDUA apabila diminta.',
      'Setelah jangka waktu sebagaimana dimaksud pada ayat (2) terlampaui, PIHAK PERTAMA menghapus VPS beserta seluruh hasil pencadangannya dan menyampaikan berita acara penghapusan kepada PIHAK KEDUA.',
    ]),
    article(13, 'Penyelesaian Perselisihan'),
    {
      kind: 'paragraph',
      text: 'Perselisihan yang timbul dari pelaksanaan Perjanjian ini diselesaikan oleh PARA PIHAK secara musyawarah untuk mufakat, dan apabila tidak tercapai, diselesaikan melalui fasilitasi Sekretariat Daerah Provinsi Kalimantan Tengah.',
    },
    article(14, 'Ketentuan Penutup'),
    ...numbered([
      'Hal-hal yang belum diatur atau perubahan atas Perjanjian ini diatur dalam adendum yang merupakan bagian tidak terpisahkan dari Perjanjian ini.',
      'Perjanjian ini dibuat dalam bahasa Indonesia dan ditandatangani secara elektronik oleh PARA PIHAK sesuai dengan Peraturan Pemerintah Nomor 71 Tahun 2019 tentang Penyelenggaraan Sistem dan Transaksi Elektronik.',
      'Setiap perubahan pada dokumen elektronik ini setelah ditandatangani dapat diketahui; keaslian dan keutuhannya dapat diperiksa melalui kode QR atau alamat verifikasi yang tercantum pada setiap halaman.',
    ]),
    {
      kind: 'paragraph',
      text: 'Demikian Perjanjian ini dibuat dengan itikad baik untuk dilaksanakan oleh PARA PIHAK.',
    },
    {
      kind: 'signatures',
      place: d.place,
      date: formatDateId(d.issuedAt),
      left: { party: 'PIHAK KEDUA,', title: d.institution.head.title, name: d.institution.head.name, nip: d.institution.head.nip },
      right: { party: 'PIHAK PERTAMA,', title: d.dataCenter.head.title, name: d.dataCenter.head.name, nip: d.dataCenter.head.nip },
    },
  ];
}

type Backup = AgreementDocumentData['backup'];
type BackupClass = NonNullable<Backup['classes']>[number];

const OFFSITE = {
  yes: 'Salinan hasil pencadangan disimpan pada lokasi yang terpisah secara fisik dari Pusat Data (salinan di luar lokasi).',
  no: 'PARA PIHAK sepakat bahwa salinan hasil pencadangan di luar lokasi Pusat Data tidak dilaksanakan, dan PIHAK KEDUA menanggung risiko yang timbul karenanya.',
};
const RESTORE =
  'PIHAK PERTAMA melakukan pemulihan VPS atau Data dari hasil pencadangan atas permintaan PIHAK KEDUA melalui sistem layanan Pusat Data atau Surat Resmi.';
const OWN_DUTY =
  'Pencadangan oleh PIHAK PERTAMA tidak menghapus kewajiban PIHAK KEDUA untuk mencadangkan data Aplikasi yang bersifat kritis sesuai kebutuhannya.';

/** The article as agreed before backups were scheduled per class: one schedule, a retention in days. */
function fixedBackupItems(b: Backup): Block[] {
  return numbered([
    `PIHAK PERTAMA melaksanakan pencadangan seluruh VPS PIHAK KEDUA dengan jadwal ${b.schedule}.`,
    `Hasil pencadangan disimpan selama ${b.retentionDays} (${terbilang(b.retentionDays)}) hari.`,
    b.offsiteCopy ? OFFSITE.yes : OFFSITE.no,
    RESTORE,
    OWN_DUTY,
  ]);
}

/** `7 (tujuh) cadangan harian terakhir, 4 (empat) cadangan mingguan dan 6 (enam) cadangan bulanan`. */
function retentionText(c: BackupClass): string {
  const parts = [`${c.keepDaily} (${terbilang(c.keepDaily)}) cadangan harian terakhir`];
  if (c.keepWeekly > 0) parts.push(`${c.keepWeekly} (${terbilang(c.keepWeekly)}) cadangan mingguan`);
  if (c.keepMonthly > 0) parts.push(`${c.keepMonthly} (${terbilang(c.keepMonthly)}) cadangan bulanan`);
  return parts.length === 1 ? parts[0]! : `${parts.slice(0, -1).join(', ')} dan ${parts[parts.length - 1]!}`;
}

/** The article stating, per class of the agreement's applications, the schedule and retention the scheduler runs. */
function classBackupItems(classes: BackupClass[], offsite: boolean): Block[] {
  return [
    {
      kind: 'item',
      label: '(1)',
      text: 'PIHAK PERTAMA melaksanakan pencadangan seluruh VPS PIHAK KEDUA menurut klasifikasi Aplikasi yang dijalankannya:',
    },
    ...lettered(
      classes.map(
        (c, i) =>
          `VPS Aplikasi berklasifikasi ${CLASSIFICATION_LABEL[c.classification]} dicadangkan ${c.schedule}; hasil pencadangan yang disimpan adalah ${retentionText(c)}${i === classes.length - 1 ? '.' : ';'}`,
      ),
    ),
    ...numbered([OFFSITE.yes, OFFSITE.no, RESTORE, OWN_DUTY].filter((t) => t !== (offsite ? OFFSITE.no : OFFSITE.yes))).map((blk, i) => ({
      ...blk,
      label: `(${i + 2})`,
    })),
  ];
}
