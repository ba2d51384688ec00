import { ZLoginBody } from '@betang/core';
import { ApiError } from '../../api/api-error';
import { useI18n } from '../../i18n/use-i18n';
import { useSession } from '../../session/session-context';
import { FormAlert } from '../../ui/alert';
import { Field } from '../../ui/field';
import { useContractForm } from '../../ui/use-contract-form';
import { BrandBar } from '../../shell/brand-bar';

/**
 * Sign-in. The TOTP field is always there, marked optional: the API answers every failure with
 * the same INVALID_CREDENTIALS (it never says whether a code was needed), so asking for the code
 * only after a failure would make every TOTP user fail once and would hint which accounts use it.
 */
export function SignInPage() {
  const { t, locale } = useI18n();
  const { signIn } = useSession();
  const form = useContractForm({
    schema: ZLoginBody,
    defaultValues: { email: '', password: '', totp: '' },
    toBody: ({ email, password, totp }) => ({ email, password, ...(totp ? { totp } : {}) }),
  });

  const invalidCredentials = form.error instanceof ApiError && form.error.code === 'INVALID_CREDENTIALS';
  return (
    <main id="main" className="sign-in">
      <div className="sign-in-card">
        <BrandBar />
        <h1>{t('signIn.title')}</h1>
        <p className="muted">{t('signIn.intro')}</p>
        <FormAlert error={form.error} fieldErrors={form.fieldErrors} />
        {invalidCredentials ? <p className="hint">{t('signIn.invalidHint')}</p> : null}
        <form onSubmit={form.onSubmit(signIn)} noValidate lang={locale}>
          <Field label={t('signIn.email')} type="email" autoComplete="username" required {...form.bind('email')} />
          <Field label={t('signIn.password')} type="password" autoComplete="current-password" required {...form.bind('password')} />
          <Field
            label={t('signIn.totp')}
            hint={t('signIn.totpHint')}
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9]{6}"
            maxLength={6}
            {...form.bind('totp')}
            onValue={(value) => form.set('totp', value.replace(/\D/g, ''))}
          />
          <button type="submit" className="button primary" disabled={form.busy}>
            {form.busy ? t('signIn.submitting') : t('signIn.submit')}
          </button>
        </form>
      </div>
    </main>
  );
}
