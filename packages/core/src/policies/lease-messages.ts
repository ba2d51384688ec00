import type { NotificationMessage } from '../notification-messages';

/** One VPS a lease notice is about, and the agreement whose end started its lease. */
export type LeaseNoticeVm = {
  vmId: string;
  vmName: string;
  agreementId: string;
  agreementNumber: string;
  /** The kept final backup (only for `stopped`). */
  keptVolid?: string;
};

/** The institution a lease notice goes to and every VPS of it that reached the milestone. */
export type LeaseNoticeSubject = { institutionId: string; vms: readonly LeaseNoticeVm[] };

/** Each step (milestone) a lease notice announces, with the day it concerns. */
export type LeaseNotice =
  | { step: 'grace_started'; endedOn: string; stopOn: string }
  | { step: 'stop_ahead'; stopOn: string; days: number }
  | { step: 'stopped'; stoppedOn: string; destroyOn: string }
  | { step: 'destroy_ahead'; destroyOn: string; days: number }
  | { step: 'destroying'; on: string };

const RENEW = {
  id: 'Bila VPS ini masih diperlukan, mintalah operator Diskominfosantik menyiapkan perpanjangan perjanjian dan tandatangani dari tautan yang Anda terima.',
  en: 'If these VPSs are still needed, ask the data-center operators to draft the renewal of the agreement and sign it from the link you receive.',
};

/** `VPS a` for one, `3 VPS` for more: how titles name the group. */
function named(vms: readonly LeaseNoticeVm[]): { id: string; en: string } {
  return vms.length === 1
    ? { id: `VPS ${vms[0]!.vmName}`, en: `VPS ${vms[0]!.vmName}` }
    : { id: `${vms.length} VPS`, en: `${vms.length} VPSs` };
}

/** The list in the body: one line per VPS with its agreement (and its kept backup once stopped). */
function listed(vms: readonly LeaseNoticeVm[]): { id: string; en: string } {
  const line = (v: LeaseNoticeVm, lang: 'id' | 'en') =>
    `- ${v.vmName} (${lang === 'id' ? 'perjanjian' : 'agreement'} ${v.agreementNumber}` +
    (v.keptVolid ? `; ${lang === 'id' ? 'cadangan terakhir' : 'final backup'} ${v.keptVolid}` : '') +
    ')';
  return { id: vms.map((v) => line(v, 'id')).join('\n'), en: vms.map((v) => line(v, 'en')).join('\n') };
}

