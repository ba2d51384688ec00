import { useState } from 'react';
import { useApi } from '../../api/api-context';
import { dismissFinding } from '../../api/reconciliation.api';
import { useI18n } from '../../i18n/use-i18n';
import { FormAlert } from '../../ui/alert';
import { Field } from '../../ui/field';
import { useSubmit } from '../../ui/form-state';
import { FormActions } from '../../ui/form-actions';

/** Dismisses one finding with a reason (5–500 characters, kept in the audit log). */
export function DismissForm({ findingId, label, onDone, onCancel }: { findingId: string; label: string; onDone(): void; onCancel(): void }) {
  const { t } = useI18n();
  const api = useApi();
  const form = useSubmit();
  const [reason, setReason] = useState('');

  async function onSubmit(event: React.FormEvent) {
    event.preventDefault();
    const text = reason.trim();
    if (text.length < 5) return form.setFieldErrors({ reason: t('opRecon.reasonTooShort') });
    const done = await form.submit(async () => {
      await dismissFinding(api, findingId, text);
      return true;
    });
    if (done) onDone();
  }

  return (
    <form className="confirm-panel inline-form" aria-label={label} onSubmit={onSubmit} noValidate>
      <FormAlert error={form.error} fieldErrors={form.fieldErrors} />
      <Field label={t('opRecon.reason')} hint={t('opRecon.reasonHint')} value={reason} onValue={setReason} required maxLength={500} error={form.fieldErrors.reason} autoFocus />
      <FormActions busy={form.busy} saveLabel={t('opRecon.dismissConfirm')} onCancel={onCancel} />
    </form>
  );
}
