import { Role, ZUpdateUserBody, type UserDto } from '@betang/core';
import { useMutation } from '@tanstack/react-query';
import { useId } from 'react';
import { useApi } from '../../api/api-context';
import { deactivateUser, reactivateUser, resetUserTotp, unlockUser, updateUser } from '../../api/institutions.api';
import { useI18n } from '../../i18n/use-i18n';
import { holdsAny, useMe } from '../../session/session-context';
import { FormAlert } from '../../ui/alert';
import { CheckboxGroup } from '../../ui/field';
import { useContractForm } from '../../ui/use-contract-form';
import { roleKey, rolesForScope } from './user-roles';
import { FormActions } from '../../ui/form-actions';
import { MoveUserField } from '../pic/move-user';

/**
 * Changes a user's roles and whether the account is active (PATCH /users/:id); deactivates
 * another user's account (ending their sessions and revoking their API tokens) or reactivates it
 * (POST /users/:id/deactivate, /reactivate); for admins also clears the user's sign-in delays
 * (POST /users/:id/unlock) and resets another user's TOTP (POST /users/:id/totp/reset).
 */
export function EditUserForm({
  user,
  onSaved,
  onUnlocked,
  onTotpReset,
  onDeactivated,
  onReactivated,
  onMoved,
  onCancel,
}: {
  user: UserDto;
  onSaved(user: UserDto): void;
  onUnlocked(user: UserDto): void;
  onTotpReset(user: UserDto): void;
  onDeactivated(user: UserDto): void;
  onReactivated(user: UserDto): void;
  /** Admins only: the user was moved to another institution (named). */
  onMoved?(user: UserDto, institutionName: string): void;
  onCancel(): void;
}) {
  const { t } = useI18n();
  const api = useApi();
  const me = useMe();
  const unlock = useMutation({ mutationFn: () => unlockUser(api, user.id), onSuccess: () => onUnlocked(user) });
  const totpReset = useMutation({ mutationFn: () => resetUserTotp(api, user.id), onSuccess: () => onTotpReset(user) });
  const deactivate = useMutation({ mutationFn: () => deactivateUser(api, user.id), onSuccess: () => onDeactivated(user) });
  const reactivate = useMutation({ mutationFn: () => reactivateUser(api, user.id), onSuccess: () => onReactivated(user) });
  const activation = user.isActive ? deactivate : reactivate;
  const activeId = useId();
  const form = useContractForm({ schema: ZUpdateUserBody, defaultValues: { roles: user.roles, isActive: user.isActive } });

  return (
    <form
      className="card form-grid"
      onSubmit={form.onSubmit(async (body) => onSaved(await updateUser(api, user.id, body)))}
      noValidate
      aria-labelledby="edit-user-title"
    >
      <h2 id="edit-user-title">{t('users.editTitle', { name: user.name })}</h2>
      <FormAlert error={form.error} fieldErrors={form.fieldErrors} />
      <CheckboxGroup
        legend={t('users.roles')}
        options={rolesForScope(user.institutionId).map((role) => ({ value: role, label: t(roleKey(role)) }))}
        selected={form.values.roles}
        onChange={(roles) => form.set('roles', roles)}
        error={form.fieldErrors.roles}
      />
      <div className="field">
        <label className="choice" htmlFor={activeId}>
          <input
            id={activeId}
            type="checkbox"
            checked={form.values.isActive}
            onChange={(event) => form.set('isActive', event.target.checked)}
          />
          {t('users.active')}
        </label>
        <p className="hint">{t('users.activeHint')}</p>
      </div>
      <FormActions busy={form.busy} onCancel={onCancel} />
      {user.id !== me.user.id ? (
        <div className="field">
          <FormAlert error={activation.error} fieldErrors={{}} />
          <p className="hint">{user.isActive ? t('users.deactivateHint') : t('users.reactivateHint')}</p>
          <button type="button" className="button" disabled={activation.isPending} onClick={() => activation.mutate()}>
            {user.isActive ? t('users.deactivate') : t('users.reactivate')}
          </button>
        </div>
      ) : null}
      {holdsAny(me.roles, [Role.Admin]) && user.institutionId !== null && onMoved ? <MoveUserField user={user} onMoved={onMoved} /> : null}
      {holdsAny(me.roles, [Role.Admin]) ? (
        <div className="field">
          <FormAlert error={unlock.error} fieldErrors={{}} />
          <p className="hint">{t('users.unlockHint')}</p>
          <button type="button" className="button" disabled={unlock.isPending} onClick={() => unlock.mutate()}>
            {t('users.unlock')}
          </button>
        </div>
      ) : null}
      {holdsAny(me.roles, [Role.Admin]) && user.totpEnabled && user.id !== me.user.id ? (
        <div className="field">
          <FormAlert error={totpReset.error} fieldErrors={{}} />
          <p className="hint">{t('users.totpResetHint')}</p>
          <button type="button" className="button" disabled={totpReset.isPending} onClick={() => totpReset.mutate()}>
            {t('users.totpReset')}
          </button>
        </div>
      ) : null}
    </form>
  );
}
