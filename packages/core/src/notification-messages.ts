import type { NotificationDraft } from './notifications';

/** A draft without its recipients: the caller picks who receives it. */
export type NotificationMessage = Omit<NotificationDraft, 'recipients'>;

type AgreementRef = { id: string; number: string; institutionId: string; institutionName: string };
type RequestRef = { id: string; hostname: string; institutionId: string };

/** Where people act on things: paths of the web app (kept stable; e-mails link to them). */
export const NOTIFICATION_LINKS = {
  agreement: (id: string) => `/agreements/${id}`,
  request: (id: string) => `/vps-requests/${id}`,
  operatorQueue: () => '/operator/queue',
  provisioning: () => '/operator/provisioning',
  pic: () => '/pic',
  restoreTests: (period: string) => `/operator/restore-tests?period=${period}`,
};

/** The agreement waits for this head's signature (institution head first, then the data-center head). */
export function signTurnMessage(agreement: AgreementRef, role: 'institution_head' | 'dc_head'): NotificationMessage {
  const who =
    role === 'institution_head'
      ? { id: 'kepala perangkat daerah', en: 'institution head' }
      : { id: 'Kepala Diskominfosantik', en: 'data-center head' };
  return {
    kind: 'agreement.sign_turn',
    reason: `agreement:${agreement.id}:sign_turn:${role}`,
    institutionId: agreement.institutionId,
    title: { id: `Perjanjian ${agreement.number} menunggu tanda tangan Anda`, en: `Agreement ${agreement.number} awaits your signature` },
    body: {
      id: `Perjanjian ${agreement.number} dengan ${agreement.institutionName} menunggu tanda tangan Anda sebagai ${who.id}. Buka tautan untuk membaca dan menandatanganinya.`,
      en: `Agreement ${agreement.number} with ${agreement.institutionName} awaits your signature as ${who.en}. Open the link to read and sign it.`,
    },
    link: NOTIFICATION_LINKS.agreement(agreement.id),
    webhook: { agreementId: agreement.id, number: agreement.number, signerRole: role },
  };
}

/** The institution head signed; the data-center head is next (told to the institution's heads). */
export function agreementSignedMessage(agreement: AgreementRef): NotificationMessage {
  return {
    kind: 'agreement.signed',
    reason: `agreement:${agreement.id}:signed:institution_head`,
    institutionId: agreement.institutionId,
    title: { id: `Perjanjian ${agreement.number} sudah Anda tandatangani`, en: `Agreement ${agreement.number} signed by your institution` },
    body: {
      id: `Perjanjian ${agreement.number} sudah ditandatangani kepala perangkat daerah dan kini menunggu tanda tangan Kepala Diskominfosantik.`,
      en: `Agreement ${agreement.number} was signed by the institution head and now awaits the data-center head's signature.`,
    },
    link: NOTIFICATION_LINKS.agreement(agreement.id),
    webhook: { agreementId: agreement.id, number: agreement.number },
  };
}

/** Both parties signed: the agreement is in force and the institution may request VPS. */
export function agreementInForceMessage(agreement: AgreementRef): NotificationMessage {
  return {
    kind: 'agreement.in_force',
    reason: `agreement:${agreement.id}:in_force`,
    institutionId: agreement.institutionId,
    title: { id: `Perjanjian ${agreement.number} berlaku`, en: `Agreement ${agreement.number} is in force` },
    body: {
      id: `Perjanjian ${agreement.number} dengan ${agreement.institutionName} sudah ditandatangani kedua pihak dan kini berlaku. Permintaan VPS dapat diajukan.`,
      en: `Agreement ${agreement.number} with ${agreement.institutionName} is signed by both parties and now in force. VPS requests may be submitted.`,
    },
    link: NOTIFICATION_LINKS.agreement(agreement.id),
    webhook: { agreementId: agreement.id, number: agreement.number },
  };
}

