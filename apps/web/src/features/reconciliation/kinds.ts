import type { ReconcileFindingDto } from '@betang/core';
import type { MessageKey } from '../../i18n/i18n';

type Kind = ReconcileFindingDto['kind'];

/** Finding kinds in the order operators should look at them, each with its heading and advice. */
export const FINDING_KINDS: readonly { kind: Kind; title: MessageKey; advice: MessageKey }[] = [
  { kind: 'stuck_run', title: 'opRecon.kind.stuckRun', advice: 'opRecon.advice.stuckRun' },
  { kind: 'missing_vm', title: 'opRecon.kind.missingVm', advice: 'opRecon.advice.missingVm' },
  { kind: 'abandoned_lock', title: 'opRecon.kind.abandonedLock', advice: 'opRecon.advice.abandonedLock' },
  { kind: 'marker_removed', title: 'opRecon.kind.markerRemoved', advice: 'opRecon.advice.markerRemoved' },
  { kind: 'orphan_vm', title: 'opRecon.kind.orphanVm', advice: 'opRecon.advice.orphanVm' },
  { kind: 'config_drift', title: 'opRecon.kind.configDrift', advice: 'opRecon.advice.configDrift' },
  { kind: 'cleanup_pending', title: 'opRecon.kind.cleanupPending', advice: 'opRecon.advice.cleanupPending' },
  { kind: 'no_agreement', title: 'opRecon.kind.noAgreement', advice: 'opRecon.advice.noAgreement' },
];
