import { useApi } from '../../api/api-context';
import { listPoolAddresses, type IpPool } from '../../api/ip-pools.api';
import { queryKeys } from '../../api/query-keys';
import { useI18n } from '../../i18n/use-i18n';
import { DataTable } from '../../ui/data-table';
import { Link } from '../../ui/link';
import { ListSection } from '../../ui/list-section';
import { StatusBadge } from '../../ui/status-badge';
import { FilterBar } from '../find/filter-bar';
import { useUrlFilters } from '../find/url-filters';
import { usePagedList } from '../find/use-paged-list';

const KEYS = ['status'] as const;

/**
 * The addresses of one pool in order, each with who holds it (host name and vmid linking to the
 * request, institution) or marked free; `?status=held|free` in the URL keeps one kind.
 */
export function PoolAddresses({ pool }: { pool: IpPool }) {
  const { t, dateTime } = useI18n();
  const api = useApi();
  const filters = useUrlFilters(KEYS);
  const status = filters.values.status === 'held' || filters.values.status === 'free' ? filters.values.status : undefined;
  const list = usePagedList(queryKeys.poolAddresses(pool.id, status ?? 'all'), (cursor) => listPoolAddresses(api, pool.id, status, cursor));
  const rows = list.items?.map((item) => ({ ...item, id: item.address }));
  return (
    <>
      <FilterBar
        headingId="pool-address-filter-title"
        title={t('find.poolFilterTitle', { name: pool.name })}
        controls={[
          {
            key: 'status',
            label: t('find.poolStatus'),
            kind: 'choice',
            any: t('find.poolAll'),
            options: [
              { value: 'held', label: t('find.poolHeld') },
              { value: 'free', label: t('find.poolFree') },
            ],
          },
        ]}
        values={filters.values}
        onApply={filters.apply}
        onClear={filters.clear}
      />
      <ListSection
        headingId="pool-addresses-title"
        title={t('find.poolAddressesTitle', { name: pool.name })}
        loading={list.loading}
        busy={list.busy}
        error={list.error}
        onMore={list.onMore}
      >
        <DataTable
          rows={rows}
          empty={t('find.noMatch')}
          columns={[
            {
              label: t('find.address'),
              cell: (a) => (
                <>
                  <code>{a.address}</code>
                  {a.isGateway ? <span className="muted small block">{t('find.poolGateway')}</span> : null}
                </>
              ),
            },
            {
              label: t('find.poolStatus'),
              cell: (a) =>
                a.holder ? (
                  <StatusBadge tone="busy">{t('find.poolHeld')}</StatusBadge>
                ) : (
                  <StatusBadge tone="good">{t('find.poolFree')}</StatusBadge>
                ),
            },
            {
              label: t('find.poolHolder'),
              cell: (a) =>
                a.holder ? (
                  <>
                    <Link to={`/vps-requests/${a.holder.requestId}`}>{a.holder.hostname}</Link>
                    <span className="muted small block">
                      {a.holder.vmid === null ? t('find.poolNoVm') : t('find.poolVmid', { vmid: a.holder.vmid })}
                    </span>
                    {a.holder.primary ? null : <span className="muted small block">{t('estate.extraAddress')}</span>}
                  </>
                ) : (
                  '—'
                ),
            },
            { label: t('find.institution'), cell: (a) => a.holder?.institutionName ?? '—' },
            { label: t('find.poolSince'), cell: (a) => (a.holder ? dateTime(a.holder.reservedAt) : '—') },
          ]}
        />
      </ListSection>
    </>
  );
}
