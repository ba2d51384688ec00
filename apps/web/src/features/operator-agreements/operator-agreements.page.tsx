import { Role } from '@betang/core';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../api/api-context';
import { findAgreements } from '../../api/agreements.api';
import { institutionListQuery } from '../../api/queries';
import { queryKeys } from '../../api/query-keys';
import { FilterBar } from '../find/filter-bar';
import { useUrlFilters } from '../find/url-filters';
import { usePagedList } from '../find/use-paged-list';
import { useI18n } from '../../i18n/use-i18n';
import { Link } from '../../ui/link';
import { holdsAny, useMe } from '../../session/session-context';
import { LiveRegion } from '../../ui/alert';
import { Page } from '../../ui/page';
import { StatusBadge } from '../../ui/status-badge';
import { DataTable } from '../../ui/data-table';
import { ListSection } from '../../ui/list-section';
import { AGREEMENT_STATUS } from './agreement-status';
import { CreateAgreementForm } from './create-agreement-form';
import '../operator-queue/console.css';

const TEXT_FILTER = ['q'] as const;

/**
 * Every agreement with status and days left, found by free text (institution, number, listed
 * application; kept in the URL as `q`); admins and operators generate new ones. Reading and
 * signing: /agreements/:id.
 */
export function OperatorAgreementsPage() {
  const { t, date } = useI18n();
  const mayCreate = holdsAny(useMe().roles, [Role.Admin, Role.Operator]);
  const api = useApi();
  // The dashboard's links: ?status=<status> asks the server for that status; ?expiring=<days> asks
  // it for the agreements in force ending within that many days (every page, not only the first).
  const [params] = useSearchParams();
  const statusParam = params.get('status');
  const status = statusParam && statusParam in AGREEMENT_STATUS ? (statusParam as keyof typeof AGREEMENT_STATUS) : undefined;
  const expiringParam = Number(params.get('expiring'));
  const expiring = Number.isInteger(expiringParam) && expiringParam > 0 ? expiringParam : undefined;
  const text = useUrlFilters(TEXT_FILTER);
  const q = text.values.q || undefined;
  const filter = expiring ? { expiringWithinDays: expiring, q } : { status, q };
  const agreements = usePagedList([...queryKeys.agreements, 'search', filter], (cursor) => findAgreements(api, filter, cursor));
  const rows = agreements.items;
  const institutions = useQuery(institutionListQuery(api));
  const [notice, setNotice] = useState<string | null>(null);
  const daysLeft = (days: number, status: string) =>
    status === 'expired' || status === 'revoked' ? '—' : days < 0 ? t('opAgreements.ended') : t('opAgreements.daysLeft', { days });
  return (
    <Page title={t('opAgreements.title')}>
      <p className="muted">{t('opAgreements.intro')}</p>
      {status || expiring ? (
        <p className="muted">
          {expiring
            ? t('cockpit.filterExpiring', { days: expiring })
            : t('cockpit.filterStatus', { status: t(AGREEMENT_STATUS[status!].label) })}{' '}
          <Link to="/operator/agreements">{t('cockpit.filterClear')}</Link>
        </p>
      ) : null}
      <FilterBar
        headingId="agreements-filter-title"
        title={t('find.filterTitle')}
        controls={[{ key: 'q', label: t('find.text'), kind: 'text', hint: t('operatorAgreements.textHint') }]}
        values={text.values}
        onApply={text.apply}
        onClear={text.clear}
      />
      <LiveRegion kind="success">{notice}</LiveRegion>
      <ListSection
        headingId="agreements-title"
        title={t('opAgreements.listTitle')}
        loading={agreements.loading}
        busy={agreements.busy}
        error={agreements.error}
        onMore={agreements.onMore}
      >
        <DataTable
          rows={rows}
          empty={t('opAgreements.empty')}
          columns={[
            { label: t('opAgreements.number'), cell: (a) => <Link to={`/agreements/${a.id}`}>{a.number}</Link> },
            { label: t('opAgreements.institution'), cell: (a) => a.institutionName },
            {
              label: t('opAgreements.statusLabel'),
              cell: (a) => (
                <>
                  <StatusBadge tone={AGREEMENT_STATUS[a.status].tone}>{t(AGREEMENT_STATUS[a.status].label)}</StatusBadge>
                  {a.hasPendingDocument ? (
                    <span className="block small">
                      <Link to={`/agreements/${a.id}`}>{t('opAgreements.pendingDocument')}</Link>
                    </span>
                  ) : null}
                </>
              ),
            },
            { label: t('opAgreements.term'), cell: (a) => `${date(a.termStart)} – ${date(a.termEnd)}` },
            {
              label: t('opAgreements.remaining'),
              className: (a) => (a.daysLeft >= 0 && a.daysLeft <= 30 && a.status === 'in_force' ? 'age-overdue' : undefined),
              cell: (a) => daysLeft(a.daysLeft, a.status),
            },
          ]}
        />
        <p className="muted small">{t('opAgreements.signHint')}</p>
      </ListSection>
      {mayCreate ? (
        <CreateAgreementForm
          institutions={institutions.data?.items ?? []}
          onCreated={(agreement) => {
            setNotice(t('opAgreements.created', { number: agreement.number, institution: agreement.institutionName }));
            void agreements.refetch();
          }}
        />
      ) : null}
    </Page>
  );
}
