import type { ReactNode, TextareaHTMLAttributes } from 'react';
import { LabelledControl } from './field';

type TextAreaFieldProps = { label: string; error?: string; hint?: ReactNode; value: string; onValue(value: string): void } & Omit<
  TextareaHTMLAttributes<HTMLTextAreaElement>,
  'value' | 'onChange' | 'id'
>;

/** A labelled multi-line input with Field's hint and error wiring. */
export function TextAreaField({ label, error, hint, value, onValue, required, ...area }: TextAreaFieldProps) {
  return (
    <LabelledControl label={label} error={error} hint={hint} required={required} wide>
      {(wiring) => <textarea {...area} {...wiring} value={value} onChange={(event) => onValue(event.target.value)} />}
    </LabelledControl>
  );
}
