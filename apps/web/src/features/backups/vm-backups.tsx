import type { RestoreMode, VmBackup } from '@betang/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useApi } from '../../api/api-context';
import { listVmBackups, restoreVmBackup } from '../../api/vms.api';
import { useI18n } from '../../i18n/use-i18n';
import { ErrorAlert, LiveRegion, Loading } from '../../ui/alert';
import { ConfirmPanel } from '../../ui/confirm-panel';
import { DataTable } from '../../ui/data-table';
import { Link } from '../../ui/link';
import { StatusBadge, type StatusTone } from '../../ui/status-badge';
import { LastRestoreTest } from '../restore-tests/last-restore-test';

const TONE: Record<VmBackup['outcome'], StatusTone> = { ok: 'good', failed: 'bad', running: 'busy' };

/**
 * The VM's backups, loaded when opened: the policy of its class and each night's outcome; a
 * finished backup can be restored ("Pulihkan") over the VM, after a confirmation that what was
 * written since is lost, or into a new VM (a new VPS request with its own address, optionally
 * named). Either is followed on a request's timeline: the VM's own, or the new request's. The
 * final backup of an ended agreement is marked kept (never pruned, kept after the VPS is gone).
 */
export function VmBackups({ vm }: { vm: { id: string; name: string; requestId: string; state: string } }) {
  const { t, dateTime, number, locale } = useI18n();
  const api = useApi();
  const [open, setOpen] = useState(false);
  const [pending, setPending] = useState<VmBackup | null>(null);
  const [understood, setUnderstood] = useState(false);
  const [mode, setMode] = useState<RestoreMode>('in_place');
  const [hostname, setHostname] = useState('');
  const [done, setDone] = useState<{ message: string; requestId: string } | null>(null);
  const backups = useQuery({ queryKey: ['vms', vm.id, 'backups'], queryFn: () => listVmBackups(api, vm.id), enabled: open });
  const restore = useMutation({
    mutationFn: async (b: VmBackup) => {
      const date = dateTime(b.startedAt);
      if (mode === 'new_vm') {
        const named = hostname.trim();
        const answer = await restoreVmBackup(api, vm.id, b.id, { mode, confirm: true, ...(named ? { hostname: named } : {}) });
        const key = answer.status === 'awaiting_approval' ? 'backups.restoreNewAwaiting' : 'backups.restoreNewQueued';
        return { message: t(key, { name: vm.name, date }), requestId: answer.requestId ?? vm.requestId };
      }
      const answer = await restoreVmBackup(api, vm.id, b.id, { mode: 'in_place', confirm: true });
      const message =
        answer.status === 'awaiting_approval'
          ? t('restores.awaitingApproval', { name: vm.name, date })
          : t('restores.queued', { name: vm.name, date });
      return { message, requestId: vm.requestId };
    },
    onSuccess: (message) => {
      setDone(message);
      setPending(null);
      setUnderstood(false);
    },
  });
  const restorable = vm.state === 'running' || vm.state === 'stopped';
  const headingId = `vm-backups-${vm.id}`;
  const policy = backups.data?.policy;
  return (
    <details className="vm-backups" onToggle={(event) => setOpen((event.target as HTMLDetailsElement).open)}>
      <summary id={headingId}>{t('backups.panelTitle')}</summary>
      {backups.isFetching && !backups.data ? <Loading /> : null}
      <ErrorAlert error={backups.error} />
      <LiveRegion kind="success">
        {done ? (
          <>
            {done.message} <Link to={`/vps-requests/${done.requestId}`}>{t('vms.followProgress')}</Link>
          </>
        ) : null}
      </LiveRegion>
      <ErrorAlert error={restore.error} />
      {policy ? (
        <p className="muted">
          {t('backups.policyLine', {
            start: policy.windowStart,
            end: policy.windowEnd,
            daily: policy.keepDaily,
            weekly: policy.keepWeekly,
            monthly: policy.keepMonthly,
          })}
        </p>
      ) : null}
      {open ? <LastRestoreTest vmId={vm.id} /> : null}
      <DataTable
        labelledBy={headingId}
        rows={backups.data?.items}
        empty={t('backups.empty')}
        columns={[
          { label: t('backups.startedAt'), cell: (b) => <time dateTime={b.startedAt}>{dateTime(b.startedAt)}</time> },
          {
            label: t('backups.outcome'),
            cell: (b) => (
              <>
                <StatusBadge tone={TONE[b.outcome]}>{t(`backups.outcome.${b.outcome}`)}</StatusBadge>
                {b.kept ? (
                  <>
                    {' '}
                    <StatusBadge tone="idle">{t('backupList.kept')}</StatusBadge>
                    <span className="muted"> {t('backupList.keptHint')}</span>
                  </>
                ) : null}
              </>
            ),
          },
          { label: t('backups.size'), cell: (b) => (b.sizeBytes === null ? '—' : `${number(b.sizeBytes / 1024 ** 3, 1)} GiB`) },
          {
            label: t('backups.duration'),
            cell: (b) => (b.durationSeconds === null ? '—' : t('backups.seconds', { n: b.durationSeconds })),
          },
          { label: t('backups.storage'), cell: (b) => b.storage },
          {
            label: t('backups.note'),
            cell: (b) =>
              [
                b.downtimeSeconds === null ? '' : t('backupList.downtime', { n: b.downtimeSeconds }),
                b.error ? (locale === 'en' ? b.error.en : b.error.id) : '',
              ]
                .filter(Boolean)
                .join(' '),
          },
        ]}
        actions={(b) =>
          b.outcome === 'ok' ? (
            <button
              type="button"
              className="button"
              onClick={() => {
                setDone(null);
                setUnderstood(false);
                setMode(restorable ? 'in_place' : 'new_vm');
                setHostname('');
                setPending(b);
              }}
              aria-label={t('restores.actionLabel', { date: dateTime(b.startedAt) })}
            >
              {t('restores.action')}
            </button>
          ) : null
        }
      />
      {pending ? (
        <ConfirmPanel
          title={t('restores.confirmTitle', { name: vm.name, date: dateTime(pending.startedAt) })}
          confirmLabel={mode === 'new_vm' ? t('backups.restoreNewConfirm') : t('restores.confirm')}
          cancelLabel={t('common.cancel')}
          danger={mode === 'in_place'}
          busy={restore.isPending || !understood}
          onConfirm={() => restore.mutate(pending)}
          onCancel={() => setPending(null)}
        >
          <fieldset className="choice-group">
            <legend>{t('backups.restoreTarget')}</legend>
            <label className="choice">
              <input
                type="radio"
                name={`restore-mode-${vm.id}`}
                value="in_place"
                checked={mode === 'in_place'}
                disabled={!restorable}
                onChange={() => (setMode('in_place'), setUnderstood(false))}
              />{' '}
              {t('backups.restoreTargetInPlace')}
            </label>
            <label className="choice">
              <input
                type="radio"
                name={`restore-mode-${vm.id}`}
                value="new_vm"
                checked={mode === 'new_vm'}
                onChange={() => (setMode('new_vm'), setUnderstood(false))}
              />{' '}
              {t('backups.restoreTargetNew')}
            </label>
          </fieldset>
          {mode === 'new_vm' ? (
            <>
              <p>{t('backups.restoreNewBody')}</p>
              <label className="field">
                {t('backups.restoreNewHostname')}
                <input
                  type="text"
                  value={hostname}
                  autoComplete="off"
                  spellCheck={false}
                  maxLength={63}
                  placeholder={`${vm.name}-pulih`}
                  onChange={(event) => setHostname(event.target.value)}
                />
              </label>
              <label className="choice">
                <input type="checkbox" checked={understood} onChange={(event) => setUnderstood(event.target.checked)} />{' '}
                {t('backups.restoreNewUnderstood')}
              </label>
              <p className="muted">{t('backups.restoreNewApprovalHint')}</p>
            </>
          ) : (
            <>
              <p>{t('restores.inPlaceBody')}</p>
              <label className="choice">
                <input type="checkbox" checked={understood} onChange={(event) => setUnderstood(event.target.checked)} />{' '}
                {t('restores.understood')}
              </label>
              <p className="muted">{t('restores.approvalHint')}</p>
            </>
          )}
        </ConfirmPanel>
      ) : null}
    </details>
  );
}
