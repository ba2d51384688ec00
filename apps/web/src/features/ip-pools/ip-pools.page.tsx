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

/** IP pools with how many addresses are held, and (admin, operator) a form to add one. */
export function IpPoolsPage() {
  const { t } = useI18n();
  const mayCreate = holdsAny(useMe().roles, [Role.Admin, Role.Operator]);
  const api = useApi();
  const pools = useQuery(ipPoolListQuery(api));
  const institutions = useQuery(institutionListQuery(api));
  const [notice, setNotice] = useState<string | null>(null);
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
            { label: t('opPools.name'), cell: (pool) => <strong>{pool.name}</strong> },
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
