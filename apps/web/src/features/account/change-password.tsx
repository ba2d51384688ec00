import { ZChangePasswordBody } from '@betang/core';
import { useState } from 'react';
import { useApi } from '../../api/api-context';
import { changePassword } from '../../api/session.api';
import { useI18n } from '../../i18n/use-i18n';
import { FormAlert, LiveRegion } from '../../ui/alert';
import { Field } from '../../ui/field';
import { useContractForm } from '../../ui/use-contract-form';
import { SsoReauth, useReauthState } from '../reauth/sso-reauth';

const EMPTY = { currentPassword: '', newPassword: '', repeat: '' };

/**
 * "Ubah kata sandi": the current password (or, for people who sign in through SSO, a fresh login at
 * the identity provider), the new one twice (POST /me/password). The API judges
 * the new one (length, not common or easily guessed) and checks the current one; this session
 * stays, the others end and API tokens are revoked, as the confirmation says.
 */
export function ChangePassword() {
  const { t } = useI18n();
  const api = useApi();
  const [done, setDone] = useState<{ sessions: number; tokens: number } | null>(null);
  const reauth = useReauthState();
  const askCurrent = !reauth.fresh;
  const form = useContractForm({
    schema: ZChangePasswordBody,
    defaultValues: EMPTY,
    toBody: ({ currentPassword, newPassword }) => ({ ...(askCurrent ? { currentPassword } : {}), newPassword }),
    extraErrors: ({ newPassword, repeat }): Record<string, string> => (repeat !== newPassword ? { repeat: t('password.mismatch') } : {}),
  });

  return (
    <section className="card" aria-labelledby="password-title">
      <h2 id="password-title">{t('password.changeTitle')}</h2>
      <p className="muted">{t('password.changeIntro')}</p>
      <LiveRegion kind="success">{done ? t('password.changeDone', done) : null}</LiveRegion>
      <FormAlert error={form.error} fieldErrors={form.fieldErrors} />
      <form
        className="form-grid"
        onSubmit={form.onSubmit(async (body) => {
          setDone(null);
          const result = await changePassword(api, body);
          form.reset(EMPTY);
          setDone({ sessions: result.sessionsEnded, tokens: result.tokensRevoked });
        })}
        noValidate
      >
        <SsoReauth state={reauth} />
        {askCurrent ? (
          <Field label={t('password.current')} type="password" autoComplete="current-password" required {...form.bind('currentPassword')} />
        ) : null}
        <Field
          label={t('password.new')}
          hint={t('password.newHint')}
          type="password"
          autoComplete="new-password"
          required
          {...form.bind('newPassword')}
        />
        <Field label={t('password.repeat')} type="password" autoComplete="new-password" required {...form.bind('repeat')} />
        <div>
          <button type="submit" className="button primary" disabled={form.busy}>
            {form.busy ? t('password.saving') : t('password.change')}
          </button>
        </div>
      </form>
    </section>
  );
}