/** The agreement ends in `days` days (60, 30, 7): time to renew. */
export function agreementExpiringMessage(agreement: AgreementRef & { termEnd: string }, days: number): NotificationMessage {
  return {
    kind: 'agreement.expiring',
    reason: `agreement:${agreement.id}:expiring:${days}`,
    institutionId: agreement.institutionId,
    title: { id: `Perjanjian ${agreement.number} berakhir dalam ${days} hari`, en: `Agreement ${agreement.number} ends in ${days} days` },
    body: {
      id: `Perjanjian ${agreement.number} dengan ${agreement.institutionName} berakhir pada ${agreement.termEnd}. Ajukan perpanjangan agar layanan VPS tidak terhenti: hubungi Diskominfosantik untuk perjanjian baru.`,
      en: `Agreement ${agreement.number} with ${agreement.institutionName} ends on ${agreement.termEnd}. Renew it so the VPS service does not stop: contact the data center for a new agreement.`,
    },
    link: NOTIFICATION_LINKS.agreement(agreement.id),
    webhook: { agreementId: agreement.id, number: agreement.number, termEnd: agreement.termEnd, daysLeft: days },
  };
}

/**
 * The operators' side of an expiry reminder: the renewal to draft, linked to the agreement page's
 * renewal action (`#renewal`). Its own reason, so heads and operators are each told once.
 */
export function agreementRenewalDueMessage(agreement: AgreementRef & { termEnd: string }, days: number): NotificationMessage {
  return {
    kind: 'agreement.expiring',
    reason: `agreement:${agreement.id}:expiring:${days}:renewal`,
    institutionId: agreement.institutionId,
    title: {
      id: `Siapkan perpanjangan perjanjian ${agreement.number} (berakhir dalam ${days} hari)`,
      en: `Draft the renewal of agreement ${agreement.number} (ends in ${days} days)`,
    },
    body: {
      id: `Perjanjian ${agreement.number} dengan ${agreement.institutionName} berakhir pada ${agreement.termEnd}. Buka perjanjian dan tekan "Siapkan perpanjangan": perjanjian berikutnya disiapkan dengan isi yang sama dan dikirim ke kedua kepala untuk ditandatangani. Tanpa perpanjangan, VPS-nya masuk masa tenggang lalu dimatikan.`,
      en: `Agreement ${agreement.number} with ${agreement.institutionName} ends on ${agreement.termEnd}. Open the agreement and press "Draft renewal": the next agreement is drafted with the same terms and sent to both heads to sign. Without a renewal its VPSs enter a grace period and are then stopped.`,
    },
    link: `${NOTIFICATION_LINKS.agreement(agreement.id)}#renewal`,
    webhook: { agreementId: agreement.id, number: agreement.number, termEnd: agreement.termEnd, daysLeft: days },
    webhookAudience: 'global',
  };
}

/** A new request waits for review (to operators). */
export function requestSubmittedMessage(request: RequestRef, size: string): NotificationMessage {
  return {
    kind: 'request.submitted',
    reason: `vps_request:${request.id}:submitted`,
    institutionId: request.institutionId,
    title: { id: `Permintaan VPS baru: ${request.hostname}`, en: `New VPS request: ${request.hostname}` },
    body: {
      id: `Permintaan VPS ${request.hostname} (${size}) menunggu tinjauan di antrean persetujuan Betang.`,
      en: `VPS request ${request.hostname} (${size}) is waiting for review in Betang's approval queue.`,
    },
    link: NOTIFICATION_LINKS.request(request.id),
    webhook: { requestId: request.id, hostname: request.hostname },
  };
}

/** The request was approved and is being prepared (to the requester). */
export function requestApprovedMessage(request: RequestRef, address: string): NotificationMessage {
  return {
    kind: 'request.approved',
    reason: `vps_request:${request.id}:approved`,
    institutionId: request.institutionId,
    title: { id: `Permintaan VPS ${request.hostname} disetujui`, en: `VPS request ${request.hostname} approved` },
    body: {
      id: `Permintaan VPS ${request.hostname} telah disetujui dan sedang disiapkan. Alamat yang dicadangkan: ${address}. Pantau kemajuannya di Betang.`,
      en: `VPS request ${request.hostname} has been approved and is being prepared. Reserved address: ${address}. Follow its progress in Betang.`,
    },
    link: NOTIFICATION_LINKS.request(request.id),
    webhook: { requestId: request.id, hostname: request.hostname, ipAddress: address },
  };
}

