import type { EstateDecisionsDto, EstateVmDto } from '@betang/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useApi } from '../../api/api-context';
import { decideEstate, listEstate, requestCensus } from '../../api/estate.api';
import { useI18n } from '../../i18n/use-i18n';
import { ErrorAlert, LiveRegion, Loading } from '../../ui/alert';
import { Page } from '../../ui/page';
import { TableWrap } from '../../ui/table-wrap';
import { AdoptForm } from './adopt-form';
import { ReleaseForm } from './release-form';
import { EstateImport } from './estate-import';

type Conflict = EstateVmDto['conflicts'][number];

/** The decision that settles a conflict, when the operator can take one here (a claimed VM needs the other VM released first). */
function settle(vm: EstateVmDto, c: Conflict): EstateDecisionsDto | undefined {
  const addresses = vm.decisions.addresses ?? {};
  if (c.kind === 'address_shared' && c.address) return { ...vm.decisions, addresses: { ...addresses, [c.address]: 'keep' } };
  if (c.kind === 'address_held' && c.address) return { ...vm.decisions, addresses: { ...addresses, [c.address]: 'drop' } };
  if (c.kind === 'outside_pool') return { ...vm.decisions, outsidePool: true };
  if (c.kind === 'vmid_range') return { ...vm.decisions, vmidRange: true };
  return undefined;
}

const SETTLE_LABEL = {
  address_shared: 'adoption.keepAddress',
  address_held: 'adoption.dropAddress',
  outside_pool: 'adoption.acceptOutside',
  vmid_range: 'adoption.acceptVmid',
} as const;

/**
 * The census screen: every VM on the cluster Betang does not own, with Betang's proposed owner
 * and why, its conflicts and the decision each needs, adoption one at a time, and the CSV mapping
 * for bulk adoption.
 */
