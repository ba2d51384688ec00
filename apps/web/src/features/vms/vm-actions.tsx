import { Role, VM_POWER_ACTIONS, ZDecommissionBody, vmActionAllowed, type VmDto, type VmPowerAction } from '@betang/core';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useApi } from '../../api/api-context';
import { decideDecommission, decommissionVm, powerVm, restoreVm } from '../../api/vms.api';
import type { MessageKey } from '../../i18n/i18n';
import { useI18n } from '../../i18n/use-i18n';
import { holdsAny, useMe } from '../../session/session-context';
import { Link } from '../../ui/link';
import { ErrorAlert, LiveRegion } from '../../ui/alert';
import { ConfirmPanel } from '../../ui/confirm-panel';
import { Field } from '../../ui/field';
import { useContractForm } from '../../ui/use-contract-form';
import { TextAreaField } from '../../ui/textarea-field';

const ACTION: Record<VmPowerAction, { label: MessageKey; confirm: MessageKey }> = {
  start: { label: 'vms.action.start', confirm: 'vms.confirm.start' },
  shutdown: { label: 'vms.action.shutdown', confirm: 'vms.confirm.shutdown' },
  stop: { label: 'vms.action.stop', confirm: 'vms.confirm.stop' },
  reboot: { label: 'vms.action.reboot', confirm: 'vms.confirm.reboot' },
};

type Pending = { kind: 'power'; action: VmPowerAction } | { kind: 'decommission' } | { kind: 'restore' } | null;
type Order =
  | { kind: 'power'; action: VmPowerAction }
  | { kind: 'decommission'; reason: string; confirmHostname: string }
  | { kind: 'restore' }
  | { kind: 'approve' | 'reject' };

/**
 * Power actions, decommission (the host name typed again; a grace period follows), restore of a
 * retained VM and the head's decision on a pending decommission — each confirmed first; the
 * progress is followed on the request's timeline.
 */
