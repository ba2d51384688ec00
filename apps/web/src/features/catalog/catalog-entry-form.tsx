import type { ReactNode } from 'react';
import type { DefaultValues, Path, PathValue } from 'react-hook-form';
import type { z } from 'zod';
import { useApi } from '../../api/api-context';
import type { ApiClient } from '../../api/http-client';
import { useI18n } from '../../i18n/use-i18n';
import { FormAlert } from '../../ui/alert';
import { Field } from '../../ui/field';
import { FormActions } from '../../ui/form-actions';
import { useContractForm, type FieldErrors } from '../../ui/use-contract-form';

/** Template ids may contain dots (debian-12.7); preset ids may not. */
export const TEMPLATE_ID_PATTERN = /^[a-z0-9][a-z0-9.-]{0,62}$/;
export const PRESET_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}$/;

/** What every catalog entry has in the form; the entry's own fields are strings too (as typed). */
type EntryValues = { id: string; name: string; isActive: boolean } & Record<string, string | boolean>;

type Props<V extends EntryValues, S extends z.ZodType> = {
  title: string;
  /** The form's starting values (the entry's, or blanks for a new one). */
  initial: V;
  /** The entry exists: its id is shown read-only. */
  editing: boolean;
  /** The id rule of this kind of entry; a mismatch is reported on the id field. */
  idPattern: RegExp;
  /** The contract of the request body. */
  schema: S;
  /** Builds the request body from the values (checked against `schema` before sending). */
  toBody(values: V): unknown;
  /** Sends the body for the id (PUT creates or replaces). */
  save(api: ApiClient, id: string, body: z.output<S>): Promise<unknown>;
  onSaved(name: string): void;
  onCancel(): void;
  /** The entry's own fields, between the name and the "active" switch. */
  children(values: V, set: (key: keyof V & string) => (value: string) => void, fieldErrors: FieldErrors): ReactNode;
};

/**
 * The editor every catalog entry shares: title, error summary, id (read-only once the entry
 * exists) and name, the entry's own fields, the "offered in the request form" switch, save and
 * cancel. It checks before sending (the body's contract plus the id rule) and sends nothing while
 * any field error stands; `onSaved` runs only after the API accepted the entry.
 */
export function CatalogEntryForm<V extends EntryValues, S extends z.ZodType>({
  title,
  initial,
  editing,
  idPattern,
  schema,
  toBody,
  save,
  onSaved,
  onCancel,
  children,
}: Props<V, S>) {
  const { t } = useI18n();
  const api = useApi();
  const form = useContractForm({
    schema,
    defaultValues: initial as DefaultValues<V>,
    toBody,
    extraErrors: (v: V): FieldErrors => (idPattern.test(v.id) ? {} : { id: t('opCatalog.idRule') }),
  });
  const values = form.values;
  const set = (key: keyof V & string) => (value: string) => form.set(key as Path<V>, value as PathValue<V, Path<V>>);

  return (
    <form
      className="confirm-panel form-grid"
      aria-label={title}
      onSubmit={form.onSubmit(async (body) => {
        await save(api, values.id, body);
        onSaved(values.name);
      })}
      noValidate
    >
      <h3 className="field-wide">{title}</h3>
      <FormAlert error={form.error} fieldErrors={form.fieldErrors} />
      <Field label={t('opCatalog.id')} hint={t('opCatalog.idHint')} {...form.bind('id' as Path<V>)} required readOnly={editing} />
      <Field label={t('opCatalog.name')} {...form.bind('name' as Path<V>)} required maxLength={100} />
      {children(values, set, form.fieldErrors)}
      <label className="choice field-wide">
        <input
          type="checkbox"
          checked={values.isActive}
          onChange={(event) => form.set('isActive' as Path<V>, event.target.checked as PathValue<V, Path<V>>)}
        />
        {t('opCatalog.active')}
      </label>
      <FormActions busy={form.busy} onCancel={onCancel} />
    </form>
  );
}
