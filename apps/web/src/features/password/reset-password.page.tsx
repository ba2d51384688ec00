import { ZResetPasswordBody } from '@betang/core';
import { useState } from 'react';
import { useLocation } from 'react-router';
import { useApi } from '../../api/api-context';
import { resetPassword } from '../../api/session.api';
import { useI18n } from '../../i18n/use-i18n';
import { BrandBar } from '../../shell/brand-bar';
import { FormAlert, LiveRegion } from '../../ui/alert';
import { Field } from '../../ui/field';
import { Link } from '../../ui/link';
import { useContractForm } from '../../ui/use-contract-form';

/** The secret of the e-mailed link: in the fragment (`#token=…`), which the browser never sends to a server. */
function tokenOf(hash: string): string {
  return new URLSearchParams(hash.replace(/^#/, '')).get('token') ?? '';
}

/**
 * The page the reset e-mail links to: choose a new password (typed twice). The API judges it
 * (length, not a common or easily guessed password) and answers a used or expired link with its
 * own message; on success every session of the account has ended and the person signs in anew.
 */
export function ResetPasswordPage() {
  const { t, locale } = useI18n();
  const api = useApi();
  const { hash } = useLocation();
  const [done, setDone] = useState(false);
  const token = tokenOf(hash);
  const form = useContractForm({
    schema: ZResetPasswordBody,
    defaultValues: { password: '', repeat: '' },
    toBody: ({ password }) => ({ token, password }),
    extraErrors: ({ password, repeat }): Record<string, string> => (repeat !== password ? { repeat: t('password.mismatch') } : {}),
  });

  return (
    <div className="sign-in-card">
      <BrandBar />
      <h1>{t('password.resetTitle')}</h1>
      <LiveRegion kind="success">{done ? t('password.resetDone') : null}</LiveRegion>
      {done ? null : !token ? (
        <p role="alert" className="alert alert-error">
          {t('password.resetNoToken')}
        </p>
      ) : (
        <>
          <p className="muted">{t('password.resetIntro')}</p>
          <FormAlert error={form.error} fieldErrors={form.fieldErrors} />
          <form
            onSubmit={form.onSubmit(async (body) => {
              await resetPassword(api, body);
              // The secret leaves the address bar (and the history entry) once it is spent.
              window.history.replaceState(null, '', window.location.pathname);
              setDone(true);
            })}
            noValidate
            lang={locale}
          >
            <Field
              label={t('password.new')}
              hint={t('password.newHint')}
              type="password"
              autoComplete="new-password"
              required
              {...form.bind('password')}
            />
            <Field label={t('password.repeat')} type="password" autoComplete="new-password" required {...form.bind('repeat')} />
            <button type="submit" className="button primary" disabled={form.busy}>
              {form.busy ? t('password.saving') : t('password.resetSubmit')}
            </button>
          </form>
        </>
      )}
      <p>
        {done || !token ? <Link to="/login">{t('password.toSignIn')}</Link> : null}
        {!token ? (
          <>
            {' · '}
            <Link to="/forgot-password">{t('password.askAgain')}</Link>
          </>
        ) : null}
      </p>
    </div>
  );
}
