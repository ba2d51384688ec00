import { DEFAULT_DECOMMISSION_POLICY, ZDecommissionPolicy, ZEmailMessage, decommissionReminderAt } from '@betang/core';
import {
  appendAudit,
  enqueueEmail,
  enqueueJob,
  getSetting,
  insertRun,
  latestApprovedDecommission,
  listInstitutionHeadEmails,
  listVmsEndingGraceBy,
  listVmsPastGrace,
  lockVmPastGrace,
  transitionRequest,
  transitionVm,
  type Db,
  type RetainedVm,
} from '@betang/db';
import type { JobHandler } from '@betang/queue';
import type { Logger } from 'pino';
import type { WorkerDeps } from '../deps';

/** `2026-12-14 10:00 WIB`: the moment as people in Palangka Raya read it. */
function inJakarta(at: Date): string {
  return `${new Date(at.getTime() + 7 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ')} WIB`;
}

/**
 * Ends the grace period of one VM, in one transaction: still `retained` past its deadline
 * (locked, SKIP LOCKED) and without a live run, the VM and its request become `decommissioning`
 * and a `decommission` run with its outbox job destroys the VM and then releases its address and
 * vmid (the existing day-2 destroy path). Returns false when there was nothing to do — a VM
 * restored meanwhile, already taken by another sweep, or busy with a run.
 */
async function endGrace(db: Db, vmId: string, now: Date): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const vm = await lockVmPastGrace(tx, vmId, now);
    if (!vm) return false;
    const live = await tx
      .selectFrom('provisioningRuns')
      .select('id')
      .where('requestId', '=', vm.requestId)
      .where('status', 'in', ['queued', 'running'])
      .executeTakeFirst();
    if (live) return false;
    const decommission = await latestApprovedDecommission(tx, vm.id);
    await transitionVm(tx, vm.id, ['retained'], 'decommissioning');
    await transitionRequest(tx, vm.requestId, ['retained'], 'decommissioning');
    const run = await insertRun(tx, {
      requestId: vm.requestId,
      vmId: vm.id,
      kind: 'decommission',
      requestedBy: decommission?.requestedBy ?? null,
      params: decommission ? { reason: decommission.reason } : {},
    });
    await enqueueJob(tx, 'vm.action', { runId: run.id }, { dedupKey: `run:${run.id}` });
    await appendAudit(tx, {
      actorUserId: null,
      actorLabel: 'system: decommission.sweep',
      institutionId: vm.institutionId,
      action: 'vm.grace_ended',
      targetType: 'vm',
      targetId: vm.id,
      before: { state: 'retained', retainedUntil: vm.retainedUntil.toISOString() },
      after: { state: 'decommissioning', runId: run.id },
    });
    return true;
  });
}

/** Who is reminded: the one who asked for the decommission, the request's contact (PIC) and the institution's heads. */
async function reminderRecipients(db: Db, vm: RetainedVm): Promise<string[]> {
  const decommission = await latestApprovedDecommission(db, vm.id);
  const requester = decommission
    ? await db
        .selectFrom('users')
        .select('email')
        .where('id', '=', decommission.requestedBy)
        .where('isActive', '=', true)
        .executeTakeFirst()
    : undefined;
  const request = await db.selectFrom('vpsRequests').select('contact').where('id', '=', vm.requestId).executeTakeFirst();
  const contact = request?.contact as { email?: unknown } | undefined;
  const pic = typeof contact?.email === 'string' ? contact.email : undefined;
  const heads = await listInstitutionHeadEmails(db, vm.institutionId);
  return [...new Set([requester?.email, pic, ...heads].filter((e): e is string => !!e))].slice(0, 20);
}

function reminderText(vm: RetainedVm) {
  const when = inJakarta(vm.retainedUntil);
  return {
    subject: { id: `VM ${vm.name} akan dihapus permanen pada ${when}`, en: `VM ${vm.name} will be destroyed permanently on ${when}` },
    text: {
      id:
        `VM ${vm.name} sedang ditahan setelah diminta untuk dihapus. Pada ${when} masa tenggang berakhir: VM beserta disknya dihapus permanen dan alamat IP-nya dilepas. ` +
        'Bila VM ini masih diperlukan, pulihkan dengan tombol "Pulihkan" di halaman VM Betang sebelum waktu itu.',
      en:
        `VM ${vm.name} is retained after a decommission was asked for. At ${when} its grace period ends: the VM and its disks are destroyed permanently and its IP address is released. ` +
        'If the VM is still needed, restore it with the "Restore" button on its Betang VM page before then.',
    },
  };
}

/**
 * One sweep at `now`: destroys (through a `decommission` run) every VM whose grace period has
 * ended, then writes the reminder for each VM whose destruction is within the policy's
 * `reminderHours`.
 *
 * Safe to run twice, and by two workers at once: a VM leaves `retained` in the same transaction
 * that creates its destroy run (the row locked, SKIP LOCKED), so a second sweep no longer finds
 * it; the one-live-run index refuses a second run of the request anyway. A reminder's dedup key
 * `decommission-reminder:<vm>:<retainedUntil>` makes the outbox ignore a second insert (a VM
 * restored and decommissioned again gets a new deadline, hence one new reminder).
 */
export async function sweepRetainedVms(db: Db, logger: Logger, now: Date = new Date()): Promise<{ destroyed: number; reminders: number }> {
  let destroyed = 0;
  for (const vmId of await listVmsPastGrace(db, now)) {
    if (await endGrace(db, vmId, now)) destroyed++;
  }

  const policy = await getSetting(db, 'decommission_policy', ZDecommissionPolicy, DEFAULT_DECOMMISSION_POLICY);
  let reminders = 0;
  for (const vm of await listVmsEndingGraceBy(db, now, new Date(now.getTime() + policy.reminderHours * 3_600_000))) {
    if (decommissionReminderAt(vm.retainedUntil, policy) > now) continue;
    const to = await reminderRecipients(db, vm);
    if (to.length === 0) {
      logger.warn({ vmId: vm.id }, 'tidak ada penerima pengingat penghapusan / nobody to remind of the destruction');
      continue;
    }
    const message = ZEmailMessage.parse({ to, locale: 'id', ...reminderText(vm), reason: `vm:${vm.id}:decommission-reminder` });
    if (await enqueueEmail(db, message, `decommission-reminder:${vm.id}:${vm.retainedUntil.toISOString()}`)) reminders++;
  }
  return { destroyed, reminders };
}

/** `decommission.sweep`: end of grace periods and reminders (see sweepRetainedVms for why running it twice is safe). */
export function decommissionSweepJob(deps: WorkerDeps): JobHandler<'decommission.sweep'> {
  return async () => {
    const result = await sweepRetainedVms(deps.db, deps.logger);
    if (result.destroyed + result.reminders > 0) deps.logger.info(result, 'VM yang ditahan disapu / retained VMs swept');
    return result;
  };
}
