/**
 * NIP (Nomor Induk Pegawai) as civil servants write it: 18 digits grouped 8-6-1-3 — birth date,
 * appointment month, sex, sequence — `19870315 201001 1 002`, the way the agreement PDF prints it.
 * Returns any other text unchanged (a NIP that is not 18 digits is shown as written).
 */
export function formatNip(nip: string): string {
  const digits = nip.replace(/\s/g, '');
  return /^\d{18}$/.test(digits) ? `${digits.slice(0, 8)} ${digits.slice(8, 14)} ${digits.slice(14, 15)} ${digits.slice(15)}` : nip;
}

/** A NIP as stored: the digits without the spaces people type between the groups. */
export function normalizeNip(nip: string): string {
  return nip.replace(/\s/g, '');
}
