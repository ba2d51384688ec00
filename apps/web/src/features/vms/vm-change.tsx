import { ZResizeBody, vmActionAllowed, type ResizeAnswer, type VmDto } from '@betang/core';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useApi } from '../../api/api-context';
import { changeVm } from '../../api/vms.api';
import { useI18n } from '../../i18n/use-i18n';
import { ErrorAlert, LiveRegion } from '../../ui/alert';
import { Field } from '../../ui/field';
import { FormActions } from '../../ui/form-actions';
import { Link } from '../../ui/link';
import { useContractForm } from '../../ui/use-contract-form';
import { changeValuesOf, toChangeBody, type VmChangeValues } from './vm-change-body';

/**
 * "Ubah ukuran / port": the owning institution asks to grow the VM or change its open ports,
 * now (once approved) or from a maintenance window. The contract checks the body before it is
 * sent; the API's checks (shrink, quota, agreement, deny-listed ports) land on the same fields.
 */
export function VmChange({ vm, onAsked }: { vm: VmDto; onAsked(): void }) {
  const { t } = useI18n();
  const api = useApi();
  const [open, setOpen] = useState(false);
  const [asked, setAsked] = useState<ResizeAnswer | null>(null);
  const form = useContractForm<VmChangeValues, typeof ZResizeBody>({
    schema: ZResizeBody,
    defaultValues: changeValuesOf(vm),
    toBody: (values) => toChangeBody(values, vm),
  });
  const ask = useMutation({
    mutationFn: (body: Parameters<typeof changeVm>[2]) => changeVm(api, vm.id, body),
    onSuccess: (answer) => {
      setAsked(answer);
      setOpen(false);
      onAsked();
    },
  });
  if (!vmActionAllowed(vm.state, 'resize')) return null;
  const errors = form.fieldErrors;
  const portsError = errors.ports ?? Object.entries(errors).find(([path]) => path.startsWith('ports.'))?.[1];
  const submit = form.onSubmit((body) => ask.mutateAsync(body));
  return (
    <div className="vm-change">
      <LiveRegion kind="success">
        {asked ? (
          <>
            {t(asked.status === 'queued' ? 'vms.change.queued' : 'vms.change.awaiting', { name: vm.name })}{' '}
            <Link to={`/vps-requests/${vm.requestId}`}>{t('vms.followProgress')}</Link>
          </>
        ) : null}
      </LiveRegion>
      {open ? (
        <form
          aria-labelledby={`change-${vm.id}`}
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            void submit();
          }}
        >
          <h3 id={`change-${vm.id}`}>{t('vms.change.title', { name: vm.name })}</h3>
          <p className="muted">{t('vms.change.intro')}</p>
          <ErrorAlert error={form.error} />
          <div className="form-grid">
            <Field label={t('vms.change.cores')} inputMode="numeric" {...form.bind('cores')} error={errors.cores} />
            <Field label={t('vms.change.memory')} inputMode="decimal" {...form.bind('memoryGiB')} error={errors.memoryMiB} />
            <Field
              label={t('vms.change.disk')}
              inputMode="numeric"
              {...form.bind('diskGiB')}
              error={errors.diskGiB}
              hint={t('vms.change.diskHint')}
            />
            <Field label={t('vms.change.ports')} {...form.bind('ports')} error={portsError} hint={t('vms.change.portsHint')} />
          </div>
          <fieldset className="field field-wide">
            <legend>{t('vms.change.when')}</legend>
            <label className="choice">
              <input type="radio" name={`when-${vm.id}`} checked={form.values.when === 'now'} onChange={() => form.set('when', 'now')} />
              {t('vms.change.whenNow')}
            </label>
            <label className="choice">
              <input
                type="radio"
                name={`when-${vm.id}`}
                checked={form.values.when === 'window'}
                onChange={() => form.set('when', 'window')}
              />
              {t('vms.change.whenWindow')}
            </label>
          </fieldset>
          {form.values.when === 'window' ? (
            <Field
              label={t('vms.change.windowStart')}
              type="datetime-local"
              {...form.bind('windowStart')}
              error={errors.applyAt}
              hint={t('vms.change.windowHint')}
            />
          ) : null}
          <FormActions busy={form.busy} saveLabel={t('vms.change.submit')} onCancel={() => setOpen(false)} />
        </form>
      ) : (
        <div className="form-actions">
          <button
            type="button"
            className="button small"
            aria-label={t('vms.actionLabel', { action: t('vms.change.open'), name: vm.name })}
            onClick={() => {
              form.reset(changeValuesOf(vm));
              setAsked(null);
              setOpen(true);
            }}
          >
            {t('vms.change.open')}
          </button>
        </div>
      )}
    </div>
  );
}
