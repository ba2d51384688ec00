import { Role, picLostMessage, todayInJakarta, type PicProblem } from '@betang/core';
import { listPicVms, notify, userIdsWithRole, type Tx } from '@betang/db';

/**
 * After a change to user `userId` (deactivated, moved, roles changed), in the same transaction:
 * the live VMs that name them as PIC and no longer have a qualifying one are told to the heads of
 * each VM's institution and to the operators, one notice per institution and cause. Returns how
 * many VMs now need a new PIC. Safe to run twice: the notice's reason holds the person, the
 * institution, the cause and the WIB day, so a repeat the same day adds nothing; a change that
 * leaves every VM with a qualifying PIC notifies nobody.
 */
export async function noticePicLoss(tx: Tx, userId: string, userName: string, now: Date = new Date()): Promise<number> {
  const flagged = await listPicVms(tx, { userId, neededOnly: true });
  const groups = new Map<
    string,
    { institutionId: string; institutionName: string; cause: Exclude<PicProblem, 'none'>; vmNames: string[] }
  >();
  for (const vm of flagged) {
    if (vm.problem === null || vm.problem === 'none') continue;
    const key = `${vm.institutionId}:${vm.problem}`;
    const group = groups.get(key) ?? {
      institutionId: vm.institutionId,
      institutionName: vm.institutionName,
      cause: vm.problem,
      vmNames: [],
    };
    group.vmNames.push(vm.name);
    groups.set(key, group);
  }
  const operators = await userIdsWithRole(tx, Role.Operator);
  const day = todayInJakarta(now);
  for (const group of groups.values()) {
    const heads = (await userIdsWithRole(tx, Role.InstitutionHead, group.institutionId)).filter((id) => id !== userId);
    await notify(tx, {
      ...picLostMessage(
        { userId, userName, institutionId: group.institutionId, institutionName: group.institutionName, vmNames: group.vmNames },
        group.cause,
        day,
      ),
      recipients: [...heads, ...operators],
    });
  }
  return flagged.length;
}
