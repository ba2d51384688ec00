import type { OperatorDashboardDto } from '@betang/core';
import { useI18n } from '../../i18n/use-i18n';
import type { MessageKey } from '../../i18n/i18n';
import { ErrorAlert, Loading } from '../../ui/alert';
import { DataTable } from '../../ui/data-table';
import { Link } from '../../ui/link';
import { ListSection } from '../../ui/list-section';
import { useOperatorDashboard } from './use-operator-dashboard';
import './cockpit.css';

type Tile = { key: string; count: number; labelKey: MessageKey; to: string; alarm: boolean; values?: Record<string, number> };

/** The count tiles, each a link to the list it counts (filtered the same way). Pure. */
export function cockpitTiles(d: OperatorDashboardDto): Tile[] {
  return [
    { key: 'approvals', count: d.approvals.waiting, labelKey: 'cockpit.tile.approvals', to: '/operator/queue', alarm: false },
    {
      key: 'overdue',
      count: d.approvals.overdue,
      labelKey: 'cockpit.tile.overdue',
      to: '/operator/queue?overdue=1',
      alarm: d.approvals.overdue > 0,
    },
    {
      key: 'provisioning',
      count: d.provisioning.running,
      labelKey: 'cockpit.tile.provisioning',
      to: '/operator/provisioning?lane=running',
      alarm: false,
    },
    {
      key: 'failed',
      count: d.failed.needingAction,
      labelKey: 'cockpit.tile.failed',
      to: '/operator/provisioning?lane=failed',
      alarm: d.failed.needingAction > 0,
    },
    {
      key: 'agreementsAwaiting',
      count: d.agreements.awaitingDcHead,
      labelKey: 'cockpit.tile.agreementsAwaiting',
      to: '/operator/agreements?status=awaiting_dc_head',
      alarm: false,
    },
    {
      key: 'agreementsExpiring',
      count: d.agreements.expiringSoon,
      labelKey: 'cockpit.tile.agreementsExpiring',
      to: `/operator/agreements?expiring=${d.agreements.expiringWithinDays}`,
      alarm: d.agreements.expiringSoon > 0,
      values: { days: d.agreements.expiringWithinDays },
    },
    {
      key: 'findings',
      count: d.findings.open,
      labelKey: 'cockpit.tile.findings',
      to: '/operator/reconciliation',
      alarm: d.findings.open > 0,
    },
  ];
}

type Figure = OperatorDashboardDto['capacity']['total']['cores'];

/** "6 / 4 (150%)" with a bar; the percentage and, when over 100%, the word say it, the colour repeats it. */
function CapacityCell({ figure, unit }: { figure: Figure; unit: string }) {
  const { t, number } = useI18n();
  const percent = figure.ratio === null ? null : Math.round(figure.ratio * 100);
  const over = percent !== null && percent > 100;
  return (
    <>
      <span>
        {t('cockpit.allocatedOf', {
          allocated: number(figure.allocated),
          physical: figure.physical === null ? '?' : number(figure.physical),
          unit,
        })}
        {percent !== null ? ` (${percent}%)` : ''}
        {over ? <span className="capacity-over-text"> {t('cockpit.overcommitted')}</span> : null}
      </span>
      {percent !== null ? (
        <span className={over ? 'capacity-bar capacity-over' : 'capacity-bar'} aria-hidden="true">
          <span style={{ width: `${Math.min(percent, 100)}%` }} />
        </span>
      ) : null}
    </>
  );
}

/**
 * The operators' home: what needs acting on, as counts that link to their filtered lists (kept
 * live by the shell's dashboard stream), and the capacity per node and in total against the last
 * cluster snapshot, overcommit named.
 */
export function OperatorCockpit() {
  const { t, dateTime, number } = useI18n();
  const dashboard = useOperatorDashboard();
  const d = dashboard.data;
  const mib = (n: number) => Math.round((n / 1024) * 10) / 10;
  const inGiB = (f: Figure): Figure => ({ ...f, allocated: mib(f.allocated), physical: f.physical === null ? null : mib(f.physical) });
  return (
    <>
      <section className="card" aria-labelledby="cockpit-title">
        <h2 id="cockpit-title">{t('cockpit.title')}</h2>
        {dashboard.isPending ? <Loading /> : null}
        <ErrorAlert error={dashboard.error} />
        {d ? (
          <ul className="cockpit-tiles">
            {cockpitTiles(d).map((tile) => (
              <li key={tile.key} className={tile.alarm ? 'cockpit-tile cockpit-tile-alarm' : 'cockpit-tile'} data-tile={tile.key}>
                <span className="cockpit-count" aria-hidden="true">
                  {number(tile.count)}
                </span>
                <Link to={tile.to}>{t(tile.labelKey, { count: tile.count, ...tile.values })}</Link>
              </li>
            ))}
          </ul>
        ) : null}
      </section>
      {d ? (
        <ListSection headingId="capacity-title" title={t('cockpit.capacityTitle')} loading={false} error={null}>
          <p className="muted small">
            {d.capacity.observedAt ? t('cockpit.capacityObserved', { at: dateTime(d.capacity.observedAt) }) : t('cockpit.capacityNone')}{' '}
            <Link to="/operator/cluster">{t('cockpit.capacityCluster')}</Link>
          </p>
          <DataTable
            rows={[
              ...d.capacity.nodes.map((n) => ({ ...n, id: n.node, label: n.node })),
              { ...d.capacity.total, id: '__total', label: t('cockpit.capacityTotal'), node: '', online: true },
            ]}
            empty={t('cockpit.capacityNone')}
            columns={[
              { label: t('cockpit.capacityNode'), cell: (n) => (n.id === '__total' ? <strong>{n.label}</strong> : n.label) },
              { label: t('cockpit.capacityVms'), cell: (n) => number(n.vms) },
              { label: t('cockpit.capacityCores'), cell: (n) => <CapacityCell figure={n.cores} unit={t('unit.vcpu')} /> },
              { label: t('cockpit.capacityMemory'), cell: (n) => <CapacityCell figure={inGiB(n.memoryMiB)} unit={t('unit.gib')} /> },
              { label: t('internet.capacityDisk'), cell: (n) => <CapacityCell figure={n.diskGiB} unit={t('unit.gib')} /> },
            ]}
          />
        </ListSection>
      ) : null}
    </>
  );
}
