import { consolePasswordSlot, type RunSecretBox } from '@betang/config';
import { AppError, ErrorCode, adminUserForInstitution, type Actor } from '@betang/core';
import { appendAudit, enqueueJob, insertRun, type Tx } from '@betang/db';
import { lockVm } from './request-vm-action';
import type { AuditMeta } from '../vps-requests/audit-meta';
import { refuseWhileBusy } from './refuse-while-busy';

/**
 * Queues setting the admin user's console password through the guest agent: the run row and its
 * outbox job in one transaction (exactly-once, like every day-2 run), audited without the
 * password. The password is sealed with the run-secret box (bound to this VM) before it is written
 * into the run's params; the worker wipes it when the run ends. The caller has re-authenticated
 * and the password passed the policy already. 409 unless the VM is running or while another run
 * of the request is live.
 */
export async function setConsolePassword(
  tx: Tx,
  actor: Actor,
  vmId: string,
  password: string,
  box: RunSecretBox,
  meta: AuditMeta,
): Promise<{ runId: string; user: string }> {
  const vm = await lockVm(tx, actor, vmId);
  if (vm.state !== 'running')
    throw new AppError(ErrorCode.InvalidState, {
      id: `VM berstatus ${vm.state}: sandi konsol hanya dapat diatur saat VM menyala (agen tamu berjalan di dalam VM). Nyalakan VM dulu.`,
      en: `The VM is ${vm.state}: the console password can only be set while it runs (the guest agent lives inside the VM). Start it first.`,
    });
  await refuseWhileBusy(tx, vm.requestId);
  const institution = await tx.selectFrom('institutions').select('code').where('id', '=', vm.institutionId).executeTakeFirstOrThrow();
  const adminUser = adminUserForInstitution(institution.code);
  const params = { adminUser, consolePassword: box.seal(consolePasswordSlot(vm.id), password) };
  const run = await insertRun(tx, { requestId: vm.requestId, vmId: vm.id, kind: 'console_password', requestedBy: actor.userId, params });
  await enqueueJob(tx, 'vm.action', { runId: run.id }, { dedupKey: `run:${run.id}` });
  await appendAudit(tx, {
    ...meta,
    institutionId: vm.institutionId,
    action: 'vm.console_password_requested',
    targetType: 'vm',
    targetId: vm.id,
    after: { runId: run.id, adminUser },
  });
  return { runId: run.id, user: adminUser };
}
