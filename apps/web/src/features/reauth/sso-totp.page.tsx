import { ZSsoTotpBody } from '@betang/core';
import { useNavigate } from 'react-router';
import { useApi } from '../../api/api-context';
import { ApiError } from '../../api/api-error';
import { finishSsoTotp, SSO_START_PATH } from '../../api/sso.api';
import { useI18n } from '../../i18n/use-i18n';
import { useSession } from '../../session/session-context';
import { BrandBar } from '../../shell/brand-bar';
import { FormAlert } from '../../ui/alert';
import { Field } from '../../ui/field';
import { useContractForm } from '../../ui/use-contract-form';

/**
 * After a one-factor login at the identity provider, a user who enrolled TOTP in Betang gives its
 * code here; the API opens the session only then (the waiting sign-on is in an HttpOnly cookie).
 */
export function SsoTotpPage() {
  const { t, locale } = useI18n();
  const api = useApi();
  const { refresh } = useSession();
  const navigate = useNavigate();
  const form = useContractForm({ schema: ZSsoTotpBody, defaultValues: { code: '' }, toBody: (v) => ({ code: v.code }) });
  const expired = form.error instanceof ApiError && form.error.code === 'INVALID_STATE';
  return (
    <main id="main" className="sign-in">
      <div className="sign-in-card">
        <BrandBar />
        <h1>{t('reauth.totpTitle')}</h1>
        <p className="muted">{t('reauth.totpIntro')}</p>
        <FormAlert error={form.error} fieldErrors={form.fieldErrors} />
        {expired ? (
          <p>
            <a className="button" href={SSO_START_PATH}>
              {t('reauth.totpExpired')}
            </a>
          </p>
        ) : null}
        <form
          lang={locale}
          noValidate
          onSubmit={form.onSubmit(async (body) => {
            const answer = await finishSsoTotp(api, body);
            api.setCsrfToken(answer.csrfToken);
            await refresh();
            await navigate('/');
          })}
        >
          <Field
            label={t('reauth.totpCode')}
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9]{6}"
            maxLength={6}
            required
            {...form.bind('code')}
            onValue={(value) => form.set('code', value.replace(/\D/g, ''))}
          />
          <button type="submit" className="button primary" disabled={form.busy}>
            {t('reauth.totpSubmit')}
          </button>
        </form>
      </div>
    </main>
  );
}
