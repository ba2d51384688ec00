import { ZCreateUserBody, type Role, type UserDto } from '@betang/core';
import { useApi } from '../../api/api-context';
import { createUser, type UserScope } from '../../api/institutions.api';
import { useI18n } from '../../i18n/use-i18n';
import { FormAlert } from '../../ui/alert';
import { CheckboxGroup, Field } from '../../ui/field';
import { useContractForm } from '../../ui/use-contract-form';
import { roleKey, rolesForScope } from './user-roles';
import { FormActions } from '../../ui/form-actions';

const EMPTY = { name: '', email: '', password: '', nip: '', position: '', phone: '' };

/** Adds a user to the scope; checks the contract's rules first, then maps the API's field errors. */
export function AddUserForm({ scope, onAdded }: { scope: UserScope; onAdded(user: UserDto): void }) {
  const { t, locale } = useI18n();
  const api = useApi();
  const form = useContractForm({
    schema: ZCreateUserBody,
    defaultValues: { ...EMPTY, roles: [] as Role[] },
    toBody: (v) => ({
      name: v.name,
      email: v.email,
      password: v.password,
      roles: v.roles,
      locale,
      ...(v.nip ? { nip: v.nip } : {}),
      ...(v.position ? { position: v.position } : {}),
      ...(v.phone ? { phone: v.phone } : {}),
    }),
  });

  return (
    <form
      className="card form-grid"
      onSubmit={form.onSubmit(async (body) => {
        const created = await createUser(api, scope, body);
        form.reset({ ...EMPTY, roles: [] });
        onAdded(created);
      })}
      noValidate
      aria-labelledby="add-user-title"
    >
      <h2 id="add-user-title">{t('users.addTitle')}</h2>
      <FormAlert error={form.error} fieldErrors={form.fieldErrors} />
      <Field label={t('users.name')} required autoComplete="off" {...form.bind('name')} />
      <Field label={t('users.email')} type="email" required autoComplete="off" {...form.bind('email')} />
      <Field
        label={t('users.password')}
        type="password"
        required
        autoComplete="new-password"
        hint={t('users.passwordHint')}
        {...form.bind('password')}
      />
      <Field label={t('users.nip')} inputMode="numeric" hint={t('users.nipHint')} {...form.bind('nip')} />
      <Field label={t('users.position')} {...form.bind('position')} />
      <Field label={t('users.phone')} type="tel" {...form.bind('phone')} />
      <CheckboxGroup
        legend={t('users.roles')}
        options={rolesForScope(scope.institutionId).map((role) => ({ value: role, label: t(roleKey(role)) }))}
        selected={form.values.roles}
        onChange={(roles) => form.set('roles', roles)}
        error={form.fieldErrors.roles}
      />
      <FormActions busy={form.busy} saveLabel={t('users.addSubmit')} />
    </form>
  );
}
