import { ZDismissFindingBody } from '@betang/core';
import { useApi } from '../../api/api-context';
import { dismissFinding } from '../../api/reconciliation.api';
import { useI18n } from '../../i18n/use-i18n';
import { FormAlert } from '../../ui/alert';
import { Field } from '../../ui/field';
import { FormActions } from '../../ui/form-actions';
import { useContractForm } from '../../ui/use-contract-form';

/** Dismisses one finding with a reason (5–500 characters, kept in the audit log). */
export function DismissForm({
  findingId,
  label,
  onDone,
  onCancel,
}: {
  findingId: string;
  label: string;
  onDone(): void;
  onCancel(): void;
}) {
  const { t } = useI18n();
  const api = useApi();
  const form = useContractForm({
    schema: ZDismissFindingBody,
    defaultValues: { reason: '' },
  });

  return (
    <form
      className="confirm-panel inline-form"
      aria-label={label}
      onSubmit={form.onSubmit(async ({ reason }) => {
        await dismissFinding(api, findingId, reason);
        onDone();
      })}
      noValidate
    >
      <FormAlert error={form.error} fieldErrors={form.fieldErrors} />
      <Field label={t('opRecon.reason')} hint={t('opRecon.reasonHint')} {...form.bind('reason')} required maxLength={500} autoFocus />
      <FormActions busy={form.busy} saveLabel={t('opRecon.dismissConfirm')} onCancel={onCancel} />
    </form>
  );
}
