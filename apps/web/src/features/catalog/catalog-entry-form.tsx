import { useState, type FormEvent, type ReactNode } from 'react';
import { useApi } from '../../api/api-context';
import type { ApiClient } from '../../api/http-client';
import { useI18n } from '../../i18n/use-i18n';
import { FormAlert } from '../../ui/alert';
import { Field } from '../../ui/field';
import { FormActions } from '../../ui/form-actions';
import { useSubmit, type FieldErrors } from '../../ui/form-state';

/** Template ids may contain dots (debian-12.7); preset ids may not. */
export const TEMPLATE_ID_PATTERN = /^[a-z0-9][a-z0-9.-]{0,62}$/;
export const PRESET_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}$/;

/** What every catalog entry has in the form; the entry's own fields are strings too (as typed). */
export type EntryValues = { id: string; name: string; isActive: boolean } & Record<string, string | boolean>;

type Props<V extends EntryValues, B> = {
  title: string;
  /** The form's starting values (the entry's, or blanks for a new one). */
  initial: V;
  /** The entry exists: its id is shown read-only. */
  editing: boolean;
  /** The id rule of this kind of entry; a mismatch is reported on the id field. */
  idPattern: RegExp;
  /** Builds the request body from the values and checks it (field errors by field name, none when fine). */
  check(values: V): { body: B; errors: FieldErrors };
  /** Sends the body for the id (PUT creates or replaces). */
  save(api: ApiClient, id: string, body: B): Promise<unknown>;
  onSaved(name: string): void;
  onCancel(): void;
  /** The entry's own fields, between the name and the "active" switch. */
  children(values: V, set: (key: keyof V & string) => (value: string) => void, fieldErrors: FieldErrors): ReactNode;
};

/**
 * The editor every catalog entry shares: title, error summary, id (read-only once the entry
 * exists) and name, the entry's own fields, the "offered in the request form" switch, save and
 * cancel. It checks before sending (the caller's `check` plus the id rule) and sends nothing while
 * any field error stands; `onSaved` runs only after the API accepted the entry.
 */
export function CatalogEntryForm<V extends EntryValues, B>({ title, initial, editing, idPattern, check, save, onSaved, onCancel, children }: Props<V, B>) {
  const { t } = useI18n();
  const api = useApi();
  const form = useSubmit();
  const [values, setValues] = useState<V>(initial);
  const set = (key: keyof V & string) => (value: string) => setValues((old) => ({ ...old, [key]: value }));

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const { body, errors } = check(values);
    if (!idPattern.test(values.id)) errors.id = t('opCatalog.idRule');
    if (Object.keys(errors).length > 0) return form.setFieldErrors(errors);
    const ok = await form.submit(async () => {
      await save(api, values.id, body);
      return true;
    });
    if (ok) onSaved(values.name);
  }

  return (
    <form className="confirm-panel form-grid" aria-label={title} onSubmit={onSubmit} noValidate>
      <h3 className="field-wide">{title}</h3>
      <FormAlert error={form.error} fieldErrors={form.fieldErrors} />
      <Field label={t('opCatalog.id')} hint={t('opCatalog.idHint')} value={values.id} onValue={set('id')} required readOnly={editing} error={form.fieldErrors.id} />
      <Field label={t('opCatalog.name')} value={values.name} onValue={set('name')} required maxLength={100} error={form.fieldErrors.name} />
      {children(values, set, form.fieldErrors)}
      <label className="choice field-wide">
        <input type="checkbox" checked={values.isActive} onChange={(event) => setValues((old) => ({ ...old, isActive: event.target.checked }))} />
        {t('opCatalog.active')}
      </label>
      <FormActions busy={form.busy} onCancel={onCancel} />
    </form>
  );
}
