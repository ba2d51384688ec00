import { ZCreateUserBody, type Role, type UserDto } from '@betang/core';
import { useState, type FormEvent } from 'react';
import { useApi } from '../../api/api-context';
import { createUser, type UserScope } from '../../api/institutions.api';
import { useI18n } from '../../i18n/use-i18n';
import { FormAlert } from '../../ui/alert';
import { CheckboxGroup, Field } from '../../ui/field';
import { useSubmit, validateWith } from '../../ui/form-state';
import { roleKey, rolesForScope } from './user-roles';
import { FormActions } from '../../ui/form-actions';

const EMPTY = { name: '', email: '', password: '', nip: '', position: '', phone: '' };

/** Adds a user to the scope; checks the contract's rules first, then maps the API's field errors. */
export function AddUserForm({ scope, onAdded }: { scope: UserScope; onAdded(user: UserDto): void }) {
  const { t, locale } = useI18n();
  const api = useApi();
  const [values, setValues] = useState(EMPTY);
  const [roles, setRoles] = useState<Role[]>([]);
  const form = useSubmit();
  const set = (key: keyof typeof EMPTY) => (value: string) => setValues((previous) => ({ ...previous, [key]: value }));

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const body = {
      name: values.name,
      email: values.email,
      password: values.password,
      roles,
      locale,
      ...(values.nip ? { nip: values.nip } : {}),
      ...(values.position ? { position: values.position } : {}),
      ...(values.phone ? { phone: values.phone } : {}),
    };
    const errors = validateWith(ZCreateUserBody, body);
    if (Object.keys(errors).length > 0) {
      form.setError(undefined);
      form.setFieldErrors(errors);
      return;
    }
    const created = await form.submit(() => createUser(api, scope, ZCreateUserBody.parse(body)));
    if (created) {
      setValues(EMPTY);
      setRoles([]);
      onAdded(created);
    }
  }

  return (
    <form className="card form-grid" onSubmit={onSubmit} noValidate aria-labelledby="add-user-title">
      <h2 id="add-user-title">{t('users.addTitle')}</h2>
      <FormAlert error={form.error} fieldErrors={form.fieldErrors} />
      <Field label={t('users.name')} required autoComplete="off" value={values.name} onValue={set('name')} error={form.fieldErrors.name} />
      <Field label={t('users.email')} type="email" required autoComplete="off" value={values.email} onValue={set('email')} error={form.fieldErrors.email} />
      <Field label={t('users.password')} type="password" required autoComplete="new-password" hint={t('users.passwordHint')} value={values.password} onValue={set('password')} error={form.fieldErrors.password} />
      <Field label={t('users.nip')} inputMode="numeric" hint={t('users.nipHint')} value={values.nip} onValue={set('nip')} error={form.fieldErrors.nip} />
      <Field label={t('users.position')} value={values.position} onValue={set('position')} error={form.fieldErrors.position} />
      <Field label={t('users.phone')} type="tel" value={values.phone} onValue={set('phone')} error={form.fieldErrors.phone} />
      <CheckboxGroup
        legend={t('users.roles')}
        options={rolesForScope(scope.institutionId).map((role) => ({ value: role, label: t(roleKey(role)) }))}
        selected={roles}
        onChange={setRoles}
        error={form.fieldErrors.roles}
      />
      <FormActions busy={form.busy} saveLabel={t('users.addSubmit')} />
    </form>
  );
}
