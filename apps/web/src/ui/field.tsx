import { useId, type InputHTMLAttributes, type ReactNode } from 'react';

/** What a labelled control needs to be tied to its label, hint and error. */
type ControlWiring = { id: string; required?: boolean; 'aria-invalid'?: true; 'aria-describedby'?: string };

type FrameProps = {
  label: string;
  error?: string;
  hint?: ReactNode;
  required?: boolean;
  wide?: boolean;
  children(control: ControlWiring): ReactNode;
};

/**
 * The label, hint and error around one form control. The hint and error are tied to the control
 * with aria-describedby and the error sets aria-invalid, so screen readers read them with it.
 * Field, SelectField and TextAreaField are this frame around their element.
 */
export function LabelledControl({ label, error, hint, required, wide, children }: FrameProps) {
  const id = useId();
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={wide ? 'field field-wide' : 'field'}>
      <label htmlFor={id} className={required ? 'required' : undefined}>
        {label}
      </label>
      {hint ? (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {children({ id, required, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy })}
      {error ? (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

type FieldProps = {
  label: string;
  error?: string;
  hint?: ReactNode;
  value: string;
  onValue(value: string): void;
} & Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange' | 'id'>;

/** A labelled text input (see LabelledControl for the hint and error wiring). */
export function Field({ label, error, hint, value, onValue, required, ...input }: FieldProps) {
  return (
    <LabelledControl label={label} error={error} hint={hint} required={required}>
      {(wiring) => <input {...input} {...wiring} value={value} onChange={(event) => onValue(event.target.value)} />}
    </LabelledControl>
  );
}

type ChoiceGroupProps<V extends string> = {
  legend: string;
  options: readonly { value: V; label: string }[];
  selected: readonly V[];
  onChange(selected: V[]): void;
  error?: string;
};

/** A group of checkboxes in a fieldset with a legend; the error is announced with the group. */
export function CheckboxGroup<V extends string>({ legend, options, selected, onChange, error }: ChoiceGroupProps<V>) {
  const id = useId();
  return (
    <fieldset className="field" aria-describedby={error ? `${id}-error` : undefined} aria-invalid={error ? true : undefined}>
      <legend>{legend}</legend>
      {options.map((option) => (
        <label key={option.value} className="choice">
          <input
            type="checkbox"
            checked={selected.includes(option.value)}
            onChange={(event) =>
              onChange(event.target.checked ? [...selected, option.value] : selected.filter((value) => value !== option.value))
            }
          />
          {option.label}
        </label>
      ))}
      {error ? (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}
