import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../api/api-context';
import { listVmRestoreTests } from '../../api/restore-tests.api';
import { useI18n } from '../../i18n/use-i18n';
import { RestoreTestOutcome } from './restore-test-outcome';

/** The VM's latest test restore in one line ("Uji pemulihan terakhir: Berhasil, 3 Des 2026"), and what failed if it did. */
export function LastRestoreTest({ vmId }: { vmId: string }) {
  const { t, locale, dateTime } = useI18n();
  const api = useApi();
  const tests = useQuery({ queryKey: ['vms', vmId, 'restore-tests'], queryFn: () => listVmRestoreTests(api, vmId) });
  const last = tests.data?.items[0] ?? null;
  if (!tests.data) return null;
  return (
    <p className="restore-test-line">
      {t('testRestores.lastLabel')} <RestoreTestOutcome test={last} />
      {last ? <> {t('testRestores.lastOn', { when: dateTime(last.startedAt) })}</> : null}
      {last?.error ? <span className="muted small"> — {last.error[locale]}</span> : null}
    </p>
  );
}
