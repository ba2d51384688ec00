import { Role, ZUpdateUserBody, type UserDto } from '@betang/core';
import { useId, useState, type FormEvent } from 'react';
import { useApi } from '../../api/api-context';
import { resetUserTotp, unlockUser, updateUser } from '../../api/institutions.api';
import { useI18n } from '../../i18n/use-i18n';
import { holdsAny, useMe } from '../../session/session-context';
import { FormAlert } from '../../ui/alert';
import { CheckboxGroup } from '../../ui/field';
import { useSubmit, validateWith } from '../../ui/form-state';
import { roleKey, rolesForScope } from './user-roles';
import { FormActions } from '../../ui/form-actions';

/**
 * Changes a user's roles and whether the account is active (PATCH /users/:id); for admins also
 * clears the user's sign-in delays (POST /users/:id/unlock) and resets another user's TOTP
 * (POST /users/:id/totp/reset).
 */
export function EditUserForm({
  user,
  onSaved,
  onUnlocked,
  onTotpReset,
  onCancel,
}: {
  user: UserDto;
  onSaved(user: UserDto): void;
  onUnlocked(user: UserDto): void;
  onTotpReset(user: UserDto): void;
  onCancel(): void;
}) {
  const { t } = useI18n();
  const api = useApi();
  const me = useMe();
  const unlock = useSubmit();
  const totpReset = useSubmit();
  const activeId = useId();
  const [roles, setRoles] = useState<Role[]>(user.roles);
  const [isActive, setActive] = useState(user.isActive);
  const form = useSubmit();

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const body = { roles, isActive };
    const errors = validateWith(ZUpdateUserBody, body);
    if (Object.keys(errors).length > 0) {
      form.setError(undefined);
      form.setFieldErrors(errors);
      return;
    }
    const saved = await form.submit(() => updateUser(api, user.id, body));
    if (saved) onSaved(saved);
  }

  return (
    <form className="card form-grid" onSubmit={onSubmit} noValidate aria-labelledby="edit-user-title">
      <h2 id="edit-user-title">{t('users.editTitle', { name: user.name })}</h2>
      <FormAlert error={form.error} fieldErrors={form.fieldErrors} />
      <CheckboxGroup
        legend={t('users.roles')}
        options={rolesForScope(user.institutionId).map((role) => ({ value: role, label: t(roleKey(role)) }))}
        selected={roles}
        onChange={setRoles}
        error={form.fieldErrors.roles}
      />
      <div className="field">
        <label className="choice" htmlFor={activeId}>
          <input id={activeId} type="checkbox" checked={isActive} onChange={(event) => setActive(event.target.checked)} />
          {t('users.active')}
        </label>
        <p className="hint">{t('users.activeHint')}</p>
      </div>
      <FormActions busy={form.busy} onCancel={onCancel} />
      {holdsAny(me.roles, [Role.Admin]) ? (
        <div className="field">
          <FormAlert error={unlock.error} fieldErrors={{}} />
          <p className="hint">{t('users.unlockHint')}</p>
          <button
            type="button"
            className="button"
            disabled={unlock.busy}
            onClick={async () => {
              if (await unlock.submit(() => unlockUser(api, user.id))) onUnlocked(user);
            }}
          >
            {t('users.unlock')}
          </button>
        </div>
      ) : null}
      {holdsAny(me.roles, [Role.Admin]) && user.totpEnabled && user.id !== me.user.id ? (
        <div className="field">
          <FormAlert error={totpReset.error} fieldErrors={{}} />
          <p className="hint">{t('users.totpResetHint')}</p>
          <button
            type="button"
            className="button"
            disabled={totpReset.busy}
            onClick={async () => {
              if (await totpReset.submit(() => resetUserTotp(api, user.id))) onTotpReset(user);
            }}
          >
            {t('users.totpReset')}
          </button>
        </div>
      ) : null}
    </form>
  );
}
