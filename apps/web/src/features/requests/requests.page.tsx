import { INSTITUTION_ROLES, REQUEST_STATUSES } from '@betang/core';
import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../api/api-context';
import { institutionListQuery, requestSearchQuery } from '../../api/queries';
import { findRequests } from '../../api/vps-requests.api';
import { useI18n } from '../../i18n/use-i18n';
import { Link } from '../../ui/link';
import { holdsAny, isConsoleUser, useMe } from '../../session/session-context';
import { Page } from '../../ui/page';
import { StatusBadge } from '../../ui/status-badge';
import { DataTable } from '../../ui/data-table';
import { ListSection } from '../../ui/list-section';
import { FilterBar, type FilterControl } from '../find/filter-bar';
import { useUrlFilters } from '../find/url-filters';
import { usePagedList } from '../find/use-paged-list';
import { REQUEST_STATUS } from './request-labels';

const FILTER_KEYS = ['status', 'hostname', 'address', 'q', 'from', 'to', 'institutionId'] as const;
type FilterKey = (typeof FILTER_KEYS)[number];

/**
 * VPS requests of the institution (data-center staff: all), newest first, each linking to its live
 * detail; filtered by status, host name, address, free text, submission days and (data-center
 * staff) institution, the filters kept in the URL.
 */
export function RequestsPage() {
  const { t, dateTime, number } = useI18n();
  const me = useMe();
  const api = useApi();
  const console = isConsoleUser(me.roles);
  const filters = useUrlFilters(FILTER_KEYS);
  const institutions = useQuery({ ...institutionListQuery(api), enabled: console });
  const list = usePagedList(requestSearchQuery(api, filters.query).queryKey, (cursor) => findRequests(api, filters.query, cursor));
  const mayRequest = holdsAny(me.roles, INSTITUTION_ROLES);
  const controls: FilterControl<FilterKey>[] = [
    {
      key: 'status',
      label: t('find.status'),
      kind: 'choice',
      any: t('find.anyStatus'),
      options: REQUEST_STATUSES.map((status) => ({ value: status, label: t(REQUEST_STATUS[status].key) })),
    },
    { key: 'hostname', label: t('find.hostname'), kind: 'text' },
    { key: 'address', label: t('find.address'), kind: 'text' },
    { key: 'q', label: t('find.text'), kind: 'text', hint: t('find.textHintRequests') },
    { key: 'from', label: t('find.from'), kind: 'date' },
    { key: 'to', label: t('find.to'), kind: 'date' },
  ];
  if (console)
    controls.push({
      key: 'institutionId',
      label: t('find.institution'),
      kind: 'choice',
      any: t('find.anyInstitution'),
      options: (institutions.data?.items ?? []).map((i) => ({ value: i.id, label: i.name })),
    });
  return (
    <Page
      title={t('requests.title')}
      actions={
        mayRequest ? (
          <Link className="button primary" to="/vps-requests/new">
            {t('requests.new')}
          </Link>
        ) : null
      }
    >
      <FilterBar
        headingId="requests-filter-title"
        title={t('find.filterTitle')}
        controls={controls}
        values={filters.values}
        onApply={filters.apply}
        onClear={filters.clear}
      />
      <ListSection
        headingId="requests-list-title"
        title={t('requests.listTitle')}
        loading={list.loading}
        busy={list.busy}
        error={list.error}
        onMore={list.onMore}
      >
        <DataTable
          rows={list.items}
          empty={Object.keys(filters.query).length > 0 ? t('find.noMatch') : t('requests.empty')}
          columns={[
            { label: t('requests.hostname'), cell: (r) => <Link to={`/vps-requests/${r.id}`}>{r.hostname}</Link> },
            {
              label: t('requests.statusLabel'),
              cell: (r) => (
                <>
                  <StatusBadge tone={REQUEST_STATUS[r.status].tone}>{t(REQUEST_STATUS[r.status].key)}</StatusBadge>
                  {r.run && ['queued', 'running'].includes(r.run.status) ? (
                    <span className="muted small block">{t('requests.progress', { percent: Math.round(r.run.progress) })}</span>
                  ) : null}
                </>
              ),
            },
            {
              label: t('requests.size'),
              cell: (r) =>
                t('requests.sizeValue', {
                  cores: r.resources.cores,
                  memory: number(r.resources.memoryMiB / 1024),
                  disk: r.resources.diskGiB,
                }),
            },
            { label: t('requests.address'), cell: (r) => r.vm?.ipAddress ?? r.ipAddress ?? '—' },
            { label: t('requests.submittedAt'), cell: (r) => dateTime(r.createdAt) },
          ]}
        />
      </ListSection>
    </Page>
  );
}
