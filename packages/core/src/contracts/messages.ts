import type { z } from 'zod';
import type { Locale, LocalizedText } from '../i18n';

/**
 * The contracts' own field messages, in both languages, in one place. A schema never writes a
 * message string into itself: it attaches one of these texts (or a text a domain rule returns)
 * and each reader's error map words it in the reader's language — the API by Accept-Language,
 * the web by the language the person chose — so no screen shows two languages in one line.
 */
export const CONTRACT_MESSAGES = {
  nip: {
    id: 'NIP harus 18 digit angka (spasi boleh, misalnya 19870315 201001 1 002).',
    en: 'NIP must be 18 digits (spaces allowed, e.g. 19870315 201001 1 002).',
  },
  phone: { id: 'Nomor telepon tidak valid.', en: 'Invalid phone number.' },
  hostname: {
    id: 'Nama host: huruf kecil a–z, angka, dan tanda hubung; diawali huruf; paling banyak 63 karakter.',
    en: 'Host name: lower-case a–z, digits and dashes; starts with a letter; at most 63 characters.',
  },
  institutionCode: {
    id: 'Kode: huruf besar A–Z, angka, dan tanda hubung; diawali huruf; 2–32 karakter.',
    en: 'Code: upper-case A–Z, digits and dashes; starts with a letter; 2–32 characters.',
  },
  lineControlCharacters: {
    id: 'Tidak boleh berisi karakter kontrol (misalnya NUL, tab, baris baru).',
    en: 'Must not contain control characters (such as NUL, tab, line breaks).',
  },
  paragraphControlCharacters: {
    id: 'Tidak boleh berisi karakter kontrol selain tab dan baris baru (misalnya NUL).',
    en: 'Must not contain control characters other than tab and line breaks (such as NUL).',
  },
  duplicatePort: { id: 'Port ini sudah ada di daftar.', en: 'This port is already in the list.' },
  duplicateScope: { id: 'Cakupan ini dipilih dua kali.', en: 'This scope is chosen twice.' },
  presetOrResources: {
    id: 'Pilih paket ukuran atau isi ukuran sendiri, tidak keduanya.',
    en: 'Choose a size package or enter your own size, not both.',
  },
  sizeBoundsOrder: {
    id: 'Batas terkecil tidak boleh melebihi batas terbesar.',
    en: 'The lower bound may not exceed the upper bound.',
  },
  termTogether: {
    id: 'Isi tanggal mulai dan tanggal berakhir bersama-sama.',
    en: 'Enter the start and end dates together.',
  },
  dateRangeOrder: {
    id: 'Tanggal akhir tidak boleh sebelum tanggal awal.',
    en: 'The end date may not come before the start date.',
  },
  termOrder: {
    id: 'Tanggal berakhir harus setelah tanggal mulai.',
    en: 'The end date must come after the start date.',
  },
  consentRequired: {
    id: 'Centang pernyataan persetujuan untuk menandatangani.',
    en: 'Tick the consent statement to sign.',
  },
  duplicateRole: { id: 'Peran ini dipilih dua kali.', en: 'This role is chosen twice.' },
  invalidLink: {
    id: 'Tautan tidak valid; salin seluruh tautan dari e-mail.',
    en: 'Invalid link; copy the whole link from the e-mail.',
  },
  wholeGiB: { id: 'Memori harus dalam GiB utuh (kelipatan 1024 MiB).', en: 'Memory must be whole GiB (a multiple of 1024 MiB).' },
  oneCopyPerNode: { id: 'Satu salinan templat per node.', en: 'One copy of the template per node.' },
  oneNodePerVmid: { id: 'Setiap VMID hanya untuk satu node.', en: 'Each VMID belongs to one node only.' },
  levelsInOrder: {
    id: 'Tingkat persetujuan harus bernomor 1, 2, 3… berurutan.',
    en: 'Approval levels must be numbered 1, 2, 3… in order.',
  },
  clock: { id: 'Jam ditulis JJ:MM, dari 00:00 sampai 23:59 (WIB).', en: 'Time as HH:MM, from 00:00 to 23:59 (WIB).' },
  storageId: {
    id: 'ID penyimpanan Proxmox: diawali huruf, lalu huruf, angka, tanda hubung, garis bawah, atau titik; diakhiri huruf atau angka.',
    en: 'Proxmox storage ID: starts with a letter, then letters, digits, dashes, underscores or dots; ends with a letter or digit.',
  },
  period: { id: 'Bulan ditulis TTTT-BB, misalnya 2026-12.', en: 'Month as YYYY-MM, e.g. 2026-12.' },
  bridgeName: {
    id: 'Nama bridge Proxmox: huruf dan angka, paling banyak 15 karakter (misalnya vmbr9).',
    en: 'Proxmox bridge name: letters and digits, at most 15 characters (e.g. vmbr9).',
  },
  vmidRangeOrder: {
    id: 'VMID awal rentang tidak boleh lebih besar dari VMID akhirnya.',
    en: 'The first VMID of the range cannot be greater than its last.',
  },
  emptyWindow: {
    id: 'Jendela cadangan tidak boleh mulai dan selesai pada jam yang sama.',
    en: 'The backup window cannot start and end at the same time.',
  },
  duplicateKind: { id: 'Jenis pemberitahuan ini dipilih dua kali.', en: 'This notification kind is chosen twice.' },
  webhookUrl: {
    id: 'Alamat webhook harus URL http:// atau https:// tanpa nama pengguna atau kata sandi di dalamnya.',
    en: 'The webhook address must be an http:// or https:// URL without a user name or password in it.',
  },
  inAppLink: {
    id: 'Tautan harus berupa alamat halaman di dalam Betang (diawali /).',
    en: 'The link must be a page address inside Betang (starting with /).',
  },
} as const satisfies Record<string, LocalizedText>;

