import type { ReactNode, SelectHTMLAttributes } from 'react';
import { LabelledControl } from './field';

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
  return (
    <LabelledControl label={label} error={error} hint={hint} required={required}>
      {(wiring) => (
        <select {...select} {...wiring} value={value} onChange={(event) => onValue(event.target.value)}>
          {placeholder !== undefined ? <option value="">{placeholder}</option> : null}
          {options.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      )}
    </LabelledControl>
  );
}
