import { isVmState, VM_STATES, type VmState } from '@betang/core';
import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../api/api-context';
import { vmSearchQuery } from '../../api/queries';
import { FilterBar, type FilterControl } from '../find/filter-bar';
import { useUrlFilters } from '../find/url-filters';
import type { MessageKey } from '../../i18n/i18n';
import { useI18n } from '../../i18n/use-i18n';
import { Link } from '../../ui/link';
import { ErrorAlert, Loading } from '../../ui/alert';
import { Page } from '../../ui/page';
import { StatusBadge, type StatusTone } from '../../ui/status-badge';
import { VmActions } from './vm-actions';
import { VmChange } from './vm-change';
import { picText } from '../pic/pic-labels';
import { useLiveVms } from './use-live-vms';
import { VmKeys } from './vm-keys';
import { VmSnapshots } from './vm-snapshots';
import { VmBackups } from '../backups/vm-backups';
import { VmLease } from '../leases/vm-lease';
import { PublicEndpointFacts } from '../internet/public-endpoint-facts';

// One entry per state core knows: a new VM state does not compile until it has its words here.
const STATE: Record<VmState, { key: MessageKey; tone: StatusTone }> = {
  running: { key: 'vms.state.running', tone: 'good' },
  stopped: { key: 'vms.state.stopped', tone: 'idle' },
  retained: { key: 'vms.state.retained', tone: 'bad' },
  provisioning: { key: 'vms.state.provisioning', tone: 'busy' },
  decommissioning: { key: 'vms.state.decommissioning', tone: 'busy' },
  missing: { key: 'vms.state.missing', tone: 'bad' },
  reserved: { key: 'vms.state.provisioning', tone: 'busy' },
  failed: { key: 'vms.state.failed', tone: 'bad' },
  decommissioned: { key: 'vms.state.decommissioned', tone: 'idle' },
};

// Node names are operators' detail: their table (/operator/vms) also filters by node and vmid.
const FILTER_KEYS = ['state', 'hostname', 'address', 'q'] as const;

/** The state of a VM in words (unknown states are shown as the API wrote them). */
export function useVmState(): (state: string) => { text: string; tone: StatusTone } {
  const { t } = useI18n();
  return (state) => {
    const known = isVmState(state) ? STATE[state] : undefined;
    return known ? { text: t(known.key), tone: known.tone } : { text: state, tone: 'idle' };
  };
}

/** The institution's VMs with state (a retained VM with the date it is destroyed), address, size, and power actions / decommission / restore. */
export function VmsPage() {
  const { t, number, dateTime } = useI18n();
  const api = useApi();
  const filters = useUrlFilters(FILTER_KEYS);
  const vms = useQuery(vmSearchQuery(api, filters.query));
  const stateOf = useVmState();
  const stream = useLiveVms();
  const controls: FilterControl<(typeof FILTER_KEYS)[number]>[] = [
    {
      key: 'state',
      label: t('find.state'),
      kind: 'choice',
      any: t('find.anyState'),
      options: VM_STATES.filter((s) => s !== 'decommissioned').map((s) => ({ value: s, label: stateOf(s).text })),
    },
    { key: 'hostname', label: t('find.hostname'), kind: 'text' },
    { key: 'address', label: t('find.address'), kind: 'text' },
    { key: 'q', label: t('find.text'), kind: 'text', hint: t('find.textHintVms') },
  ];
  const filtered = Object.keys(filters.query).length > 0;
  return (
    <Page title={t('vms.title')}>
      <p className="muted">{t('vms.intro')}</p>
      <FilterBar
        headingId="vms-filter-title"
        title={t('find.filterTitle')}
        controls={controls}
        values={filters.values}
        onApply={filters.apply}
        onClear={filters.clear}
      />
      <p className="muted small" role="status" data-testid="vms-stream">
        {stream === 'live' ? t('vmLive.streamLive') : t('vmLive.streamTrouble')}
      </p>
      {vms.isFetching && !vms.data ? <Loading /> : null}
      <ErrorAlert error={vms.error} />
      {vms.data && vms.data.items.length === 0 && filtered ? <p>{t('find.noMatch')}</p> : null}
      {vms.data && vms.data.items.length === 0 && !filtered ? (
        <section className="card">
          <p>{t('vms.empty')}</p>
          <Link to="/vps-requests/new">{t('vms.emptyLink')}</Link>
        </section>
      ) : null}
      {vms.data?.items.map((vm) => {
        const state = stateOf(vm.state);
        return (
          <section key={vm.id} className="card" aria-labelledby={`vm-${vm.id}`} data-testid="vm-card" data-state={vm.state}>
            <h2 id={`vm-${vm.id}`}>{vm.name}</h2>
            <dl className="facts">
              <dt>{t('vms.stateLabel')}</dt>
              <dd>
                <StatusBadge tone={state.tone}>{state.text}</StatusBadge>
              </dd>
              {vm.retainedUntil ? (
                <>
                  <dt>{t('vms.retainedUntil')}</dt>
                  <dd>
                    <time dateTime={vm.retainedUntil}>{dateTime(vm.retainedUntil)}</time>
                    <p className="muted">{t('vms.retainedNote', { date: dateTime(vm.retainedUntil) })}</p>
                  </dd>
                </>
              ) : null}
              <dt>{t('vms.address')}</dt>
              <dd>{vm.ipAddress ? <code>{vm.ipAddress}</code> : '—'}</dd>
              <PublicEndpointFacts endpoint={vm.publicEndpoint} requested={false} />
              <dt>{t('pic.vmLabel')}</dt>
              <dd>{picText(t, vm.pic)}</dd>
              <dt>{t('vms.size')}</dt>
              <dd>{t('requests.sizeValue', { cores: vm.cores, memory: number(vm.memoryMiB / 1024), disk: vm.diskGiB })}</dd>
              <dt>{t('vms.ports')}</dt>
              <dd>{t('vms.portsValue', { ports: ['22', ...vm.ports.map(String)].join(', ') })}</dd>
              <dt>{t('vms.request')}</dt>
              <dd>
                <Link to={`/vps-requests/${vm.requestId}`}>{t('vms.requestLink')}</Link>
              </dd>
              {vm.state === 'running' || vm.state === 'stopped' ? (
                <>
                  <dt>{t('console.label')}</dt>
                  <dd>
                    <Link to={`/vms/${vm.id}/console`}>{t('console.openLink')}</Link>
                  </dd>
                </>
              ) : null}
            </dl>
            <VmLease vm={vm} />
            <VmActions vm={vm} onQueued={() => void vms.refetch()} />
            <VmChange vm={vm} onAsked={() => void vms.refetch()} />
            <VmKeys vm={vm} onQueued={() => void vms.refetch()} />
            <VmSnapshots vm={vm} />
            <VmBackups vm={vm} />
          </section>
        );
      })}
    </Page>
  );
}
