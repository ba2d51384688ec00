import { ZSignAgreementBody, type AgreementDto } from '@betang/core';
import { useId, useState, type FormEvent } from 'react';
import { useApi } from '../../api/api-context';
import { ApiError } from '../../api/api-error';
import { signAgreement } from '../../api/agreements.api';
import { useI18n } from '../../i18n/use-i18n';
import { useMe } from '../../session/session-context';
import { FormAlert } from '../../ui/alert';
import { Field } from '../../ui/field';
import { useSubmit, validateWith } from '../../ui/form-state';
import { FormActions } from '../../ui/form-actions';

/**
 * Signing with re-authentication: the exact SHA-256 of the document is shown and sent back as
 * expectedSha256 (a document changed in between → 409), the password (and the TOTP code when the
 * account has one) is asked again, and the consent statement must be ticked.
 */
export function SignAgreementForm({ agreement, onSigned, onStale }: { agreement: AgreementDto; onSigned(a: AgreementDto): void; onStale(): void }) {
  const { t } = useI18n();
  const api = useApi();
  const me = useMe();
  const consentId = useId();
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [consent, setConsent] = useState(false);
  const form = useSubmit();

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const body = { password, consent, expectedSha256: agreement.currentSha256, ...(totp ? { totp } : {}) };
    const errors = validateWith(ZSignAgreementBody, body);
    if (Object.keys(errors).length > 0) {
      form.setError(undefined);
      form.setFieldErrors(errors);
      return;
    }
    const signed = await form.submit(() => signAgreement(api, agreement.id, ZSignAgreementBody.parse(body)));
    if (signed) onSigned(signed);
  }

  const conflict = form.error instanceof ApiError && form.error.status === 409;
  const wrongCredentials = form.error instanceof ApiError && form.error.code === 'INVALID_CREDENTIALS';
  return (
    <form className="card form-grid" onSubmit={onSubmit} noValidate aria-labelledby="sign-title">
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
      <Field label={t('agreements.password')} type="password" required autoComplete="current-password" value={password} onValue={setPassword} error={form.fieldErrors.password} />
      {me.user.totpEnabled ? (
        <Field label={t('agreements.totp')} inputMode="numeric" autoComplete="one-time-code" required value={totp} onValue={setTotp} error={form.fieldErrors.totp} />
      ) : null}
      <div className="field field-wide">
        <label className="choice" htmlFor={consentId}>
          <input id={consentId} type="checkbox" checked={consent} onChange={(event) => setConsent(event.target.checked)} aria-invalid={form.fieldErrors.consent ? true : undefined} aria-describedby={form.fieldErrors.consent ? `${consentId}-error` : undefined} />
          {agreement.consentText ?? t('agreements.consentFallback', { sha: agreement.currentSha256 })}
        </label>
        {form.fieldErrors.consent ? (
          <p className="field-error" id={`${consentId}-error`}>
            {t('agreements.consentRequired')}
          </p>
        ) : null}
      </div>
      <FormActions busy={form.busy} saveLabel={t('agreements.signSubmit')} />
    </form>
  );
}