export function VmActions({ vm, onQueued }: { vm: VmDto; onQueued(): void }) {
  const { t, dateTime } = useI18n();
  const api = useApi();
  const me = useMe();
  const [pending, setPending] = useState<Pending>(null);
  const [queued, setQueued] = useState<string | null>(null);
  const decommissionForm = useContractForm({
    schema: ZDecommissionBody,
    defaultValues: { reason: '', confirmHostname: '' },
    // The API compares exactly too; saying so here spares a round trip.
    extraErrors: (values): Record<string, string> =>
      values.confirmHostname.trim() !== vm.name ? { confirmHostname: t('vms.confirmHostnameMismatch', { name: vm.name }) } : {},
  });
  const order = useMutation({
    mutationFn: async (o: Order): Promise<string> => {
      if (o.kind === 'power') {
        await powerVm(api, vm.id, o.action);
        return t('vms.queued', { action: t(ACTION[o.action].label), name: vm.name });
      }
      if (o.kind === 'restore') {
        await restoreVm(api, vm.id);
        return t('vms.restoreQueued', { name: vm.name });
      }
      const answer =
        o.kind === 'decommission'
          ? await decommissionVm(api, vm.id, { reason: o.reason.trim(), confirmHostname: o.confirmHostname.trim() })
          : await decideDecommission(api, vm.id, o.kind);
      if (o.kind === 'reject') return t('vms.decommissionRejected', { name: vm.name });
      return answer.status === 'awaiting_approval'
        ? t('vms.decommissionAwaiting', { name: vm.name })
        : t('vms.decommissionRetained', { name: vm.name, date: dateTime(answer.retainedUntil ?? '') });
    },
    onSuccess: (message) => {
      setQueued(message);
      setPending(null);
      decommissionForm.reset({ reason: '', confirmHostname: '' });
      onQueued();
    },
  });
  // Core's lifecycle says which actions the VM's state allows; the API refuses the others.
  const available = VM_POWER_ACTIONS.filter((action) => vmActionAllowed(vm.state, action));
  const awaiting = vm.pendingDecommission;
  const isHead = holdsAny(me.roles, [Role.InstitutionHead]) && me.institution?.id === vm.institutionId;
  const mayWithdraw = awaiting !== null && (isHead || awaiting.requestedBy === me.user.id);

  function confirm() {
    if (pending?.kind === 'power') order.mutate(pending);
    if (pending?.kind === 'restore') order.mutate(pending);
    if (pending?.kind === 'decommission') {
      void decommissionForm.onSubmit(({ reason, confirmHostname }) =>
        order.mutateAsync({ kind: 'decommission', reason, confirmHostname }).catch(() => undefined),
      )();
    }
  }

  return (
    <div>
      <LiveRegion kind="success">
        {queued ? (
          <>
            {queued} <Link to={`/vps-requests/${vm.requestId}`}>{t('vms.followProgress')}</Link>
          </>
        ) : null}
      </LiveRegion>
      <ErrorAlert error={order.error} />
      {awaiting ? (
        <div className="confirm-panel" role="group" aria-label={t('vms.awaitingHeadTitle', { name: vm.name })}>
          <p className="confirm-title">{t('vms.awaitingHeadTitle', { name: vm.name })}</p>
          <p>{t('vms.awaitingHeadBody', { who: awaiting.requestedByName, date: dateTime(awaiting.createdAt), reason: awaiting.reason })}</p>
          <div className="form-actions">
            {isHead ? (
              <button type="button" className="button danger" disabled={order.isPending} onClick={() => order.mutate({ kind: 'approve' })}>
                {t('vms.approveDecommission')}
              </button>
            ) : null}
            {mayWithdraw ? (
              <button type="button" className="button" disabled={order.isPending} onClick={() => order.mutate({ kind: 'reject' })}>
                {isHead ? t('vms.rejectDecommission') : t('vms.withdrawDecommission')}
              </button>
            ) : null}
          </div>
        </div>
      ) : null}
      <div className="form-actions">
        {available.map((action) => (
          <button
            key={action}
            type="button"
            className="button small"
            onClick={() => setPending({ kind: 'power', action })}
            aria-label={t('vms.actionLabel', { action: t(ACTION[action].label), name: vm.name })}
          >
            {t(ACTION[action].label)}
          </button>
        ))}
        {vmActionAllowed(vm.state, 'restore') ? (
          <button
            type="button"
            className="button small primary"
            onClick={() => setPending({ kind: 'restore' })}
            aria-label={t('vms.actionLabel', { action: t('vms.restore'), name: vm.name })}
          >
            {t('vms.restore')}
          </button>
        ) : null}
        {vmActionAllowed(vm.state, 'decommission') && !awaiting ? (
          <button
            type="button"
            className="button small"
            onClick={() => setPending({ kind: 'decommission' })}
            aria-label={t('vms.actionLabel', { action: t('vms.decommission'), name: vm.name })}
          >
            {t('vms.decommission')}
          </button>
        ) : null}
      </div>
      {pending?.kind === 'power' ? (
        <ConfirmPanel
          title={t(ACTION[pending.action].confirm, { name: vm.name })}
          confirmLabel={t(ACTION[pending.action].label)}
          cancelLabel={t('common.cancel')}
          danger={pending.action === 'stop'}
          busy={order.isPending}
          onConfirm={confirm}
          onCancel={() => setPending(null)}
        >
          {pending.action === 'stop' ? <p>{t('vms.stopWarning')}</p> : null}
        </ConfirmPanel>
      ) : null}
      {pending?.kind === 'restore' ? (
        <ConfirmPanel
          title={t('vms.restoreTitle', { name: vm.name })}
          confirmLabel={t('vms.restore')}
          cancelLabel={t('common.cancel')}
          busy={order.isPending}
          onConfirm={confirm}
          onCancel={() => setPending(null)}
        >
          <p>{t('vms.restoreBody')}</p>
        </ConfirmPanel>
      ) : null}
      {pending?.kind === 'decommission' ? (
        <ConfirmPanel
          title={t('vms.decommissionTitle', { name: vm.name })}
          confirmLabel={t('vms.decommissionConfirm')}
          cancelLabel={t('common.cancel')}
          danger
          busy={order.isPending}
          onConfirm={confirm}
          onCancel={() => setPending(null)}
        >
          <p>{t('vms.decommissionBody')}</p>
          <TextAreaField label={t('vms.reason')} required rows={2} {...decommissionForm.bind('reason')} hint={t('vms.reasonHint')} />
          <Field
            label={t('vms.confirmHostname', { name: vm.name })}
            required
            autoComplete="off"
            spellCheck={false}
            {...decommissionForm.bind('confirmHostname')}
            hint={t('vms.confirmHostnameHint')}
          />
        </ConfirmPanel>
      ) : null}
    </div>
  );
}
