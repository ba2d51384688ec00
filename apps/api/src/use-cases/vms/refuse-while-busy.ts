import { AppError, ErrorCode, type LocalizedText, type RunKind } from '@betang/core';
import type { Tx } from '@betang/db';

/** What each run kind is called when an action is refused because it runs (every kind, by type). */
const RUN_TEXT: Record<RunKind, LocalizedText> = {
  provision: { id: 'penyiapan VM', en: 'provisioning' },
  start: { id: 'menyalakan VM', en: 'starting the VM' },
  stop: { id: 'mematikan paksa VM', en: 'stopping the VM' },
  shutdown: { id: 'mematikan VM', en: 'shutting the VM down' },
  reboot: { id: 'memulai ulang VM', en: 'rebooting the VM' },
  resize: { id: 'perubahan ukuran/port', en: 'a size/port change' },
  decommission: { id: 'penghapusan VM', en: 'decommissioning the VM' },
  ssh_keys: { id: 'penggantian kunci SSH', en: 'replacing SSH keys' },
  snapshot: { id: 'pengambilan snapshot', en: 'taking a snapshot' },
  snapshot_rollback: { id: 'pengembalian ke snapshot', en: 'a rollback to a snapshot' },
  snapshot_delete: { id: 'penghapusan snapshot', en: 'deleting a snapshot' },
  console_password: { id: 'pengaturan sandi konsol', en: 'setting the console password' },
  restore: { id: 'pemulihan dari cadangan', en: 'a restore from a backup' },
  adopt: { id: 'penandaan VM adopsi', en: 'marking the adopted VM' },
  release: { id: 'pelepasan VM adopsi', en: 'releasing the adopted VM' },
};

/**
 * Refuses with 409, naming the run and its id, when the VM's request has a run queued or
 * running — and, with `awaitingApproval`, one waiting for approval (a restore, a retry or a
 * release would otherwise race a change already asked for). Reads only; writes nothing. Call it
 * after locking the VM (lockVm), so that no run can be queued between the check and the caller's
 * own insert.
 */
export async function refuseWhileBusy(tx: Tx, requestId: string, options: { awaitingApproval?: boolean } = {}): Promise<void> {
  const live = await tx
    .selectFrom('provisioningRuns')
    .select(['id', 'kind', 'status'])
    .where('requestId', '=', requestId)
    .where('status', 'in', options.awaitingApproval ? ['queued', 'running', 'awaiting_approval'] : ['queued', 'running'])
    .orderBy('createdAt')
    .executeTakeFirst();
  if (!live) return;
  const what = RUN_TEXT[live.kind as RunKind] ?? { id: live.kind, en: live.kind };
  const waiting = live.status === 'awaiting_approval';
  throw new AppError(ErrorCode.InvalidState, {
    id: `VM ini sedang diubah (${what.id}${waiting ? ', menunggu persetujuan' : ''}, run ${live.id}). Tunggu sampai selesai, lalu coba lagi.`,
    en: `This VM is being changed (${what.en}${waiting ? ', awaiting approval' : ''}, run ${live.id}). Wait until it finishes, then try again.`,
  });
}
