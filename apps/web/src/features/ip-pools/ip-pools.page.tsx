import { Role } from '@betang/core';
import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../api/api-context';
import { institutionListQuery, ipPoolListQuery } from '../../api/queries';
import { useI18n } from '../../i18n/use-i18n';
import { holdsAny, useMe } from '../../session/session-context';
import { LiveRegion } from '../../ui/alert';
import { Page } from '../../ui/page';
import { QuotaBar } from '../../ui/quota-bar';
import { DataTable } from '../../ui/data-table';
import { ListSection } from '../../ui/list-section';
import { IpPoolForm } from './ip-pool-form';
import { PoolAddresses } from './pool-addresses';
import { Link, useSearchParams } from 'react-router';

/** IP pools with how many addresses are held, and (admin, operator) a form to add one. */
export function IpPoolsPage() {
  const { t } = useI18n();
  const mayCreate = holdsAny(useMe().roles, [Role.Admin, Role.Operator]);
  const api = useApi();
  const pools = useQuery(ipPoolListQuery(api));
  const institutions = useQuery(institutionListQuery(api));
  const [notice, setNotice] = useState<string | null>(null);
  // The pool whose addresses are listed: ?pool=<id> (kept on reload and in shared links), else the first.
  const [params] = useSearchParams();
  const selected = pools.data?.items.find((p) => p.id === params.get('pool')) ?? pools.data?.items[0];
  const names = new Map((institutions.data?.items ?? []).map((i) => [i.id, i.name]));
  return (
    <Page title={t('opPools.title')}>
      <p className="muted">{t('opPools.intro')}</p>
      <LiveRegion kind="success">{notice}</LiveRegion>
      <ListSection headingId="pools-title" title={t('opPools.listTitle')} loading={pools.isFetching && !pools.data} error={pools.error}>
        <DataTable
          rows={pools.data?.items}
          empty={t('opPools.empty')}
          columns={[
            {
              label: t('opPools.name'),
              cell: (pool) => (
                // A plain link (not the app's NavLink): every pool is on this same path, only the selected one is current.
                <Link to={`?pool=${pool.id}`} aria-current={pool.id === selected?.id ? 'true' : undefined}>
                  <strong>{pool.name}</strong>
                </Link>
              ),
            },
            {
              label: t('opPools.network'),
              cell: (pool) => (
                <>
                  <code>{pool.cidr}</code>
                  <span className="block small muted">
                    {t('opPools.networkDetail', { gateway: pool.gateway, vlan: pool.vlanTag ?? '—', bridge: pool.bridge })}
                  </span>
                </>
              ),
            },
            { label: t('opPools.range'), cell: (pool) => <code>{`${pool.rangeStart} – ${pool.rangeEnd}`}</code> },
            {
              label: t('opPools.institution'),
              cell: (pool) => (pool.institutionId ? (names.get(pool.institutionId) ?? pool.institutionId) : t('opPools.shared')),
            },
            {
              label: t('opPools.usage'),
              cell: (pool) => <QuotaBar label={t('opPools.held')} used={pool.held} limit={pool.size} unit={t('opPools.addresses')} />,
            },
          ]}
        />
      </ListSection>
      {selected ? <PoolAddresses key={selected.id} pool={selected} /> : null}
      {mayCreate ? (
        <IpPoolForm
          institutions={institutions.data?.items ?? []}
          onCreated={(pool) => {
            setNotice(t('opPools.created', { name: pool.name }));
            void pools.refetch();
          }}
        />
      ) : null}
    </Page>
  );
}
