import { ZLoginBody } from '@betang/core';
import { useState, type FormEvent } from 'react';
import { ApiError } from '../../api/api-error';
import { useI18n } from '../../i18n/use-i18n';
import { useSession } from '../../session/session-context';
import { FormAlert } from '../../ui/alert';
import { Field } from '../../ui/field';
import { useSubmit, validateWith } from '../../ui/form-state';
import { BrandBar } from '../../shell/brand-bar';

/**
 * Sign-in. The TOTP field is always there, marked optional: the API answers every failure with
 * the same INVALID_CREDENTIALS (it never says whether a code was needed), so asking for the code
 * only after a failure would make every TOTP user fail once and would hint which accounts use it.
 */
export function SignInPage() {
  const { t, locale } = useI18n();
  const { signIn } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const form = useSubmit();

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const body = { email, password, ...(totp ? { totp } : {}) };
    const errors = validateWith(ZLoginBody, body);
    if (Object.keys(errors).length > 0) {
      form.setFieldErrors(errors);
      form.setError(undefined);
      return;
    }
    await form.submit(() => signIn(body));
  }

  const invalidCredentials = form.error instanceof ApiError && form.error.code === 'INVALID_CREDENTIALS';
  return (
    <main id="main" className="sign-in">
      <div className="sign-in-card">
        <BrandBar />
        <h1>{t('signIn.title')}</h1>
        <p className="muted">{t('signIn.intro')}</p>
        <FormAlert error={form.error} fieldErrors={form.fieldErrors} />
        {invalidCredentials ? <p className="hint">{t('signIn.invalidHint')}</p> : null}
        <form onSubmit={onSubmit} noValidate lang={locale}>
          <Field label={t('signIn.email')} type="email" autoComplete="username" required value={email} onValue={setEmail} error={form.fieldErrors.email} />
          <Field label={t('signIn.password')} type="password" autoComplete="current-password" required value={password} onValue={setPassword} error={form.fieldErrors.password} />
          <Field
            label={t('signIn.totp')}
            hint={t('signIn.totpHint')}
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9]{6}"
            maxLength={6}
            value={totp}
            onValue={(value) => setTotp(value.replace(/\D/g, ''))}
            error={form.fieldErrors.totp}
          />
          <button type="submit" className="button primary" disabled={form.busy}>
            {form.busy ? t('signIn.submitting') : t('signIn.submit')}
          </button>
        </form>
      </div>
    </main>
  );
}
