import { useState, type FormEvent } from 'react';
import { useI18n } from '../../i18n/use-i18n';
import { Field } from '../../ui/field';
import { FormActions } from '../../ui/form-actions';
import { SelectField } from '../../ui/select-field';
import type { FilterValues } from './url-filters';

/** One control of a filter bar: a text or date input, or a choice (its empty choice means "any"). */
export type FilterControl<K extends string> =
  | { key: K; label: string; kind: 'text' | 'date'; hint?: string }
  | { key: K; label: string; kind: 'choice'; any: string; options: readonly { value: string; label: string }[] };

type Props<K extends string> = {
  /** Id of the form's heading (the form is labelled by it). */
  headingId: string;
  title: string;
  controls: readonly FilterControl<K>[];
  /** The filters in force (from the URL). */
  values: FilterValues<K>;
  onApply(values: FilterValues<K>): void;
  onClear(): void;
  /** The buttons' texts; "Terapkan" / "Hapus filter" when omitted. */
  applyLabel?: string;
  clearLabel?: string;
};

/**
 * The filter form of a list: labelled controls holding a draft, "Terapkan" hands the draft to
 * `onApply` (the page writes it into the URL), "Hapus filter" clears them all. The draft starts
 * from `values` and follows them when they change from outside (Back, a shared link).
 */
export function FilterBar<K extends string>({ headingId, title, controls, values, onApply, onClear, applyLabel, clearLabel }: Props<K>) {
  const { t } = useI18n();
  const applied = JSON.stringify(values);
  const [draft, setDraft] = useState({ from: applied, values });
  const current = draft.from === applied ? draft.values : values;
  if (draft.from !== applied) setDraft({ from: applied, values });
  const set = (key: K, value: string) => setDraft({ from: applied, values: { ...current, [key]: value } });
  function submit(event: FormEvent) {
    event.preventDefault();
    onApply(current);
  }
  return (
    <form className="card filters" onSubmit={submit} aria-labelledby={headingId} role="search">
      <h2 id={headingId}>{title}</h2>
      <div className="filter-row">
        {controls.map((control) =>
          control.kind === 'choice' ? (
            <SelectField
              key={control.key}
              label={control.label}
              placeholder={control.any}
              options={control.options}
              value={current[control.key]}
              onValue={(value) => set(control.key, value)}
            />
          ) : (
            <Field
              key={control.key}
              label={control.label}
              hint={control.hint}
              type={control.kind === 'date' ? 'date' : 'search'}
              maxLength={100}
              value={current[control.key]}
              onValue={(value) => set(control.key, value)}
            />
          ),
        )}
      </div>
      <FormActions saveLabel={applyLabel ?? t('find.apply')} onCancel={onClear} cancelLabel={clearLabel ?? t('find.clear')} />
    </form>
  );
}
