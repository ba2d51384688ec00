import { zodResolver } from '@hookform/resolvers/zod';
import { useState } from 'react';
import {
  useForm,
  type DefaultValues,
  type FieldErrors as HookFieldErrors,
  type FieldValues,
  type Path,
  type PathValue,
  type Resolver,
} from 'react-hook-form';
import type { z } from 'zod';
import { ApiError, fieldErrorsOf } from '../api/api-error';

/** Field errors keyed like the API's `body.` paths without the prefix (`ports.0`, `email`). */
export type FieldErrors = Record<string, string>;

/**
 * Flattens react-hook-form's nested errors into `a.b.0` paths (the first message of each field);
 * with `type`, only errors of that type (`server`: the API's own field errors).
 */
function flattenErrors(errors: HookFieldErrors, prefix = '', type?: string): FieldErrors {
  const out: FieldErrors = {};
  for (const [key, value] of Object.entries(errors)) {
    if (!value || key === 'root') continue;
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value.message === 'string' && value.message) {
      if (type === undefined || value.type === type) out[path] = value.message;
    } else if (typeof value === 'object') Object.assign(out, flattenErrors(value as HookFieldErrors, path, type));
  }
  return out;
}

/**
 * The contract's verdict on `value` as field errors keyed by path, for forms that show errors
 * while people type (in the current language: the app's zod error map). Empty when it passes.
 */
export function contractErrors(schema: z.ZodType, value: unknown): FieldErrors {
  const result = schema.safeParse(value);
  const errors: FieldErrors = {};
  for (const issue of result.error?.issues ?? []) errors[issue.path.map(String).join('.')] ??= issue.message;
  return errors;
}

/**
 * A resolver that checks the contract body the form would send (`toBody(values)`), not the raw
 * inputs: what people typed is text, the contract wants numbers, optional fields, trimmed lists.
 * Errors come back under the body's paths, so name each input like its body field.
 */
function contractResolver<V extends FieldValues, S extends z.ZodType>(
  schema: S,
  toBody: (values: V) => unknown,
  extraErrors: (values: V) => FieldErrors,
): Resolver<V, unknown, z.output<S>> {
  // The resolver's generics describe the form's own values; here it checks the body instead.
  const check = zodResolver(schema as unknown as z.ZodType<z.output<S>, FieldValues>);
  return async (values, context, options) => {
    const result = await check(toBody(values) as FieldValues, context, options as never);
    const extra = Object.entries(extraErrors(values));
    if (extra.length === 0) return result as unknown as Awaited<ReturnType<Resolver<V, unknown, z.output<S>>>>;
    const errors: Record<string, unknown> = { ...result.errors };
    for (const [path, message] of extra) errors[path] = { type: 'custom', message };
    return { values: {}, errors } as unknown as Awaited<ReturnType<Resolver<V, unknown, z.output<S>>>>;
  };
}

type Options<V extends FieldValues, S extends z.ZodType> = {
  /** The contract schema the API checks the body against (its rules show before anything is sent). */
  schema: S;
  defaultValues: DefaultValues<V>;
  /** The request body for the current inputs; the identity when they are the body already. */
  toBody?(values: V): unknown;
  /** Rules outside the body's contract (an id in the path, a confirmation box), by field name. */
  extraErrors?(values: V): FieldErrors;
};

/**
 * One form over react-hook-form: the contract schema checks the body before sending (messages
 * from the app's zod error map, in the current language), the API's own field errors
 * (`details[].path`) land on the same fields, and the API's error stays apart for the form's
 * alert. Errors show after a send attempt and stay until the next one, as the alert counts them.
 */
export function useContractForm<V extends FieldValues, S extends z.ZodType>({
  schema,
  defaultValues,
  toBody = (values) => values,
  extraErrors = () => ({}),
}: Options<V, S>) {
  const form = useForm<V, unknown, z.output<S>>({
    defaultValues,
    resolver: contractResolver(schema, toBody, extraErrors),
    mode: 'onSubmit',
    reValidateMode: 'onSubmit',
    shouldFocusError: false,
  });
  const [error, setError] = useState<unknown>(undefined);
  const values = form.watch();
  const fieldErrors = flattenErrors(form.formState.errors);
  const busy = form.formState.isSubmitting;

  /** A submit handler: checks, then runs `action` with the parsed body; an API failure is kept, never thrown. */
  function onSubmit(action: (body: z.output<S>) => Promise<unknown>) {
    return form.handleSubmit(
      async (body) => {
        setError(undefined);
        try {
          await action(body);
        } catch (caught) {
          setError(caught);
          if (caught instanceof ApiError) {
            for (const [path, message] of Object.entries(fieldErrorsOf(caught.fieldIssues)))
              form.setError(path as Path<V>, { type: 'server', message });
          }
        }
      },
      () => setError(undefined),
    );
  }

  /** Sets one input's value (what a controlled input's change calls). */
  function set<P extends Path<V>>(name: P, value: PathValue<V, P>): void {
    form.setValue(name, value);
  }

  /** Value, change handler and error for a text control (Field, SelectField, TextAreaField). */
  function bind<P extends Path<V>>(name: P) {
    return {
      value: String(form.getValues(name) ?? ''),
      onValue: (value: string) => set(name, value as PathValue<V, P>),
      error: fieldErrors[name],
    };
  }

  return {
    form,
    values,
    fieldErrors,
    serverFieldErrors: flattenErrors(form.formState.errors, '', 'server'),
    error,
    setError,
    busy,
    onSubmit,
    set,
    bind,
    reset: form.reset,
  };
}
