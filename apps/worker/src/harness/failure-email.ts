import { ZEmailMessage, type EmailMessage, type RunKind } from '@betang/core';
import type { RunFailure } from './run-definition';

/** What the operators read in the subject for each kind of run. */
const RUN_KIND_SUBJECT: Record<RunKind, { id: string; en: string }> = {
  provision: { id: 'Provisioning', en: 'Provisioning' },
  start: { id: 'Menyalakan', en: 'Starting' },
  stop: { id: 'Mematikan paksa', en: 'Stopping' },
  shutdown: { id: 'Mematikan', en: 'Shutting down' },
  reboot: { id: 'Memulai ulang', en: 'Rebooting' },
  resize: { id: 'Mengubah ukuran', en: 'Resizing' },
  decommission: { id: 'Menghapus', en: 'Decommissioning' },
  ssh_keys: { id: 'Mengganti kunci SSH', en: 'Replacing SSH keys' },
  console_password: { id: 'Mengatur sandi konsol', en: 'Setting the console password' },
  snapshot: { id: 'Mengambil snapshot', en: 'Taking a snapshot' },
  snapshot_rollback: { id: 'Mengembalikan ke snapshot', en: 'Rolling back to a snapshot' },
  snapshot_delete: { id: 'Menghapus snapshot', en: 'Deleting a snapshot' },
  restore: { id: 'Memulihkan dari cadangan', en: 'Restoring from a backup' },
  adopt: { id: 'Mengadopsi VM', en: 'Adopting a VM' },
  release: { id: 'Melepas VM adopsi', en: 'Releasing an adopted VM' },
};

/**
 * Notice to operators that a run failed for good, naming what the run was doing (provisioning,
 * a power action, a resize, a decommission) and the actionable reason. Undefined without operators.
 */
export function failureEmail(
  operators: string[],
  kind: RunKind,
  hostname: string,
  requestId: string,
  runId: string,
  failure: RunFailure,
): EmailMessage | undefined {
  if (operators.length === 0) return undefined;
  const what = RUN_KIND_SUBJECT[kind];
  return ZEmailMessage.parse({
    to: operators,
    locale: 'id',
    subject: { id: `${what.id} VPS ${hostname} gagal`, en: `${what.en} VPS ${hostname} failed` },
    text: {
      id: `${failure.text.id}\n\nPermohonan: ${requestId}\nRun: ${runId}\nKode: ${failure.code}`,
      en: `${failure.text.en}\n\nRequest: ${requestId}\nRun: ${runId}\nCode: ${failure.code}`,
    },
    reason: `provisioning_run:${runId}:failed`,
  });
}
