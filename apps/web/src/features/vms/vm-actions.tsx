import { VM_POWER_ACTIONS, ZDecommissionBody, vmActionAllowed, type VmDto, type VmPowerAction } from '@betang/core';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useApi } from '../../api/api-context';
import { decommissionVm, powerVm } from '../../api/vms.api';
import type { MessageKey } from '../../i18n/i18n';
import { useI18n } from '../../i18n/use-i18n';
import { Link } from '../../ui/link';
import { ErrorAlert, LiveRegion } from '../../ui/alert';
import { ConfirmPanel } from '../../ui/confirm-panel';
import { useContractForm } from '../../ui/use-contract-form';
import { TextAreaField } from '../../ui/textarea-field';

const ACTION: Record<VmPowerAction, { label: MessageKey; confirm: MessageKey }> = {
  start: { label: 'vms.action.start', confirm: 'vms.confirm.start' },
  shutdown: { label: 'vms.action.shutdown', confirm: 'vms.confirm.shutdown' },
  stop: { label: 'vms.action.stop', confirm: 'vms.confirm.stop' },
  reboot: { label: 'vms.action.reboot', confirm: 'vms.confirm.reboot' },
};


type Pending = { kind: 'power'; action: VmPowerAction } | { kind: 'decommission' } | null;
type Order = { kind: 'power'; action: VmPowerAction } | { kind: 'decommission'; reason: string };

/** Power actions and decommission of one VM, each confirmed first; the progress is followed on the request's timeline. */
export function VmActions({ vm, onQueued }: { vm: VmDto; onQueued(): void }) {
  const { t } = useI18n();
  const api = useApi();
  const [pending, setPending] = useState<Pending>(null);
  const [queued, setQueued] = useState<string | null>(null);
  const reasonForm = useContractForm({ schema: ZDecommissionBody, defaultValues: { reason: '' } });
  const order = useMutation({
    mutationFn: (o: Order) => (o.kind === 'power' ? powerVm(api, vm.id, o.action) : decommissionVm(api, vm.id, o.reason.trim())),
    onSuccess: (_run, o) => {
      setQueued(o.kind === 'power' ? t('vms.queued', { action: t(ACTION[o.action].label), name: vm.name }) : t('vms.decommissionQueued', { name: vm.name }));
      setPending(null);
      reasonForm.reset({ reason: '' });
      onQueued();
    },
  });
  // Core's lifecycle says which actions the VM's state allows; the API refuses the others.
  const available = VM_POWER_ACTIONS.filter((action) => vmActionAllowed(vm.state, action));

  function confirm() {
    if (pending?.kind === 'power') order.mutate(pending);
    if (pending?.kind === 'decommission') void reasonForm.onSubmit(({ reason }) => order.mutateAsync({ kind: 'decommission', reason }).catch(() => undefined))();
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
      <div className="form-actions">
        {available.map((action) => (
          <button key={action} type="button" className="button small" onClick={() => setPending({ kind: 'power', action })} aria-label={t('vms.actionLabel', { action: t(ACTION[action].label), name: vm.name })}>
            {t(ACTION[action].label)}
          </button>
        ))}
        {vmActionAllowed(vm.state, 'decommission') ? (
          <button type="button" className="button small" onClick={() => setPending({ kind: 'decommission' })} aria-label={t('vms.actionLabel', { action: t('vms.decommission'), name: vm.name })}>
            {t('vms.decommission')}
          </button>
        ) : null}
      </div>
      {pending?.kind === 'power' ? (
        <ConfirmPanel title={t(ACTION[pending.action].confirm, { name: vm.name })} confirmLabel={t(ACTION[pending.action].label)} cancelLabel={t('common.cancel')} danger={pending.action === 'stop'} busy={order.isPending} onConfirm={confirm} onCancel={() => setPending(null)}>
          {pending.action === 'stop' ? <p>{t('vms.stopWarning')}</p> : null}
        </ConfirmPanel>
      ) : null}
      {pending?.kind === 'decommission' ? (
        <ConfirmPanel title={t('vms.decommissionTitle', { name: vm.name })} confirmLabel={t('vms.decommissionConfirm')} cancelLabel={t('common.cancel')} danger busy={order.isPending} onConfirm={confirm} onCancel={() => setPending(null)}>
          <p>{t('vms.decommissionBody')}</p>
          <TextAreaField label={t('vms.reason')} required rows={2} {...reasonForm.bind('reason')} hint={t('vms.reasonHint')} />
        </ConfirmPanel>
      ) : null}
    </div>
  );
}
