import type { ReactNode } from 'react';
import { useI18n } from '../../i18n/i18n-context';
import { FormAlert } from '../../ui/alert';
import { Field } from '../../ui/field';
import type { useSubmit } from '../../ui/form-state';
import { FormActions } from '../../ui/form-actions';

/** Template ids may contain dots (debian-12.7); preset ids may not. */
export const TEMPLATE_ID_PATTERN = /^[a-z0-9][a-z0-9.-]{0,62}$/;
export const PRESET_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}$/;

type Props = {
  title: string;
  form: ReturnType<typeof useSubmit>;
  /** The entry's id and name (id read-only once the entry exists). */
  id: string;
  name: string;
  editing: boolean;
  onValue(key: 'id' | 'name', value: string): void;
  isActive: boolean;
  onActive(value: boolean): void;
  onSubmit(event: React.FormEvent): void;
  onCancel(): void;
  /** The fields between the name and the "active" switch. */
  children: ReactNode;
};

/**
 * The frame every catalog editor shares: title, error summary, id and name, the entry's own
 * fields, the "offered in the request form" switch, save and cancel. The caller validates and saves.
 */
export function CatalogEntryForm({ title, form, id, name, editing, onValue, isActive, onActive, onSubmit, onCancel, children }: Props) {
  const { t } = useI18n();
  return (
    <form className="confirm-panel form-grid" aria-label={title} onSubmit={onSubmit} noValidate>
      <h3 className="field-wide">{title}</h3>
      <FormAlert error={form.error} fieldErrors={form.fieldErrors} />
      <Field label={t('opCatalog.id')} hint={t('opCatalog.idHint')} value={id} onValue={(value) => onValue('id', value)} required readOnly={editing} error={form.fieldErrors.id} />
      <Field label={t('opCatalog.name')} value={name} onValue={(value) => onValue('name', value)} required maxLength={100} error={form.fieldErrors.name} />
      {children}
      <label className="choice field-wide">
        <input type="checkbox" checked={isActive} onChange={(event) => onActive(event.target.checked)} />
        {t('opCatalog.active')}
      </label>
      <FormActions busy={form.busy} onCancel={onCancel} />
    </form>
  );
}
