import type { NotificationMessage } from '../notification-messages';

/** The VM a lease notice is about, and the agreement whose end started its lease. */
export type LeaseNoticeSubject = {
  vmId: string;
  vmName: string;
  institutionId: string;
  agreementId: string;
  agreementNumber: string;
};

/** Each step a lease notice announces, with the day it concerns. */
export type LeaseNotice =
  | { step: 'grace_started'; endedOn: string; stopOn: string }
  | { step: 'stop_ahead'; stopOn: string; days: number }
  | { step: 'stopped'; stoppedOn: string; destroyOn: string; volid: string }
  | { step: 'destroy_ahead'; destroyOn: string; days: number }
  | { step: 'destroying'; on: string };

const RENEW = {
  id: 'Bila VPS ini masih diperlukan, mintalah operator Diskominfosantik menyiapkan perpanjangan perjanjian dan tandatangani dari tautan yang Anda terima.',
  en: 'If this VPS is still needed, ask the data-center operators to draft the renewal of the agreement and sign it from the link you receive.',
};

function text(s: LeaseNoticeSubject, n: LeaseNotice): { title: { id: string; en: string }; body: { id: string; en: string } } {
  const vm = s.vmName;
  switch (n.step) {
    case 'grace_started':
      return {
        title: { id: `Perjanjian berakhir: VPS ${vm} dalam masa tenggang`, en: `Agreement ended: VPS ${vm} is in its grace period` },
        body: {
          id: `Perjanjian ${s.agreementNumber} berakhir pada ${n.endedOn} tanpa perpanjangan. VPS ${vm} tetap berjalan sampai ${n.stopOn}; pada hari itu cadangan terakhir diambil dan disimpan, lalu VPS dimatikan. ${RENEW.id}`,
          en: `Agreement ${s.agreementNumber} ended on ${n.endedOn} without a renewal. VPS ${vm} keeps running until ${n.stopOn}; on that day a final backup is taken and kept, then the VPS is stopped. ${RENEW.en}`,
        },
      };
    case 'stop_ahead':
      return {
        title: { id: `VPS ${vm} dimatikan dalam ${n.days} hari (${n.stopOn})`, en: `VPS ${vm} is stopped in ${n.days} days (${n.stopOn})` },
        body: {
          id: `Masa tenggang VPS ${vm} setelah perjanjian ${s.agreementNumber} berakhir habis pada ${n.stopOn}. Pada hari itu cadangan terakhir diambil dan disimpan, lalu VPS dimatikan. ${RENEW.id}`,
          en: `The grace period of VPS ${vm} after agreement ${s.agreementNumber} ended runs out on ${n.stopOn}. On that day a final backup is taken and kept, then the VPS is stopped. ${RENEW.en}`,
        },
      };
    case 'stopped':
      return {
        title: { id: `VPS ${vm} dimatikan; dihapus pada ${n.destroyOn}`, en: `VPS ${vm} stopped; destroyed on ${n.destroyOn}` },
        body: {
          id: `VPS ${vm} dimatikan pada ${n.stoppedOn} karena perjanjian ${s.agreementNumber} berakhir tanpa perpanjangan. Cadangan terakhirnya (${n.volid}) disimpan. Pada ${n.destroyOn} VPS beserta disknya dihapus permanen. ${RENEW.id}`,
          en: `VPS ${vm} was stopped on ${n.stoppedOn} because agreement ${s.agreementNumber} ended without a renewal. Its final backup (${n.volid}) is kept. On ${n.destroyOn} the VPS and its disks are destroyed permanently. ${RENEW.en}`,
        },
      };
    case 'destroy_ahead':
      return {
        title: {
          id: `VPS ${vm} dihapus permanen dalam ${n.days} hari (${n.destroyOn})`,
          en: `VPS ${vm} is destroyed permanently in ${n.days} days (${n.destroyOn})`,
        },
        body: {
          id: `VPS ${vm} yang dimatikan setelah perjanjian ${s.agreementNumber} berakhir akan dihapus permanen pada ${n.destroyOn}; cadangan terakhirnya tetap disimpan. ${RENEW.id}`,
          en: `VPS ${vm}, stopped after agreement ${s.agreementNumber} ended, is destroyed permanently on ${n.destroyOn}; its final backup stays kept. ${RENEW.en}`,
        },
      };
    case 'destroying':
      return {
        title: { id: `VPS ${vm} sedang dihapus permanen`, en: `VPS ${vm} is being destroyed permanently` },
        body: {
          id: `Perjanjian ${s.agreementNumber} tidak diperpanjang, jadi VPS ${vm} dihapus permanen pada ${n.on}. Cadangan terakhirnya tetap disimpan di penyimpanan cadangan.`,
          en: `Agreement ${s.agreementNumber} was not renewed, so VPS ${vm} is destroyed permanently on ${n.on}. Its final backup stays kept on the backup storage.`,
        },
      };
  }
}

/** The day a notice is about: part of its de-duplication key, so a moved deadline gets new notices. */
function dayOf(n: LeaseNotice): string {
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
 * A lease notice (to the institution's head and staff and to operators), linked to the agreement
 * page where the renewal starts. Its reason `lease:<vm>:<step>:<day>` makes a repeat a no-op.
 */
export function leaseNoticeMessage(s: LeaseNoticeSubject, n: LeaseNotice): NotificationMessage {
  return {
    kind: 'lease.notice',
    reason: `lease:${s.vmId}:${n.step}:${dayOf(n)}`,
    institutionId: s.institutionId,
    ...text(s, n),
    link: `/agreements/${s.agreementId}`,
    webhook: { vmId: s.vmId, vmName: s.vmName, agreementId: s.agreementId, agreementNumber: s.agreementNumber, ...n },
  };
}
