import { ZReleaseBody } from '@betang/core';
import { useApi } from '../../api/api-context';
import { releaseAdoptedVm } from '../../api/estate.api';
import { useI18n } from '../../i18n/use-i18n';
import { FormAlert } from '../../ui/alert';
import { Field } from '../../ui/field';
import { FormActions } from '../../ui/form-actions';
import { useContractForm } from '../../ui/use-contract-form';

/** Releases one adopted VM from Betang with a reason (5–500 characters, kept in the audit log); the VM itself is left as it is. */
export function ReleaseForm({ vmId, name, onDone, onCancel }: { vmId: string; name: string; onDone(): void; onCancel(): void }) {
  const { t } = useI18n();
  const api = useApi();
  const form = useContractForm({ schema: ZReleaseBody, defaultValues: { reason: '' } });
  return (
    <form
      className="confirm-panel inline-form"
      aria-label={t('adoption.releaseTitle', { name })}
      onSubmit={form.onSubmit(async ({ reason }) => {
        await releaseAdoptedVm(api, vmId, reason);
        onDone();
      })}
      noValidate
    >
      <p className="small">{t('adoption.releaseExplain')}</p>
      <FormAlert error={form.error} fieldErrors={form.fieldErrors} />
      <Field label={t('adoption.releaseReason')} {...form.bind('reason')} required maxLength={500} autoFocus />
      <FormActions busy={form.busy} saveLabel={t('adoption.releaseConfirm')} onCancel={onCancel} />
    </form>
  );
}
