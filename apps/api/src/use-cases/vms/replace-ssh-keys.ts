import { AppError, ErrorCode, adminUserForInstitution, canSeeInstitution, hasAnyRole, Role, type Actor } from '@betang/core';
import { appendAudit, enqueueJob, insertRun, type Db, type Tx } from '@betang/db';
import { lockVm } from './request-vm-action';
import type { AuditMeta } from '../vps-requests/audit-meta';
import { refuseWhileBusy } from './refuse-while-busy';

/**
 * The VM as the caller may act on it: 404 outside the caller's tenancy (a foreign id reads like a
 * missing one), 403 for auditors. Read before re-authentication, so a guessed id costs no attempt.
 */
export async function findVmForKeys(db: Db, actor: Actor, vmId: string): Promise<{ id: string; institutionId: string }> {
  const vm = await db.selectFrom('vms').select(['id', 'institutionId']).where('id', '=', vmId).executeTakeFirst();
  if (!vm || !canSeeInstitution(actor, vm.institutionId)) throw new AppError(ErrorCode.NotFound);
  if (hasAnyRole(actor, [Role.Auditor]) && !hasAnyRole(actor, [Role.Admin, Role.Operator])) throw new AppError(ErrorCode.Forbidden);
  return vm;
}

/**
 * Queues the replacement of the admin user's SSH authorized keys (all of them) through the guest
 * agent: the run row and its outbox job in one transaction (exactly-once, like every day-2 run),
 * audited with the keys' count. The caller has re-authenticated already. Refused with 409 unless
 * the VM is running (the agent lives in the guest) or while another run of the request is live.
 * The keys are public keys: they travel in the run's params, never in events.
 */
export async function replaceSshKeys(
  tx: Tx,
  actor: Actor,
  vmId: string,
  keys: readonly string[],
  meta: AuditMeta,
): Promise<{ runId: string }> {
  const vm = await lockVm(tx, actor, vmId);
  if (vm.state !== 'running')
    throw new AppError(ErrorCode.InvalidState, {
      id: `VM berstatus ${vm.state}: kunci hanya dapat diganti saat VM menyala (agen tamu berjalan di dalam VM). Nyalakan VM dulu.`,
      en: `The VM is ${vm.state}: keys can only be replaced while it runs (the guest agent lives inside the VM). Start it first.`,
    });
  await refuseWhileBusy(tx, vm.requestId);
  const institution = await tx.selectFrom('institutions').select('code').where('id', '=', vm.institutionId).executeTakeFirstOrThrow();
  const adminUser = adminUserForInstitution(institution.code);
  const params = { sshPublicKeys: [...keys], adminUser };
  const run = await insertRun(tx, { requestId: vm.requestId, vmId: vm.id, kind: 'ssh_keys', requestedBy: actor.userId, params });
  await enqueueJob(tx, 'vm.action', { runId: run.id }, { dedupKey: `run:${run.id}` });
  await appendAudit(tx, {
    ...meta,
    institutionId: vm.institutionId,
    action: 'vm.ssh_keys_requested',
    targetType: 'vm',
    targetId: vm.id,
    after: { runId: run.id, adminUser, keys: keys.length },
  });
  return { runId: run.id };
}
