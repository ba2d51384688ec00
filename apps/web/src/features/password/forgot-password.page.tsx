import { ZForgotPasswordBody } from '@betang/core';
import { useState } from 'react';
import { useApi } from '../../api/api-context';
import { forgotPassword } from '../../api/session.api';
import { useI18n } from '../../i18n/use-i18n';
import { BrandBar } from '../../shell/brand-bar';
import { FormAlert, LiveRegion } from '../../ui/alert';
import { Field } from '../../ui/field';
import { Link } from '../../ui/link';
import { useContractForm } from '../../ui/use-contract-form';

/**
 * "Lupa kata sandi?": asks the API to e-mail a reset link. The API answers the same for every
 * e-mail (it never says whether an account exists), and so does this page.
 */
export function ForgotPasswordPage() {
  const { t, locale } = useI18n();
  const api = useApi();
  const [sent, setSent] = useState(false);
  const form = useContractForm({ schema: ZForgotPasswordBody, defaultValues: { email: '' } });

  return (
    <div className="sign-in-card">
      <BrandBar />
      <h1>{t('password.forgotTitle')}</h1>
      <LiveRegion kind="success">{sent ? t('password.forgotSent') : null}</LiveRegion>
      {sent ? null : (
        <>
          <p className="muted">{t('password.forgotIntro')}</p>
          <FormAlert error={form.error} fieldErrors={form.fieldErrors} />
          <form
            onSubmit={form.onSubmit(async (body) => {
              await forgotPassword(api, body);
              setSent(true);
            })}
            noValidate
            lang={locale}
          >
            <Field label={t('signIn.email')} type="email" autoComplete="username" required {...form.bind('email')} />
            <button type="submit" className="button primary" disabled={form.busy}>
              {form.busy ? t('password.forgotSending') : t('password.forgotSubmit')}
            </button>
          </form>
        </>
      )}
      <p>
        <Link to="/login">{t('password.backToSignIn')}</Link>
      </p>
    </div>
  );
}
