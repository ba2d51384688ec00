import { Role, picReminderMessage, picReminderWeek } from '@betang/core';
import { listPicVms, notify, userIdsWithRole, type Db } from '@betang/db';
import type { JobHandler } from '@betang/queue';
import type { WorkerDeps } from '../deps';

/**
 * One pass at `now`: for every institution with live VMs that need a new PIC, a reminder to its
 * heads and to the operators, naming the VMs. Idempotent: the reminder's reason holds the
 * institution and the WIB week (picReminderWeek), so the notification service ignores a second
 * run in the same week; the reminders stop by themselves once every VM has a qualifying PIC,
 * because nothing is stored about them besides the VMs' PIC column.
 */
export async function remindMissingPics(db: Db, now: Date = new Date()): Promise<{ institutions: number; reminders: number }> {
  const week = picReminderWeek(now);
  // Every flagged VM, not the screens' first 1000: an institution past them must still be reminded.
  const byInstitution = new Map<string, { institutionId: string; institutionName: string; vmNames: string[] }>();
  for (const vm of await listPicVms(db, { neededOnly: true, limit: 100_000 })) {
    const group = byInstitution.get(vm.institutionId) ?? {
      institutionId: vm.institutionId,
      institutionName: vm.institutionName,
      vmNames: [],
    };
    group.vmNames.push(vm.name);
    byInstitution.set(vm.institutionId, group);
  }
  const operators = await userIdsWithRole(db, Role.Operator);
  let reminders = 0;
  for (const group of byInstitution.values()) {
    const heads = await userIdsWithRole(db, Role.InstitutionHead, group.institutionId);
    const result = await notify(db, { ...picReminderMessage(group, week), recipients: [...heads, ...operators] });
    reminders += result.notified;
  }
  return { institutions: byInstitution.size, reminders };
}

/** `pic.remind`: the weekly reminder about VMs without a qualifying PIC (see remindMissingPics for why running it twice is safe). */
export function picRemindJob(deps: WorkerDeps): JobHandler<'pic.remind'> {
  return async () => {
    const result = await remindMissingPics(deps.db);
    if (result.reminders > 0) deps.logger.info(result, 'pengingat penanggung jawab VM dikirim / PIC reminders sent');
    return result;
  };
}