function text(s: LeaseNoticeSubject, n: LeaseNotice): { title: { id: string; en: string }; body: { id: string; en: string } } {
  const vm = named(s.vms);
  const list = listed(s.vms);
  const numbers = [...new Set(s.vms.map((v) => v.agreementNumber))].join(', ');
  switch (n.step) {
    case 'grace_started':
      return {
        title: { id: `Perjanjian berakhir: ${vm.id} dalam masa tenggang`, en: `Agreement ended: ${vm.en} in the grace period` },
        body: {
          id: `Perjanjian ${numbers} berakhir pada ${n.endedOn} tanpa perpanjangan. VPS berikut tetap berjalan sampai ${n.stopOn}; pada hari itu cadangan terakhir masing-masing diambil dan disimpan, lalu VPS dimatikan:\n${list.id}\n${RENEW.id}`,
          en: `Agreement ${numbers} ended on ${n.endedOn} without a renewal. These VPSs keep running until ${n.stopOn}; on that day a final backup of each is taken and kept, then the VPS is stopped:\n${list.en}\n${RENEW.en}`,
        },
      };
    case 'stop_ahead':
      return {
        title: { id: `${vm.id} dimatikan dalam ${n.days} hari (${n.stopOn})`, en: `${vm.en} stopped in ${n.days} days (${n.stopOn})` },
        body: {
          id: `Masa tenggang VPS berikut setelah perjanjian ${numbers} berakhir habis pada ${n.stopOn}. Pada hari itu cadangan terakhir masing-masing diambil dan disimpan, lalu VPS dimatikan:\n${list.id}\n${RENEW.id}`,
          en: `The grace period of these VPSs after agreement ${numbers} ended runs out on ${n.stopOn}. On that day a final backup of each is taken and kept, then the VPS is stopped:\n${list.en}\n${RENEW.en}`,
        },
      };
    case 'stopped':
      return {
        title: { id: `${vm.id} dimatikan; dihapus pada ${n.destroyOn}`, en: `${vm.en} stopped; destroyed on ${n.destroyOn}` },
        body: {
          id: `VPS berikut dimatikan pada ${n.stoppedOn} karena perjanjian ${numbers} berakhir tanpa perpanjangan; cadangan terakhir masing-masing disimpan. Pada ${n.destroyOn} VPS beserta disknya dihapus permanen:\n${list.id}\n${RENEW.id}`,
          en: `These VPSs were stopped on ${n.stoppedOn} because agreement ${numbers} ended without a renewal; the final backup of each is kept. On ${n.destroyOn} the VPSs and their disks are destroyed permanently:\n${list.en}\n${RENEW.en}`,
        },
      };
    case 'destroy_ahead':
      return {
        title: {
          id: `${vm.id} dihapus permanen dalam ${n.days} hari (${n.destroyOn})`,
          en: `${vm.en} destroyed permanently in ${n.days} days (${n.destroyOn})`,
        },
        body: {
          id: `VPS berikut, yang dimatikan setelah perjanjian ${numbers} berakhir, akan dihapus permanen pada ${n.destroyOn}; cadangan terakhirnya tetap disimpan:\n${list.id}\n${RENEW.id}`,
          en: `These VPSs, stopped after agreement ${numbers} ended, are destroyed permanently on ${n.destroyOn}; their final backups stay kept:\n${list.en}\n${RENEW.en}`,
        },
      };
    case 'destroying':
      return {
        title: { id: `${vm.id} sedang dihapus permanen`, en: `${vm.en} being destroyed permanently` },
        body: {
          id: `Perjanjian ${numbers} tidak diperpanjang, jadi VPS berikut dihapus permanen pada ${n.on}. Cadangan terakhirnya tetap disimpan di penyimpanan cadangan:\n${list.id}`,
          en: `Agreement ${numbers} was not renewed, so these VPSs are destroyed permanently on ${n.on}. Their final backups stay kept on the backup storage:\n${list.en}`,
        },
      };
  }
}

/** The day a notice is about: part of its milestone, so a moved deadline gets new notices. */
export function leaseNoticeDay(n: LeaseNotice): string {
  switch (n.step) {
    case 'grace_started':
      return n.stopOn;
    case 'stop_ahead':
      return `${n.stopOn}:${n.days}`;
    case 'stopped':
      return n.destroyOn;
    case 'destroy_ahead':
      return `${n.destroyOn}:${n.days}`;
    case 'destroying':
      return n.on;
  }
}

/**
 * FNV-1a (two 32-bit lanes) of the sorted VM ids: names the set a notice lists in its reason,
 * short whatever the number of VPSs. Not a security measure, only de-duplication.
 */
function setDigest(vmIds: readonly string[]): string {
  const input = [...vmIds].sort().join(',');
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < input.length; i++) {
    const c = input.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x01000193 + 2) >>> 0;
  }
  return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0');
}

/**
 * One lease notice per institution and milestone (to the institution's head and staff and to
 * operators) listing every VPS that reached it, linked to the agreement page where the renewal
 * starts. Its reason `lease:<institution>:<step>:<day>:<set>` makes a repeat with the same VPSs a
 * no-op; a different set (a VPS that reached the milestone in a later sweep) is a new notice.
 */
export function leaseNoticeMessage(s: LeaseNoticeSubject, n: LeaseNotice): NotificationMessage {
  const vms = [...s.vms].sort((x, y) => x.vmName.localeCompare(y.vmName) || x.vmId.localeCompare(y.vmId));
  const first = vms[0];
  if (!first) throw new Error('a lease notice lists at least one VPS');
  return {
    kind: 'lease.notice',
    reason: `lease:${s.institutionId}:${n.step}:${leaseNoticeDay(n)}:${setDigest(vms.map((v) => v.vmId))}`,
    institutionId: s.institutionId,
    ...text({ ...s, vms }, n),
    link: `/agreements/${first.agreementId}`,
    webhook: {
      ...n,
      vms: vms.map((v) => ({ vmId: v.vmId, vmName: v.vmName, agreementId: v.agreementId, agreementNumber: v.agreementNumber })),
    },
  };
}
