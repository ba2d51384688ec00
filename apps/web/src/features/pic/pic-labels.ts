import type { PicProblem } from '@betang/core';
import type { MessageKey } from '../../i18n/i18n';

/** The catalogue key saying why a VM needs a new PIC. */
export const PIC_PROBLEM_LABEL: Record<PicProblem, MessageKey> = {
  none: 'pic.problem.none',
  inactive: 'pic.problem.inactive',
  moved: 'pic.problem.moved',
  role_lost: 'pic.problem.roleLost',
};
