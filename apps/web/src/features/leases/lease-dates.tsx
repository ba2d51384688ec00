import type { VmLease } from '@betang/core';
import { useI18n } from '../../i18n/use-i18n';
import { StatusBadge } from '../../ui/status-badge';
import { LEASE_STATE } from './lease-labels';

/** A lease step as a badge with the days that matter next (stop day, stopped since, destruction day, kept backup). */
export function LeaseSummary({ lease }: { lease: VmLease }) {
  const { t, date } = useI18n();
  const state = LEASE_STATE[lease.state ?? 'covered'];
  return (
    <span data-testid="lease-summary" data-lease-state={lease.state ?? 'covered'}>
      <StatusBadge tone={state.tone}>{t(state.key)}</StatusBadge>
      {lease.stopOn ? <span className="block">{t('leases.stopOn', { date: date(lease.stopOn) })}</span> : null}
      {lease.stoppedOn ? <span className="block">{t('leases.stoppedOn', { date: date(lease.stoppedOn) })}</span> : null}
      {lease.destroyOn ? <span className="block">{t('leases.destroyOn', { date: date(lease.destroyOn) })}</span> : null}
      {lease.state === 'stopped' && !lease.destroyOn ? <span className="block muted">{t('leases.destroyCancelled')}</span> : null}
      {lease.keptBackup?.volid ? (
        <span className="block muted small">{t('leases.keptBackup', { volid: lease.keptBackup.volid })}</span>
      ) : null}
    </span>
  );
}
