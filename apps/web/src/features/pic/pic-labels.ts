import type { PicProblem } from '@betang/core';
import type { MessageKey } from '../../i18n/i18n';
import type { MessageParams } from '../../i18n/use-i18n';

/** The catalogue key saying why a VM needs a new PIC. */
export const PIC_PROBLEM_LABEL: Record<PicProblem, MessageKey> = {
  none: 'pic.problem.none',
  inactive: 'pic.problem.inactive',
  moved: 'pic.problem.moved',
  role_lost: 'pic.problem.roleLost',
};

/** What a VM card or table row shows of a VM's PIC (as GET /vms gives it). */
export type VmPic = { name: string; problem: PicProblem | null } | null | undefined;

/** The PIC's name, with why they no longer qualify; "nobody yet" when the VM names nobody. */
export function picText(t: (key: MessageKey, params?: MessageParams) => string, pic: VmPic): string {
  if (!pic) return t('pic.problem.none');
  return pic.problem ? t('pic.nameWithProblem', { name: pic.name, problem: t(PIC_PROBLEM_LABEL[pic.problem]) }) : pic.name;
}
