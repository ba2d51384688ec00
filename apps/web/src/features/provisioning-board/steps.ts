import type { MessageKey } from '../../i18n/i18n';

/** Provisioning steps in the worker's order (docs/architecture.md §5), each with its label. */
export const STEP_LABELS: readonly (readonly [string, MessageKey])[] = [
  ['reserve', 'opBoard.step.reserve'],
  ['place', 'opBoard.step.place'],
  ['clone', 'opBoard.step.clone'],
  ['configure', 'opBoard.step.configure'],
  ['resize', 'opBoard.step.resize'],
  ['start', 'opBoard.step.start'],
  ['await-agent', 'opBoard.step.awaitAgent'],
  ['await-cloud-init', 'opBoard.step.awaitCloudInit'],
  ['pin-host-key', 'opBoard.step.pinHostKey'],
  ['configure-guest', 'opBoard.step.configureGuest'],
  ['verify', 'opBoard.step.verify'],
  ['hand-over', 'opBoard.step.handOver'],
];

/** The label key of a step; unknown steps (a newer worker) fall back to the generic "other step". */
export function stepLabel(step: string | null): MessageKey {
  if (step === null) return 'opBoard.step.waiting';
  return STEP_LABELS.find(([key]) => key === step)?.[1] ?? 'opBoard.step.other';
}
