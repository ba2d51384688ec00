import { useId, type ReactNode, type SelectHTMLAttributes } from 'react';

type SelectFieldProps = {
  label: string;
  error?: string;
  hint?: ReactNode;
  value: string;
  onValue(value: string): void;
  options: readonly { value: string; label: string }[];
  /** Text of an empty first choice (for "pick one"); left out when undefined. */
  placeholder?: string;
} & Omit<SelectHTMLAttributes<HTMLSelectElement>, 'value' | 'onChange' | 'id'>;

/** A labelled select; hint and error are tied to it like Field's (aria-describedby, aria-invalid). */
export function SelectField({ label, error, hint, value, onValue, options, placeholder, required, ...select }: SelectFieldProps) {
  const id = useId();
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id} className={required ? 'required' : undefined}>
        {label}
      </label>
      {hint ? (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      <select {...select} id={id} value={value} required={required} aria-invalid={error ? true : undefined} aria-describedby={describedBy} onChange={(event) => onValue(event.target.value)}>
        {placeholder !== undefined ? <option value="">{placeholder}</option> : null}
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      {error ? (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}
