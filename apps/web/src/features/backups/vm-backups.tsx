import type { VmBackup } from '@betang/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useApi } from '../../api/api-context';
import { listVmBackups } from '../../api/vms.api';
import { useI18n } from '../../i18n/use-i18n';
import { ErrorAlert, Loading } from '../../ui/alert';
import { DataTable } from '../../ui/data-table';
import { StatusBadge, type StatusTone } from '../../ui/status-badge';
import { LastRestoreTest } from '../restore-tests/last-restore-test';

const TONE: Record<VmBackup['outcome'], StatusTone> = { ok: 'good', failed: 'bad', running: 'busy' };

/** The VM's backups, loaded when opened: the policy of its class and each night's outcome. */
export function VmBackups({ vm }: { vm: { id: string; name: string } }) {
  const { t, dateTime, number, locale } = useI18n();
  const api = useApi();
  const [open, setOpen] = useState(false);
  const backups = useQuery({ queryKey: ['vms', vm.id, 'backups'], queryFn: () => listVmBackups(api, vm.id), enabled: open });
  const headingId = `vm-backups-${vm.id}`;
  const policy = backups.data?.policy;
  return (
    <details className="vm-backups" onToggle={(event) => setOpen((event.target as HTMLDetailsElement).open)}>
      <summary id={headingId}>{t('backups.panelTitle')}</summary>
      {backups.isFetching && !backups.data ? <Loading /> : null}
      <ErrorAlert error={backups.error} />
      {policy ? (
        <p className="muted">
          {t('backups.policyLine', {
            start: policy.windowStart,
            end: policy.windowEnd,
            daily: policy.keepDaily,
            weekly: policy.keepWeekly,
            monthly: policy.keepMonthly,
          })}
        </p>
      ) : null}
      {open ? <LastRestoreTest vmId={vm.id} /> : null}
      <DataTable
        labelledBy={headingId}
        rows={backups.data?.items}
        empty={t('backups.empty')}
        columns={[
          { label: t('backups.startedAt'), cell: (b) => <time dateTime={b.startedAt}>{dateTime(b.startedAt)}</time> },
          {
            label: t('backups.outcome'),
            cell: (b) => <StatusBadge tone={TONE[b.outcome]}>{t(`backups.outcome.${b.outcome}`)}</StatusBadge>,
          },
          { label: t('backups.size'), cell: (b) => (b.sizeBytes === null ? '—' : `${number(b.sizeBytes / 1024 ** 3, 1)} GiB`) },
          {
            label: t('backups.duration'),
            cell: (b) => (b.durationSeconds === null ? '—' : t('backups.seconds', { n: b.durationSeconds })),
          },
          { label: t('backups.storage'), cell: (b) => b.storage },
          { label: t('backups.note'), cell: (b) => (b.error ? (locale === 'en' ? b.error.en : b.error.id) : '') },
        ]}
      />
    </details>
  );
}
