import type { LocalizedText } from '../i18n';

/**
 * What an institution is told when provisioning or a day-2 action fails. The worker's failure
 * text is written for operators (Proxmox and validation messages, node names, VM ids); people
 * of the institution get a humane reason chosen by the failure code, and the operators the
 * detail. Codes group by what the institution can understand and expect.
 */
const CAPACITY: LocalizedText = {
  id: 'Kapasitas pusat data (ruang server atau alamat IP) sedang tidak mencukupi untuk VPS ini. Operator Diskominfosantik sudah diberi tahu dan akan menindaklanjutinya.',
  en: 'The data center is short of capacity (server space or IP addresses) for this VPS. The data-center operators have been told and will follow up.',
};
const TEMPLATE: LocalizedText = {
  id: 'Templat sistem operasi yang dipilih sedang tidak tersedia di pusat data. Operator Diskominfosantik sudah diberi tahu dan akan menindaklanjutinya.',
  en: 'The chosen operating-system template is not available in the data center right now. The data-center operators have been told and will follow up.',
};
const GUEST: LocalizedText = {
  id: 'VPS sudah dibuat tetapi belum dapat disiapkan sepenuhnya (akun dan keamanan). Operator Diskominfosantik sudah diberi tahu dan akan menindaklanjutinya.',
  en: 'The VPS was created but could not be fully set up yet (account and security). The data-center operators have been told and will follow up.',
};
const AGREEMENT: LocalizedText = {
  id: 'Perjanjian pemanfaatan server instansi Anda tidak (lagi) mencakup VPS ini, jadi VPS tidak dibuat. Minta Kepala Instansi menandatangani perjanjian yang mencakupnya di menu Perjanjian; operator akan mengulang penyiapan setelahnya.',
  en: "Your institution's server-utilization agreement does not (or no longer) cover this VPS, so it was not built. Ask the head of the institution to sign an agreement that covers it under Agreements; the operators will retry afterwards.",
};
const GENERIC: LocalizedText = {
  id: 'Terjadi gangguan teknis di pusat data saat memproses VPS ini. Operator Diskominfosantik sudah diberi tahu dan akan menindaklanjutinya; Anda tidak perlu mengajukan ulang.',
  en: 'A technical problem in the data center stopped work on this VPS. The data-center operators have been told and will follow up; you do not need to submit again.',
};

const VM_OFF: LocalizedText = {
  id: 'VM sedang mati, sehingga agen tamu tidak berjalan. Nyalakan VM, lalu ulangi tindakannya.',
  en: 'The VM is stopped, so its guest agent is not running. Start the VM, then repeat the action.',
};

const SNAPSHOT_STORAGE: LocalizedText = {
  id: 'Storage tempat disk VM ini berada tidak mendukung snapshot. Andalkan cadangan, atau minta operator Diskominfosantik memindahkan disk ke storage yang mendukung snapshot.',
  en: "This VM's disk is on a storage that cannot take snapshots. Rely on backups, or ask the data-center operators to move the disk to a storage that can.",
};
const SNAPSHOT: LocalizedText = {
  id: 'Snapshot tidak dapat diproses saat ini (VM sedang dipakai proses lain atau snapshot tidak utuh). Coba lagi nanti; bila berulang, operator Diskominfosantik sudah diberi tahu.',
  en: 'The snapshot could not be handled right now (the VM was busy with another task, or the snapshot is incomplete). Try again later; if it happens again, the data-center operators have been told.',
};

const BY_CODE: Readonly<Record<string, LocalizedText>> = {
  VM_NOT_RUNNING: VM_OFF,
  SNAPSHOT_UNSUPPORTED: SNAPSHOT_STORAGE,
  SNAPSHOT_INCOMPLETE: SNAPSHOT,
  SNAPSHOT_GONE: SNAPSHOT,
  SNAPSHOT_UNKNOWN: SNAPSHOT,
  NO_CAPACITY: CAPACITY,
  STORAGE_FULL: CAPACITY,
  CLONE_SLOTS_BUSY: CAPACITY,
  POOL_EXHAUSTED: CAPACITY,
  NO_ADDRESS: CAPACITY,
  TEMPLATE_MISSING: TEMPLATE,
  STORAGE_MISSING: TEMPLATE,
  DISK_MISSING: TEMPLATE,
  AGENT_TIMEOUT: GUEST,
  AGENT_EXEC_TIMEOUT: GUEST,
  HOST_KEY_UNREADABLE: GUEST,
  VERIFY_MISMATCH: GUEST,
  PROVISIONING_KEY_MISSING: GUEST,
  GUEST_ENDPOINT_UNKNOWN: GUEST,
  NO_AGREEMENT_IN_FORCE: AGREEMENT,
  AGREEMENT_NOT_COVERING: AGREEMENT,
};

/**
 * Failure codes whose message was written by a person for the institution (a reviewer's reason
 * for refusing a change, why it was cancelled): shown to everyone as written.
 */
export const PERSON_WRITTEN_FAILURE_CODES: ReadonlySet<string> = new Set(['CHANGE_REJECTED', 'CHANGE_CANCELLED']);

/** The humane, bilingual reason an institution sees for a failure `code` (null or unknown → a general one). Pure. */
export function institutionFailureReason(code: string | null | undefined): LocalizedText {
  if (!code) return GENERIC;
  if (code.startsWith('GUEST_')) return GUEST;
  return BY_CODE[code] ?? GENERIC;
}

/** One string in both languages, Indonesian first, as status reasons are stored (`id\n\nen`). */
export function bilingualReason(text: LocalizedText): string {
  return `${text.id}\n\n${text.en}`;
}
