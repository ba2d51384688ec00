import { ZSignAgreementBody, type AgreementDto } from '@betang/core';
import { useId } from 'react';
import { useApi } from '../../api/api-context';
import { ApiError } from '../../api/api-error';
import { signAgreement } from '../../api/agreements.api';
import { useI18n } from '../../i18n/use-i18n';
import { useMe } from '../../session/session-context';
import { FormAlert } from '../../ui/alert';
import { Field } from '../../ui/field';
import { useContractForm } from '../../ui/use-contract-form';
import { FormActions } from '../../ui/form-actions';
import { SsoReauth, useReauthState } from '../reauth/sso-reauth';

/**
 * Signing with re-authentication: the exact SHA-256 of the document is shown and sent back as
 * expectedSha256 (a document changed in between → 409), the password (and the TOTP code when the
 * account has one) is asked again — or, for people who sign in through SSO, a fresh login at the
 * identity provider stands in for the password — and the consent statement must be ticked.
 */
export function SignAgreementForm({
  agreement,
  onSigned,
  onStale,
}: {
  agreement: AgreementDto;
  onSigned(a: AgreementDto): void;
  onStale(): void;
}) {
  const { t } = useI18n();
  const api = useApi();
  const me = useMe();
  const consentId = useId();
  const reauth = useReauthState();
  const askPassword = !reauth.fresh && reauth.password;
  const askTotp = me.user.totpEnabled && !reauth.multiFactor;
  const form = useContractForm({
    schema: ZSignAgreementBody,
    defaultValues: { password: '', totp: '', consent: false },
    toBody: (v) => ({
      ...(askPassword && v.password ? { password: v.password } : {}),
      consent: v.consent,
      expectedSha256: agreement.currentSha256,
      ...(v.totp ? { totp: v.totp } : {}),
    }),
  });
  const consent = form.values.consent;

  const conflict = form.error instanceof ApiError && form.error.status === 409;
  const wrongCredentials = form.error instanceof ApiError && form.error.code === 'INVALID_CREDENTIALS';
  return (
    <form
      className="card form-grid"
      onSubmit={form.onSubmit(async (body) => onSigned(await signAgreement(api, agreement.id, body)))}
      noValidate
      aria-labelledby="sign-title"
    >
      <h2 id="sign-title">{t('agreements.signTitle')}</h2>
      <FormAlert error={form.error} fieldErrors={form.fieldErrors} />
      {conflict ? (
        <div className="field-wide">
          <p>{t('agreements.signConflict')}</p>
          <button type="button" className="button" onClick={onStale}>
            {t('agreements.reload')}
          </button>
        </div>
      ) : null}
      {wrongCredentials ? <p className="field-wide">{t('agreements.signWrongPassword')}</p> : null}
      <div className="field-wide">
        <p className="hint">{t('agreements.hashLabel')}</p>
        <code className="hash" data-testid="sign-sha256">
          {agreement.currentSha256}
        </code>
      </div>
      <SsoReauth state={reauth} />
      {askPassword ? (
        <Field label={t('agreements.password')} type="password" required autoComplete="current-password" {...form.bind('password')} />
      ) : null}
      {askTotp ? (
        <Field label={t('agreements.totp')} inputMode="numeric" autoComplete="one-time-code" required {...form.bind('totp')} />
      ) : null}
      <div className="field field-wide">
        <label className="choice" htmlFor={consentId}>
          <input
            id={consentId}
            type="checkbox"
            checked={consent}
            onChange={(event) => form.set('consent', event.target.checked)}
            aria-invalid={form.fieldErrors.consent ? true : undefined}
            aria-describedby={form.fieldErrors.consent ? `${consentId}-error` : undefined}
          />
          {agreement.consentText ?? t('agreements.consentFallback', { sha: agreement.currentSha256 })}
        </label>
        {form.fieldErrors.consent ? (
          <p className="field-error" id={`${consentId}-error`}>
            {t('agreements.consentRequired')}
          </p>
        ) : null}
      </div>
      {askPassword || reauth.fresh ? <FormActions busy={form.busy} saveLabel={t('agreements.signSubmit')} /> : null}
    </form>
  );
}
