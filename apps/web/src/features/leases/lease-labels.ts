import type { LeaseState } from '@betang/core';
import type { MessageKey } from '../../i18n/i18n';
import type { StatusTone } from '../../ui/status-badge';

/** Words and tone of each lease step; `covered` for a VM without one. */
export const LEASE_STATE: Record<LeaseState | 'covered', { key: MessageKey; tone: StatusTone }> = {
  covered: { key: 'leases.state.covered', tone: 'good' },
  grace: { key: 'leases.state.grace', tone: 'busy' },
  final_backup: { key: 'leases.state.final_backup', tone: 'busy' },
  stopped: { key: 'leases.state.stopped', tone: 'bad' },
  destroying: { key: 'leases.state.destroying', tone: 'bad' },
};