/** The request was rejected, with the reviewer's reason (to the requester). */
export function requestRejectedMessage(request: RequestRef, reason: string): NotificationMessage {
  return {
    kind: 'request.rejected',
    reason: `vps_request:${request.id}:rejected`,
    institutionId: request.institutionId,
    title: { id: `Permintaan VPS ${request.hostname} ditolak`, en: `VPS request ${request.hostname} rejected` },
    body: {
      id: `Permintaan VPS ${request.hostname} ditolak. Alasan: ${reason}`,
      en: `VPS request ${request.hostname} was rejected. Reason: ${reason}`,
    },
    link: NOTIFICATION_LINKS.request(request.id),
    webhook: { requestId: request.id, hostname: request.hostname },
  };
}

/** A VPS's public internet address (1:1 NAT): the ports mapped to it and those that answered the probe. */
export type PublicAddressRef = { publicAddress: string; ports: readonly number[]; openPorts: readonly number[] | null };

const portList = (ports: readonly number[]) => (ports.length > 0 ? ports.join(', ') : '—');

/**
 * The lines telling where a VPS is reached from the internet: its public address, the ports mapped
 * to it and which of them answered (a port nobody listens on yet is named too, so the owner knows
 * to start the service).
 */
export function publicAddressLines(endpoint: PublicAddressRef): { id: string; en: string } {
  const answered = endpoint.openPorts === null ? null : portList(endpoint.openPorts);
  return {
    id:
      `Alamat publik (internet): ${endpoint.publicAddress}\nPort publik: ${portList(endpoint.ports)}` +
      (answered === null ? '' : ` (sudah menjawab: ${answered})`),
    en:
      `Public (internet) address: ${endpoint.publicAddress}\nPublic ports: ${portList(endpoint.ports)}` +
      (answered === null ? '' : ` (answering: ${answered})`),
  };
}

/** The VPS is ready to use (to the requester); with its public address when it got one. */
export function vpsReadyMessage(
  request: RequestRef,
  address: string | null,
  runId: string,
  endpoint: PublicAddressRef | null = null,
): NotificationMessage {
  const at = address ? { id: ` di ${address}`, en: ` at ${address}` } : { id: '', en: '' };
  const publicLines = endpoint ? publicAddressLines(endpoint) : null;
  const extra = publicLines ? { id: `\n${publicLines.id}`, en: `\n${publicLines.en}` } : { id: '', en: '' };
  return {
    kind: 'vps.ready',
    reason: `vps_request:${request.id}:ready:${runId}`,
    institutionId: request.institutionId,
    title: { id: `VPS ${request.hostname} siap digunakan`, en: `VPS ${request.hostname} is ready` },
    body: {
      id: `VPS ${request.hostname} sudah aktif${at.id}. Masuk dengan kunci SSH yang Anda daftarkan.${extra.id}`,
      en: `VPS ${request.hostname} is active${at.en}. Sign in with the SSH key you registered.${extra.en}`,
    },
    link: NOTIFICATION_LINKS.request(request.id),
    webhook: {
      requestId: request.id,
      hostname: request.hostname,
      ipAddress: address,
      ...(endpoint ? { publicAddress: endpoint.publicAddress, publicPorts: [...endpoint.ports] } : {}),
    },
  };
}

/**
 * Provisioning failed for good. The requester reads a humane message — no codes, no runbook
 * paths — while operators get the code, the runbook link and where to retry.
 */
