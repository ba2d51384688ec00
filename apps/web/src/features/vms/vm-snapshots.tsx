import type { SnapshotStatus, VmDto, VmSnapshotDto } from '@betang/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useApi } from '../../api/api-context';
import { deleteSnapshot, listSnapshots, rollbackSnapshot, takeSnapshot } from '../../api/snapshots.api';
import type { MessageKey } from '../../i18n/i18n';
import { useI18n } from '../../i18n/use-i18n';
import { ErrorAlert, LiveRegion, Loading } from '../../ui/alert';
import { ConfirmPanel } from '../../ui/confirm-panel';
import { Field } from '../../ui/field';
import { Link } from '../../ui/link';
import { StatusBadge, type StatusTone } from '../../ui/status-badge';

const STATUS: Record<SnapshotStatus, { key: MessageKey; tone: StatusTone }> = {
  creating: { key: 'snapshots.status.creating', tone: 'busy' },
  present: { key: 'snapshots.status.present', tone: 'good' },
  deleting: { key: 'snapshots.status.deleting', tone: 'busy' },
  deleted: { key: 'snapshots.status.deleted', tone: 'idle' },
  failed: { key: 'snapshots.status.failed', tone: 'bad' },
};

type Pending = { kind: 'take' } | { kind: 'rollback' | 'delete'; snapshot: VmSnapshotDto } | null;
type Order = { kind: 'take'; label: string; withRam: boolean } | { kind: 'rollback' | 'delete'; snapshot: VmSnapshotDto };

/**
 * "Snapshot": a running or stopped VM's snapshots (label, when taken, with RAM or not, when the
 * age limit removes it), taking one with or without RAM, and a rollback or deletion — each
 * confirmed first; the work is a run followed on the request's timeline. The list loads when the
 * panel is opened.
 */
