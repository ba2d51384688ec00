import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../api/api-context';
import { agreementListQuery } from '../../api/queries';
import { useI18n } from '../../i18n/use-i18n';
import { Link } from '../../ui/link';
import { Page } from '../../ui/page';
import { StatusBadge } from '../../ui/status-badge';
import { DataTable } from '../../ui/data-table';
import { ListSection } from '../../ui/list-section';
import { AGREEMENT_STATUS } from './agreement-labels';

/** Agreements of the institution (data-center heads: all), newest first, each linking to its detail. */
export function AgreementsPage() {
  const { t, date, number } = useI18n();
  const agreements = useQuery(agreementListQuery(useApi()));
  return (
    <Page title={t('agreements.title')}>
      <p className="muted">{t('agreements.intro')}</p>
      <ListSection
        headingId="agreements-list-title"
        title={t('agreements.listTitle')}
        loading={agreements.isFetching && !agreements.data}
        error={agreements.error}
      >
        <DataTable
          rows={agreements.data?.items}
          empty={t('agreements.empty')}
          columns={[
            { label: t('agreements.number'), cell: (a) => <Link to={`/agreements/${a.id}`}>{a.number}</Link> },
            { label: t('agreements.institution'), cell: (a) => a.institutionName },
            {
              label: t('agreements.statusLabel'),
              cell: (a) => <StatusBadge tone={AGREEMENT_STATUS[a.status].tone}>{t(AGREEMENT_STATUS[a.status].key)}</StatusBadge>,
            },
            { label: t('agreements.term'), cell: (a) => t('agreements.termRange', { start: date(a.termStart), end: date(a.termEnd) }) },
            {
              label: t('agreements.daysLeftLabel'),
              cell: (a) => (a.daysLeft >= 0 ? t('agreements.daysLeft', { days: number(a.daysLeft, 0) }) : t('agreements.ended')),
            },
          ]}
        />
      </ListSection>
    </Page>
  );
}