export function vpsFailedMessages(
  request: RequestRef,
  runId: string,
  failure: { code: string; text: { id: string; en: string }; runbook?: string },
): { requester: NotificationMessage; operators: NotificationMessage } {
  const base = { kind: 'vps.failed' as const, institutionId: request.institutionId };
  const webhook = { requestId: request.id, hostname: request.hostname, runId };
  return {
    requester: {
      ...base,
      reason: `vps_request:${request.id}:failed:${runId}:requester`,
      title: { id: `Penyiapan VPS ${request.hostname} gagal`, en: `Preparing VPS ${request.hostname} failed` },
      body: {
        id: 'Penyiapan gagal; operator sudah diberi tahu dan akan menghubungi Anda.',
        en: 'Preparation failed; the operators have been told and will contact you.',
      },
      link: NOTIFICATION_LINKS.request(request.id),
      webhook,
      webhookAudience: 'institution',
    },
    operators: {
      ...base,
      reason: `vps_request:${request.id}:failed:${runId}:operators`,
      title: {
        id: `Penyiapan VPS ${request.hostname} gagal (${failure.code})`,
        en: `Preparing VPS ${request.hostname} failed (${failure.code})`,
      },
      body: {
        id: `${failure.text.id}\n\nKode: ${failure.code}\nRun: ${runId}${failure.runbook ? `\nRunbook: ${failure.runbook}` : ''}\nSetelah penyebabnya ditangani, ulangi dari halaman permintaan (tombol "Ulangi").`,
        en: `${failure.text.en}\n\nCode: ${failure.code}\nRun: ${runId}${failure.runbook ? `\nRunbook: ${failure.runbook}` : ''}\nOnce the cause is dealt with, retry from the request page ("Retry" button).`,
      },
      link: NOTIFICATION_LINKS.request(request.id),
      webhook: { ...webhook, code: failure.code },
      webhookAudience: 'global',
    },
  };
}

/** A request has waited for a decision longer than the service standard (to operators). */
export function approvalOverdueMessage(request: RequestRef, waitedHours: number, standardHours: number): NotificationMessage {
  return {
    kind: 'request.approval_overdue',
    reason: `vps_request:${request.id}:approval_overdue`,
    institutionId: request.institutionId,
    title: {
      id: `Permintaan ${request.hostname} melewati standar layanan`,
      en: `Request ${request.hostname} is past the service standard`,
    },
    body: {
      id: `Permintaan VPS ${request.hostname} sudah menunggu keputusan ${waitedHours} jam (standar layanan ${standardHours} jam).`,
      en: `VPS request ${request.hostname} has waited ${waitedHours} hours for a decision (service standard ${standardHours} hours).`,
    },
    link: NOTIFICATION_LINKS.request(request.id),
    webhook: { requestId: request.id, hostname: request.hostname, waitedHours, standardHours },
    webhookAudience: 'global',
  };
}

type PicLossRef = { userId: string; userName: string; institutionId: string; institutionName: string; vmNames: readonly string[] };

const PIC_CAUSE_WORDS = {
  inactive: { id: 'dinonaktifkan', en: 'was deactivated' },
  moved: { id: 'pindah perangkat daerah', en: 'moved to another institution' },
  role_lost: { id: 'tidak lagi memegang peran perangkat daerah', en: 'no longer holds an institution role' },
} as const;

function listed(names: readonly string[]): string {
  return names.length <= 5 ? names.join(', ') : `${names.slice(0, 5).join(', ')} (+${names.length - 5})`;
}

/**
 * The PIC of some VMs lost what made them PIC (to the institution's heads and operators). One
 * notice per person, cause and WIB day: the same change repeated that day adds nothing.
 */
export function picLostMessage(ref: PicLossRef, cause: keyof typeof PIC_CAUSE_WORDS, day: string): NotificationMessage {
  const words = PIC_CAUSE_WORDS[cause];
  return {
    kind: 'vm.pic_needed',
    reason: `pic:${ref.userId}:${ref.institutionId}:${cause}:${day}`,
    institutionId: ref.institutionId,
    title: {
      id: `${ref.vmNames.length} VM ${ref.institutionName} perlu penanggung jawab baru`,
      en: `${ref.vmNames.length} VM(s) of ${ref.institutionName} need a new responsible person`,
    },
    body: {
      id: `${ref.userName} ${words.id}, sehingga VM berikut tidak lagi memiliki penanggung jawab: ${listed(ref.vmNames)}. Kepala perangkat daerah dapat menunjuk penanggung jawab baru di halaman Penanggung jawab VM.`,
      en: `${ref.userName} ${words.en}, so these VMs no longer have a responsible person: ${listed(ref.vmNames)}. The institution head can name a new one on the VM responsible persons page.`,
    },
    link: NOTIFICATION_LINKS.pic(),
    webhook: { userId: ref.userId, cause, vmCount: ref.vmNames.length },
  };
}

