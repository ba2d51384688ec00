import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../api/api-context';
import { getPicReport } from '../../api/pic.api';
import { useI18n } from '../../i18n/use-i18n';
import { DataTable } from '../../ui/data-table';
import { Link } from '../../ui/link';
import { ListSection } from '../../ui/list-section';
import { Page } from '../../ui/page';
import { StatusBadge } from '../../ui/status-badge';
import { AGREEMENT_STATUS } from '../agreements/agreement-labels';
import { PIC_PROBLEM_LABEL } from './pic-labels';

/** The operators' report: VMs that need a PIC (with a link to name one) and VMs whose agreement has no successor. */
export function PicReportPage() {
  const { t, date } = useI18n();
  const api = useApi();
  const report = useQuery({ queryKey: ['pic', 'report'], queryFn: () => getPicReport(api) });
  const loading = report.isFetching && !report.data;
  return (
    <Page title={t('pic.reportTitle')}>
      <p className="muted">{t('pic.reportIntro')}</p>
      <ListSection headingId="pic-without-title" title={t('pic.withoutTitle')} loading={loading} error={report.error}>
        <DataTable
          rows={report.data?.withoutPic}
          empty={t('pic.withoutEmpty')}
          columns={[
            { label: t('pic.vm'), cell: (vm) => <strong>{vm.name}</strong> },
            { label: t('pic.institution'), cell: (vm) => vm.institutionName },
            { label: t('pic.person'), cell: (vm) => vm.pic?.name ?? '—' },
            {
              label: t('pic.status'),
              cell: (vm) => (vm.problem ? <StatusBadge tone="bad">{t(PIC_PROBLEM_LABEL[vm.problem])}</StatusBadge> : null),
            },
          ]}
          actions={(vm) => (
            <Link to={`/pic/${vm.institutionId}`} aria-label={t('pic.nameFor', { name: vm.name })}>
              {t('pic.name')}
            </Link>
          )}
        />
      </ListSection>
      <ListSection headingId="pic-successor-title" title={t('pic.successorTitle')} loading={loading} error={null}>
        {report.data ? <p className="muted">{t('pic.successorIntro', { date: date(report.data.endingBy) })}</p> : null}
        <DataTable
          rows={report.data?.withoutSuccessor}
          empty={t('pic.successorEmpty')}
          columns={[
            { label: t('pic.vm'), cell: (vm) => <strong>{vm.name}</strong> },
            { label: t('pic.institution'), cell: (vm) => vm.institutionName },
            {
              label: t('pic.agreement'),
              cell: (vm) =>
                vm.agreement ? (
                  <>
                    <Link to={`/agreements/${vm.agreement.id}`}>{vm.agreement.number}</Link>{' '}
                    <StatusBadge tone={AGREEMENT_STATUS[vm.agreement.status].tone}>
                      {t(AGREEMENT_STATUS[vm.agreement.status].key)}
                    </StatusBadge>
                  </>
                ) : (
                  t('pic.noAgreement')
                ),
            },
            { label: t('pic.termEnd'), cell: (vm) => (vm.agreement ? date(vm.agreement.termEnd) : '—') },
          ]}
        />
      </ListSection>
    </Page>
  );
}
