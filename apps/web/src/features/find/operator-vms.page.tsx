import { VM_STATES } from '@betang/core';
import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../api/api-context';
import { institutionListQuery } from '../../api/queries';
import { queryKeys } from '../../api/query-keys';
import { findVmPage } from '../../api/vms.api';
import { useI18n } from '../../i18n/use-i18n';
import { DataTable } from '../../ui/data-table';
import { Link } from '../../ui/link';
import { ListSection } from '../../ui/list-section';
import { Page } from '../../ui/page';
import { StatusBadge } from '../../ui/status-badge';
import { picText } from '../pic/pic-labels';
import { useLiveVms } from '../vms/use-live-vms';
import { useVmState } from '../vms/vms.page';
import { FilterBar, type FilterControl } from './filter-bar';
import { useUrlFilters } from './url-filters';
import { usePagedList } from './use-paged-list';

const KEYS = ['state', 'node', 'vmid', 'hostname', 'address', 'q', 'institutionId', 'pic', 'from', 'to'] as const;
type Key = (typeof KEYS)[number];

/**
 * Every VM of the data center in one table for data-center staff: filtered by state, node, vmid,
 * host name, address, free text, institution, PIC needed and creation days (kept in the URL), 50
 * per page (keyset), kept current by the VM event stream; each row links to its request and names
 * the VM's PIC.
 */
export function OperatorVmsPage() {
  const { t, number } = useI18n();
  const api = useApi();
  const stateOf = useVmState();
  const filters = useUrlFilters(KEYS);
  const stream = useLiveVms();
  const institutions = useQuery(institutionListQuery(api));
  const names = new Map((institutions.data?.items ?? []).map((i) => [i.id, i.name]));
  const list = usePagedList([...queryKeys.vmSearch(filters.query), 'paged'], (cursor) => findVmPage(api, filters.query, cursor));
  const controls: FilterControl<Key>[] = [
    {
      key: 'state',
      label: t('find.state'),
      kind: 'choice',
      any: t('find.anyState'),
      options: VM_STATES.filter((s) => s !== 'decommissioned').map((s) => ({ value: s, label: stateOf(s).text })),
    },
    { key: 'node', label: t('find.node'), kind: 'text' },
    { key: 'vmid', label: t('find.vmid'), kind: 'text' },
    { key: 'hostname', label: t('find.hostname'), kind: 'text' },
    { key: 'address', label: t('find.address'), kind: 'text' },
    { key: 'q', label: t('find.text'), kind: 'text', hint: t('find.textHintVms') },
    {
      key: 'institutionId',
      label: t('find.institution'),
      kind: 'choice',
      any: t('find.anyInstitution'),
      options: (institutions.data?.items ?? []).map((i) => ({ value: i.id, label: i.name })),
    },
    {
      key: 'pic',
      label: t('pic.vmLabel'),
      kind: 'choice',
      any: t('pic.filterAny'),
      options: [{ value: 'needed', label: t('pic.filterNeeded') }],
    },
    { key: 'from', label: t('find.from'), kind: 'date' },
    { key: 'to', label: t('find.to'), kind: 'date' },
  ];
  return (
    <Page title={t('find.vmsTitle')}>
      <p className="muted">{t('find.vmsIntro')}</p>
      <FilterBar
        headingId="op-vms-filter-title"
        title={t('find.filterTitle')}
        controls={controls}
        values={filters.values}
        onApply={filters.apply}
        onClear={filters.clear}
      />
      <p className="muted small" role="status" data-testid="vms-stream">
        {stream === 'live' ? t('vmLive.streamLive') : t('vmLive.streamTrouble')}
      </p>
      <ListSection
        headingId="op-vms-list-title"
        title={t('find.vmsListTitle')}
        loading={list.loading}
        busy={list.busy}
        error={list.error}
        onMore={list.onMore}
      >
        <DataTable
          rows={list.items}
          empty={t('find.noMatch')}
          columns={[
            { label: t('find.hostname'), cell: (vm) => <Link to={`/vps-requests/${vm.requestId}`}>{vm.name}</Link> },
            { label: t('find.institution'), cell: (vm) => names.get(vm.institutionId) ?? '—' },
            {
              label: t('find.state'),
              cell: (vm) => {
                const state = stateOf(vm.state);
                return <StatusBadge tone={state.tone}>{state.text}</StatusBadge>;
              },
            },
            { label: t('find.node'), cell: (vm) => vm.node ?? '—' },
            { label: t('find.vmid'), cell: (vm) => vm.vmid ?? '—' },
            { label: t('find.address'), cell: (vm) => (vm.ipAddress ? <code>{vm.ipAddress}</code> : '—') },
            { label: t('pic.vmLabel'), cell: (vm) => picText(t, vm.pic) },
            {
              label: t('requests.size'),
              cell: (vm) => t('requests.sizeValue', { cores: vm.cores, memory: number(vm.memoryMiB / 1024), disk: vm.diskGiB }),
            },
          ]}
        />
      </ListSection>
    </Page>
  );
}
