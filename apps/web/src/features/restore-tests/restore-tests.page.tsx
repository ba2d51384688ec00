import { useQuery } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import { useApi } from '../../api/api-context';
import { getRestoreTestReport } from '../../api/restore-tests.api';
import { useI18n } from '../../i18n/use-i18n';
import { ErrorAlert, Loading } from '../../ui/alert';
import { DataTable } from '../../ui/data-table';
import { Field } from '../../ui/field';
import { Page } from '../../ui/page';
import { RestoreTestOutcome } from './restore-test-outcome';
import '../operator-queue/console.css';

const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;

/**
 * The month's test restores for the data-center head and operators: how many VMs' latest backups
 * were restored and booted, and for each VM its verdict and what failed. The month is kept in
 * the URL (`?period=2026-12`), so the report e-mail's link opens the right month.
 */
export function RestoreTestsPage() {
  const { t, locale, dateTime, number } = useI18n();
  const api = useApi();
  const [params, setParams] = useSearchParams();
  const asked = params.get('period') ?? '';
  const period = PERIOD.test(asked) ? asked : undefined;
  const report = useQuery({ queryKey: ['restore-tests', period ?? 'now'], queryFn: () => getRestoreTestReport(api, period) });
  const data = report.data;
  return (
    <Page title={t('testRestores.title')}>
      <p className="muted">{t('testRestores.intro')}</p>
      <div className="filter-row">
        <Field
          label={t('testRestores.month')}
          type="month"
          value={period ?? data?.period ?? ''}
          onValue={(value) => setParams(PERIOD.test(value) ? { period: value } : {})}
        />
      </div>
      <ErrorAlert error={report.error} />
      {report.isFetching && !data ? <Loading /> : null}
      {data ? (
        <section className="card" aria-labelledby="restore-tests-summary">
          <h2 id="restore-tests-summary">{t('testRestores.summaryTitle', { period: data.period })}</h2>
          <p className="lead">{t('testRestores.summary', { ok: data.ok, vms: data.vms })}</p>
          <p className="muted">{t('testRestores.counts', { failed: data.failed, running: data.running, notTested: data.notTested })}</p>
          <DataTable
            labelledBy="restore-tests-summary"
            rows={data.items.map((item) => ({ ...item, id: item.vmId }))}
            empty={t('testRestores.empty')}
            columns={[
              { label: t('testRestores.vm'), cell: (i) => (i.vmid === null ? i.vmName : `${i.vmName} (${i.vmid})`) },
              { label: t('testRestores.institution'), cell: (i) => i.institution },
              { label: t('testRestores.outcomeLabel'), cell: (i) => <RestoreTestOutcome test={i.test} /> },
              {
                label: t('testRestores.when'),
                cell: (i) => (i.test ? <time dateTime={i.test.startedAt}>{dateTime(i.test.startedAt)}</time> : '—'),
              },
              { label: t('testRestores.backup'), cell: (i) => i.test?.backupDate ?? '—' },
              {
                label: t('testRestores.found'),
                cell: (i) =>
                  i.test?.error
                    ? i.test.error[locale]
                    : i.test?.checks?.rootFilesystem
                      ? t('testRestores.booted', {
                          os: i.test.checks.os ?? '—',
                          used: number((i.test.checks.rootFilesystem.usedBytes ?? 0) / 1024 ** 3, 1),
                        })
                      : '',
              },
            ]}
          />
        </section>
      ) : null}
    </Page>
  );
}