export function AdoptionPage() {
  const { t, locale, dateTime } = useI18n();
  const api = useApi();
  const estate = useQuery({ queryKey: ['estate'], queryFn: () => listEstate(api) });
  const [adopting, setAdopting] = useState<number | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const decide = useMutation({ mutationFn: (v: { vmid: number; d: EstateDecisionsDto }) => decideEstate(api, v.vmid, v.d) });
  const census = useMutation({ mutationFn: () => requestCensus(api) });
  const items = estate.data?.items ?? [];
  const open = items.filter((v) => v.status === 'unowned');
  const adopted = items.filter((v) => v.status === 'adopted');
  const [releasing, setReleasing] = useState<number | null>(null);
  return (
    <Page
      title={t('adoption.title')}
      actions={
        <button
          type="button"
          className="button"
          disabled={census.isPending}
          onClick={() => census.mutate(undefined, { onSuccess: () => setNotice(t('adoption.censusQueued')) })}
        >
          {t('adoption.census')}
        </button>
      }
    >
      <p className="muted">{t('adoption.intro')}</p>
      {estate.data ? (
        <p className="muted small">
          {estate.data.observedAt
            ? t('adoption.observed', { at: dateTime(estate.data.observedAt), open: open.length, adopted: items.length - open.length })
            : t('adoption.neverObserved')}
        </p>
      ) : null}
      <LiveRegion kind="success">{notice}</LiveRegion>
      <ErrorAlert error={estate.error ?? decide.error ?? census.error} />
      {estate.isFetching && !estate.data ? <Loading /> : null}
      {estate.data && open.length === 0 ? <p className="card">{t('adoption.empty')}</p> : null}
      {open.length > 0 ? (
        <TableWrap labelledBy="estate-title">
          <h2 id="estate-title">{t('adoption.listTitle', { count: open.length })}</h2>
          <table className="responsive">
            <thead>
              <tr>
                <th scope="col">{t('adoption.vm')}</th>
                <th scope="col">{t('adoption.resources')}</th>
                <th scope="col">{t('adoption.addresses')}</th>
                <th scope="col">{t('adoption.proposal')}</th>
                <th scope="col">{t('adoption.conflicts')}</th>
                <th scope="col">{t('adoption.action')}</th>
              </tr>
            </thead>
            <tbody>
              {open.map((vm) => {
                const waiting = vm.conflicts.filter((c) => !c.resolved);
                return (
                  <tr key={vm.vmid}>
                    <td data-label={t('adoption.vm')}>
                      <strong>{vm.name ?? '—'}</strong>
                      <span className="block muted small">{t('adoption.where', { vmid: vm.vmid, node: vm.node })}</span>
                      {vm.tags.length > 0 ? (
                        <span className="block muted small">{t('adoption.tags', { tags: vm.tags.join(', ') })}</span>
                      ) : null}
                      {vm.notes ? <span className="block muted small">{vm.notes}</span> : null}
                    </td>
                    <td data-label={t('adoption.resources')}>
                      {t('adoption.sizes', { cores: vm.cores, memory: vm.memoryMiB, disk: vm.diskGiB })}
                      <span className="block muted small">
                        {vm.power === 'running' ? t('adoption.running') : t('adoption.stopped')}
                        {vm.agent ? '' : ` · ${t('adoption.noAgent')}`}
                      </span>
                    </td>
                    <td data-label={t('adoption.addresses')}>
                      {vm.addresses.length === 0
                        ? '—'
                        : vm.addresses.map((a) => (
                            <span key={`${a.address}-${a.source}`} className="block">
                              {a.address}{' '}
                              <span className="muted small">
                                ({a.source === 'agent' ? t('adoption.fromAgent') : t('adoption.fromConfig')})
                              </span>
                            </span>
                          ))}
                    </td>
                    <td data-label={t('adoption.proposal')}>
                      {vm.proposal ? (
                        <>
                          {vm.proposal.institutionCode}
                          {vm.proposal.applicationName ? ` · ${vm.proposal.applicationName}` : ''}
                          <span className="block muted small">{t('adoption.because', { reason: vm.proposal.reason[locale] })}</span>
                        </>
                      ) : (
                        <span className="muted">{t('adoption.noProposal')}</span>
                      )}
                    </td>
                    <td data-label={t('adoption.conflicts')}>
                      {vm.conflicts.length === 0 ? '—' : null}
                      {vm.conflicts.map((c, i) => {
                        const decision = c.resolved ? undefined : settle(vm, c);
                        return (
                          <div key={`${c.kind}-${c.address ?? ''}-${i}`} className="small">
                            <span>{c.resolved ? `✓ ${c.message[locale]}` : c.message[locale]}</span>
                            {c.resolved ? null : <span className="block muted">{c.decide[locale]}</span>}
                            {decision && c.kind !== 'claimed' ? (
                              <button
                                type="button"
                                className="button small"
                                disabled={decide.isPending}
                                onClick={() => decide.mutate({ vmid: vm.vmid, d: decision }, { onSuccess: () => void estate.refetch() })}
                              >
                                {t(SETTLE_LABEL[c.kind as keyof typeof SETTLE_LABEL], { address: c.address ?? '' })}
                              </button>
                            ) : null}
                          </div>
                        );
                      })}
                    </td>
                    <td data-label={t('adoption.action')}>
                      {adopting === vm.vmid ? (
                        <AdoptForm
                          vm={vm}
                          onCancel={() => setAdopting(null)}
                          onDone={(message) => {
                            setAdopting(null);
                            setNotice(message);
                            void estate.refetch();
                          }}
                        />
                      ) : (
                        <button
                          type="button"
                          className="button small primary"
                          disabled={waiting.length > 0}
                          aria-label={t('adoption.adoptNamed', { name: vm.name ?? String(vm.vmid) })}
                          onClick={() => setAdopting(vm.vmid)}
                        >
                          {t('adoption.adopt')}
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableWrap>
      ) : null}
      {adopted.length > 0 ? (
        <section className="card" aria-labelledby="adopted-title">
          <h2 id="adopted-title">{t('adoption.adoptedTitle', { count: adopted.length })}</h2>
          <ul className="plain-list">
            {adopted.map((vm) => {
              const name = vm.name ?? String(vm.vmid);
              return (
                <li key={vm.vmid}>
                  <strong>{name}</strong> <span className="muted small">{t('adoption.where', { vmid: vm.vmid, node: vm.node })}</span>{' '}
                  {releasing === vm.vmid && vm.vmId ? (
                    <ReleaseForm
                      vmId={vm.vmId}
                      name={name}
                      onCancel={() => setReleasing(null)}
                      onDone={() => {
                        setReleasing(null);
                        setNotice(t('adoption.released', { name }));
                        void estate.refetch();
                      }}
                    />
                  ) : vm.vmId ? (
                    <button
                      type="button"
                      className="button small"
                      aria-label={t('adoption.releaseNamed', { name })}
                      onClick={() => setReleasing(vm.vmid)}
                    >
                      {t('adoption.release')}
                    </button>
                  ) : null}
                </li>
              );
            })}
          </ul>
        </section>
      ) : null}
      <EstateImport onImported={() => void estate.refetch()} />
    </Page>
  );
}
