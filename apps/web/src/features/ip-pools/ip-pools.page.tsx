import { Role } from '@betang/core';
import { useState } from 'react';
import { listInstitutions } from '../../api/institutions.api';
import { listIpPools } from '../../api/ip-pools.api';
import { useResource } from '../../api/use-resource';
import { useI18n } from '../../i18n/i18n-context';
import { holdsAny, useMe } from '../../session/session-context';
import { ErrorAlert, LiveRegion, Loading } from '../../ui/alert';
import { Page } from '../../ui/page';
import { QuotaBar } from '../../ui/quota-bar';
import { TableWrap } from '../../ui/table-wrap';
import { IpPoolForm } from './ip-pool-form';

/** IP pools with how many addresses are held, and (admin, operator) a form to add one. */
export function IpPoolsPage() {
  const { t } = useI18n();
  const mayCreate = holdsAny(useMe().roles, [Role.Admin, Role.Operator]);
  const pools = useResource(listIpPools, []);
  const institutions = useResource((api) => listInstitutions(api), []);
  const [notice, setNotice] = useState<string | null>(null);
  const names = new Map((institutions.data?.items ?? []).map((i) => [i.id, i.name]));
  const items = pools.data?.items ?? [];
  return (
    <Page title={t('opPools.title')}>
      <p className="muted">{t('opPools.intro')}</p>
      <LiveRegion kind="success">{notice}</LiveRegion>
      <section className="card" aria-labelledby="pools-title">
        <h2 id="pools-title">{t('opPools.listTitle')}</h2>
        {pools.loading && !pools.data ? <Loading /> : null}
        <ErrorAlert error={pools.error} />
        {pools.data && items.length === 0 ? <p>{t('opPools.empty')}</p> : null}
        {items.length > 0 ? (
          <TableWrap labelledBy="pools-title">
            <table className="responsive">
              <thead>
                <tr>
                  <th scope="col">{t('opPools.name')}</th>
                  <th scope="col">{t('opPools.network')}</th>
                  <th scope="col">{t('opPools.range')}</th>
                  <th scope="col">{t('opPools.institution')}</th>
                  <th scope="col">{t('opPools.usage')}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((pool) => (
                  <tr key={pool.id}>
                    <td data-label={t('opPools.name')}>
                      <strong>{pool.name}</strong>
                    </td>
                    <td data-label={t('opPools.network')}>
                      <code>{pool.cidr}</code>
                      <span className="block small muted">{t('opPools.networkDetail', { gateway: pool.gateway, vlan: pool.vlanTag ?? '—', bridge: pool.bridge })}</span>
                    </td>
                    <td data-label={t('opPools.range')}>
                      <code>{`${pool.rangeStart} – ${pool.rangeEnd}`}</code>
                    </td>
                    <td data-label={t('opPools.institution')}>{pool.institutionId ? (names.get(pool.institutionId) ?? pool.institutionId) : t('opPools.shared')}</td>
                    <td data-label={t('opPools.usage')}>
                      <QuotaBar label={t('opPools.held')} used={pool.held} limit={pool.size} unit={t('opPools.addresses')} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        ) : null}
      </section>
      {mayCreate ? (
        <IpPoolForm
          institutions={institutions.data?.items ?? []}
          onCreated={(pool) => {
            setNotice(t('opPools.created', { name: pool.name }));
            pools.reload();
          }}
        />
      ) : null}
    </Page>
  );
}