export function VmSnapshots({ vm }: { vm: VmDto }) {
  const { t, dateTime } = useI18n();
  const api = useApi();
  const [open, setOpen] = useState(false);
  const [pending, setPending] = useState<Pending>(null);
  const [label, setLabel] = useState('');
  const [withRam, setWithRam] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const list = useQuery({ queryKey: ['vms', vm.id, 'snapshots'], queryFn: () => listSnapshots(api, vm.id), enabled: open });
  const order = useMutation({
    mutationFn: async (o: Order): Promise<string> => {
      if (o.kind === 'take') {
        await takeSnapshot(api, vm.id, { ...(o.label.trim() ? { label: o.label.trim() } : {}), withRam: o.withRam });
        return t('snapshots.takeQueued', { name: vm.name });
      }
      const name = o.snapshot.label || o.snapshot.name;
      if (o.kind === 'rollback') {
        await rollbackSnapshot(api, vm.id, o.snapshot.id);
        return t('snapshots.rollbackQueued', { name: vm.name, snapshot: name });
      }
      await deleteSnapshot(api, vm.id, o.snapshot.id);
      return t('snapshots.deleteQueued', { snapshot: name });
    },
    onSuccess: (message) => {
      setDone(message);
      setPending(null);
      setLabel('');
      setWithRam(false);
      void list.refetch();
    },
  });
  if (vm.state !== 'running' && vm.state !== 'stopped') return null;
  const data = list.data;
  const live = data?.items.filter((s) => s.status !== 'failed') ?? [];
  const atLimit = data !== undefined && live.length >= data.policy.maxPerVm;
  const nameOf = (s: VmSnapshotDto) => s.label || s.name;

  return (
    <details className="vm-snapshots" open={open} onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary>{t('snapshots.title')}</summary>
      <section aria-label={t('snapshots.regionLabel', { name: vm.name })}>
        <p className="muted">{t('snapshots.intro')}</p>
        {list.isFetching && !data ? <Loading /> : null}
        <ErrorAlert error={list.error} />
        <LiveRegion kind="success">
          {done ? (
            <>
              {done} <Link to={`/vps-requests/${vm.requestId}`}>{t('vms.followProgress')}</Link>
            </>
          ) : null}
        </LiveRegion>
        <ErrorAlert error={order.error} />
        {data ? (
          <>
            <p className="muted">{t('snapshots.limits', { max: data.policy.maxPerVm, days: data.policy.maxAgeDays })}</p>
            {data.unsupported ? <p role="note">{t('snapshots.unsupported', { reason: data.unsupported })}</p> : null}
            {data.items.length === 0 ? <p>{t('snapshots.empty')}</p> : null}
            {data.items.length > 0 ? (
              <table className="data-table">
                <caption className="visually-hidden">{t('snapshots.tableCaption', { name: vm.name })}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('snapshots.col.label')}</th>
                    <th scope="col">{t('snapshots.col.status')}</th>
                    <th scope="col">{t('snapshots.col.taken')}</th>
                    <th scope="col">{t('snapshots.col.ram')}</th>
                    <th scope="col">{t('snapshots.col.expires')}</th>
                    <th scope="col">{t('snapshots.col.actions')}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.items.map((s) => (
                    <tr key={s.id}>
                      <td>
                        {s.label || <code>{s.name}</code>}
                        {s.failure ? <p className="muted">{s.failure}</p> : null}
                      </td>
                      <td>
                        <StatusBadge tone={STATUS[s.status].tone}>{t(STATUS[s.status].key)}</StatusBadge>
                      </td>
                      <td>{s.takenAt ? <time dateTime={s.takenAt}>{dateTime(s.takenAt)}</time> : '—'}</td>
                      <td>{s.withRam ? t('snapshots.withRam') : t('snapshots.diskOnly')}</td>
                      <td>{s.expiresAt ? <time dateTime={s.expiresAt}>{dateTime(s.expiresAt)}</time> : '—'}</td>
                      <td>
                        <div className="form-actions">
                          {s.status === 'present' ? (
                            <button
                              type="button"
                              className="button small"
                              onClick={() => setPending({ kind: 'rollback', snapshot: s })}
                              aria-label={t('snapshots.rollbackLabel', { snapshot: nameOf(s) })}
                            >
                              {t('snapshots.rollback')}
                            </button>
                          ) : null}
                          {s.status === 'present' || s.status === 'failed' ? (
                            <button
                              type="button"
                              className="button small"
                              onClick={() => setPending({ kind: 'delete', snapshot: s })}
                              aria-label={t('snapshots.deleteLabel', { snapshot: nameOf(s) })}
                            >
                              {t('snapshots.delete')}
                            </button>
                          ) : null}
                        </div>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : null}
            <div className="form-actions">
              <button
                type="button"
                className="button small primary"
                disabled={data.unsupported !== null}
                onClick={() => setPending({ kind: 'take' })}
              >
                {t('snapshots.take')}
              </button>
            </div>
            {atLimit && !data.unsupported ? <p className="muted">{t('snapshots.atLimit', { max: data.policy.maxPerVm })}</p> : null}
          </>
        ) : null}
        {pending?.kind === 'take' ? (
          <ConfirmPanel
            title={t('snapshots.takeTitle', { name: vm.name })}
            confirmLabel={t('snapshots.take')}
            cancelLabel={t('common.cancel')}
            busy={order.isPending}
            onConfirm={() => order.mutate({ kind: 'take', label, withRam })}
            onCancel={() => setPending(null)}
          >
            <Field label={t('snapshots.label')} value={label} onValue={setLabel} maxLength={200} hint={t('snapshots.labelHint')} />
            <label className="choice">
              <input type="checkbox" checked={withRam} onChange={(event) => setWithRam(event.target.checked)} />{' '}
              {t('snapshots.withRamChoice')}
            </label>
            <p className="muted">{vm.state === 'running' ? t('snapshots.withRamHint') : t('snapshots.withRamStopped')}</p>
          </ConfirmPanel>
        ) : null}
        {pending?.kind === 'rollback' ? (
          <ConfirmPanel
            title={t('snapshots.rollbackTitle', { name: vm.name, snapshot: nameOf(pending.snapshot) })}
            confirmLabel={t('snapshots.rollback')}
            cancelLabel={t('common.cancel')}
            danger
            busy={order.isPending}
            onConfirm={() => order.mutate(pending)}
            onCancel={() => setPending(null)}
          >
            <p>{t('snapshots.rollbackBody', { date: dateTime(pending.snapshot.takenAt) })}</p>
          </ConfirmPanel>
        ) : null}
        {pending?.kind === 'delete' ? (
          <ConfirmPanel
            title={t('snapshots.deleteTitle', { snapshot: nameOf(pending.snapshot) })}
            confirmLabel={t('snapshots.delete')}
            cancelLabel={t('common.cancel')}
            danger
            busy={order.isPending}
            onConfirm={() => order.mutate(pending)}
            onCancel={() => setPending(null)}
          >
            <p>{t('snapshots.deleteBody')}</p>
          </ConfirmPanel>
        ) : null}
      </section>
    </details>
  );
}