/** What a refinement or custom issue carries so that its message can be worded later. */
export type TextParams = { text: LocalizedText };

/**
 * Refinement options (`.refine(check, worded(text))`, `ctx.addIssue({code: 'custom', ...worded(text)})`)
 * that attach a bilingual text instead of a fixed message. Guarantees the issue's final message
 * comes from the reader's error map (contractIssueText finds the text there).
 */
export function worded<T extends Record<string, unknown>>(text: LocalizedText, extra?: T): { params: TextParams & T } {
  return { params: { ...(extra as T), text } };
}

const PATTERN_TEXTS = new Map<string, LocalizedText>();

/**
 * A pattern for `.regex()` whose failure is worded by `text`: the text is found again by the
 * pattern zod reports with the issue. Returns the pattern unchanged (its source stays in the
 * OpenAPI document).
 */
export function wordedPattern(pattern: RegExp, text: LocalizedText): RegExp {
  PATTERN_TEXTS.set(String(pattern), text);
  return pattern;
}

function isLocalizedText(value: unknown): value is LocalizedText {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as LocalizedText).id === 'string' &&
    typeof (value as LocalizedText).en === 'string'
  );
}

/** An issue as an error map sees it (raw) or as a parse result reports it (final). */
type AnyIssue = z.core.$ZodRawIssue | z.core.$ZodIssue;

/**
 * The bilingual text a contract attached to an issue — a refinement's `params.text` or a worded
 * pattern — or undefined when the issue is zod's own kind (then the reader's catalogue words it).
 */
export function contractIssueText(issue: AnyIssue): LocalizedText | undefined {
  if (issue.code === 'custom') {
    const text = (issue.params as Partial<TextParams> | undefined)?.text;
    return isLocalizedText(text) ? text : undefined;
  }
  if (issue.code === 'invalid_format' && typeof issue.pattern === 'string') return PATTERN_TEXTS.get(issue.pattern);
  return undefined;
}

/**
 * An error map for `schema.safeParse(input, {error})` that words contract texts in `locale` and
 * leaves every other issue to `fallback` (the reader's catalogue for zod's own issue kinds).
 */
export function contractErrorMap(locale: Locale, fallback: z.core.$ZodErrorMap): z.core.$ZodErrorMap {
  return (issue) => {
    const text = contractIssueText(issue);
    return text ? text[locale] : fallback(issue);
  };
}
