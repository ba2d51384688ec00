import { ZLoginBody } from '@betang/core';
import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../api/api-context';
import { queryKeys } from '../../api/query-keys';
import { getSsoStatus, SSO_START_PATH } from '../../api/sso.api';
import { ApiError } from '../../api/api-error';
import { useI18n } from '../../i18n/use-i18n';
import { useSession } from '../../session/session-context';
import { FormAlert } from '../../ui/alert';
import { Field } from '../../ui/field';
import { useContractForm } from '../../ui/use-contract-form';
import { BrandBar } from '../../shell/brand-bar';
import { Link } from '../../ui/link';

/**
 * Sign-in. The TOTP field is always there, marked optional: the API answers every failure with
 * the same INVALID_CREDENTIALS (it never says whether a code was needed), so asking for the code
 * only after a failure would make every TOTP user fail once and would hint which accounts use it.
 */
export function SignInPage() {
  const { t, locale } = useI18n();
  const { signIn } = useSession();
  const api = useApi();
  // Without an answer (or with SSO off) the page is the password form alone.
  const sso = useQuery({ queryKey: queryKeys.ssoStatus, queryFn: () => getSsoStatus(api), staleTime: Infinity, retry: false });
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
        {sso.data?.enabled ? (
          <div className="sso-sign-in">
            {/* A full-page navigation: the API redirects to the identity provider. */}
            <a className="button primary" href={SSO_START_PATH}>
              {t('sso.signIn')}
            </a>
            <p className="hint">{t('sso.signInHint')}</p>
            <p className="muted">{t('sso.or')}</p>
          </div>
        ) : null}
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
        <p>
          <Link to="/forgot-password">{t('password.forgotLink')}</Link>
        </p>
      </div>
    </main>
  );
}