/**
 * The weekly reminder while VMs of an institution still need a PIC. `week` (the Monday of the
 * WIB week) is part of the reason, so one reminder per institution and week, however often the
 * sweep runs.
 */
export function picReminderMessage(
  ref: { institutionId: string; institutionName: string; vmNames: readonly string[] },
  week: string,
): NotificationMessage {
  return {
    kind: 'vm.pic_needed',
    reason: `pic:reminder:${ref.institutionId}:${week}`,
    institutionId: ref.institutionId,
    title: {
      id: `Pengingat: ${ref.vmNames.length} VM ${ref.institutionName} belum memiliki penanggung jawab`,
      en: `Reminder: ${ref.vmNames.length} VM(s) of ${ref.institutionName} still have no responsible person`,
    },
    body: {
      id: `VM berikut masih menunggu penanggung jawab baru: ${listed(ref.vmNames)}. Pengingat ini diulang setiap minggu sampai penanggung jawab ditunjuk.`,
      en: `These VMs are still waiting for a new responsible person: ${listed(ref.vmNames)}. This reminder repeats every week until one is named.`,
    },
    link: NOTIFICATION_LINKS.pic(),
    webhook: { week, vmCount: ref.vmNames.length },
  };
}

type RestoreTestRef = { id: string; vmName: string; vmid: number; institutionId: string; period: string };

/** A VM's monthly test restore failed: operators get what failed and where to look. */
export function restoreTestFailedMessage(test: RestoreTestRef, reason: { id: string; en: string }): NotificationMessage {
  return {
    kind: 'backup.restore_test_failed',
    reason: `restore_test:${test.id}:failed`,
    institutionId: test.institutionId,
    title: { id: `Uji pemulihan VPS ${test.vmName} gagal`, en: `Test restore of VPS ${test.vmName} failed` },
    body: {
      id: `Cadangan terakhir VPS ${test.vmName} (VM ${test.vmid}) tidak dapat dipulihkan dan dinyalakan: ${reason.id} Periksa cadangan VM ini sebelum pemulihan sungguhan dibutuhkan (docs/runbook.md#restore-test-failed).`,
      en: `The latest backup of VPS ${test.vmName} (VM ${test.vmid}) could not be restored and booted: ${reason.en} Check this VM's backups before a real restore is needed (docs/runbook.md#restore-test-failed).`,
    },
    link: NOTIFICATION_LINKS.restoreTests(test.period),
    webhook: { restoreTestId: test.id, vmid: test.vmid, vmName: test.vmName, period: test.period },
    webhookAudience: 'global',
  };
}

/** Summary counts of one month's test restores. */
export type RestoreTestSummary = { period: string; vms: number; ok: number; failed: number; notTested: number; failures: string[] };

/** The month's report to the data-center head: how many VMs' backups were restored and booted. */
export function restoreTestReportMessage(s: RestoreTestSummary): NotificationMessage {
  const listed = s.failures.slice(0, 5).join(', ');
  const more = s.failures.length > 5 ? ` (+${s.failures.length - 5})` : '';
  return {
    kind: 'backup.restore_test_report',
    reason: `restore_test_report:${s.period}`,
    institutionId: null,
    title: { id: `Laporan uji pemulihan ${s.period}`, en: `Test restore report ${s.period}` },
    body: {
      id: `Cadangan ${s.ok} dari ${s.vms} VPS berhasil dipulihkan dan dinyalakan pada ${s.period}.${s.failed > 0 ? ` Gagal: ${listed}${more}.` : ''}${s.notTested > 0 ? ` Belum diuji: ${s.notTested}.` : ''}`,
      en: `Backups of ${s.ok} of ${s.vms} VPSs were restored and booted in ${s.period}.${s.failed > 0 ? ` Failed: ${listed}${more}.` : ''}${s.notTested > 0 ? ` Not tested: ${s.notTested}.` : ''}`,
    },
    link: NOTIFICATION_LINKS.restoreTests(s.period),
    webhook: { period: s.period, vms: s.vms, ok: s.ok, failed: s.failed, notTested: s.notTested },
    webhookAudience: 'global',
  };
}
