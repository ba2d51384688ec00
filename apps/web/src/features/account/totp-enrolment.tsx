import { useMutation } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useApi } from '../../api/api-context';
import { enableTotp, newTotpSecret } from '../../api/session.api';
import { useI18n } from '../../i18n/use-i18n';
import { useMe } from '../../session/session-context';
import { FormAlert } from '../../ui/alert';
import { Field } from '../../ui/field';
import { useContractForm } from '../../ui/use-contract-form';
import { FormActions } from '../../ui/form-actions';
import { ZTotpConfirmValues } from '../../forms/form-schemas';
import { SsoReauth, useReauthState } from '../reauth/sso-reauth';

const EMPTY = { password: '', code: '', currentCode: '' };

/** Groups a base32 secret in fours so it can be typed into an authenticator app. */
function grouped(secret: string): string {
  return secret.replace(/(.{4})/g, '$1 ').trim();
}

/**
 * The otpauth link as a QR code image (a data: URL, allowed by the CSP), drawn in the browser: the
 * secret never leaves it. The QR library loads only when a code is drawn (few people enrol).
 */
function useQrCode(text: string | undefined): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    setUrl(null);
    if (text) {
      import('qrcode')
        .then(({ default: QRCode }) => QRCode.toDataURL(text, { errorCorrectionLevel: 'M', margin: 2, width: 220 }))
        .then((data) => current && setUrl(data))
        .catch(() => current && setUrl(null));
    }
    return () => {
      current = false;
    };
  }, [text]);
  return url;
}

/**
 * TOTP enrolment: asks the API for a new secret, shows it as a QR code, as an otpauth link and as
 * a key to type, and confirms it with the password and a code from the app — and, when TOTP is
 * already on (replacing the device), a code from the app in use. Calls `onEnabled` once the API
 * has switched TOTP on.
 */
export function TotpEnrolment({ onEnabled, startNow = false }: { onEnabled(): Promise<void> | void; startNow?: boolean }) {
  const { t } = useI18n();
  const api = useApi();
  const me = useMe();
  const [enrolment, setEnrolment] = useState<{ secret: string; otpauthUrl: string } | null>(null);
  const replacing = me.user.totpEnabled;
  const reauth = useReauthState();
  const start = useMutation({ mutationFn: () => newTotpSecret(api), onSuccess: setEnrolment });
  const confirm = useContractForm({ schema: ZTotpConfirmValues, defaultValues: EMPTY });
  const qr = useQrCode(enrolment?.otpauthUrl);

  // Only once, on mount, when asked to start at once (the enrolment gate).
  useEffect(() => {
    if (startNow) start.mutate();
  }, []);

  return (
    <>
      <FormAlert error={start.error} fieldErrors={{}} />
      {/* Before a secret exists: signing in again at the provider reloads this page. */}
      {!enrolment ? <SsoReauth state={reauth} /> : null}
      {!enrolment ? (
        <button type="button" className="button primary" onClick={() => start.mutate()} disabled={start.isPending}>
          {me.user.totpEnabled ? t('security.reenrol') : t('security.start')}
        </button>
      ) : (
        <form
          className="form-grid"
          onSubmit={confirm.onSubmit(async ({ password, code, currentCode }) => {
            await enableTotp(api, {
              secret: enrolment.secret,
              code,
              ...(reauth.fresh ? {} : { password }),
              ...(replacing ? { currentCode } : {}),
            });
            setEnrolment(null);
            confirm.reset(EMPTY);
            await onEnabled();
          })}
          noValidate
        >
          <ol className="steps">
            <li>{t('security.step1')}</li>
            <li>
              {t('security.stepScan')}
              <span className="block">
                {qr ? <img className="totp-qr" src={qr} width={220} height={220} alt={t('security.qrAlt')} data-testid="totp-qr" /> : null}
              </span>
              <a href={enrolment.otpauthUrl}>{t('security.openApp')}</a>
              <span className="block muted small">{t('security.otpauthUrl')}</span>
              <code className="secret block small" data-testid="otpauth-url">
                {enrolment.otpauthUrl}
              </code>
            </li>
            <li>
              {t('security.step2')}
              <code className="secret block" data-testid="totp-secret">
                {grouped(enrolment.secret)}
              </code>
            </li>
            <li>{t('security.step3')}</li>
          </ol>
          <p className="muted small">{t('security.changeNote')}</p>
          <FormAlert error={confirm.error} fieldErrors={confirm.fieldErrors} />
          {reauth.fresh ? null : (
            <Field label={t('security.password')} type="password" autoComplete="current-password" required {...confirm.bind('password')} />
          )}
          {replacing ? (
            <Field
              label={t('security.currentCode')}
              hint={t('security.currentCodeHint')}
              inputMode="numeric"
              autoComplete="one-time-code"
              maxLength={6}
              required
              {...confirm.bind('currentCode')}
              onValue={(value) => confirm.set('currentCode', value.replace(/\D/g, ''))}
            />
          ) : null}
          <Field
            label={replacing ? t('security.newCode') : t('security.code')}
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={6}
            required
            {...confirm.bind('code')}
            onValue={(value) => confirm.set('code', value.replace(/\D/g, ''))}
          />
          <FormActions
            busy={confirm.busy}
            saveLabel={replacing ? t('security.replace') : t('security.confirm')}
            onCancel={() => setEnrolment(null)}
          />
        </form>
      )}
    </>
  );
}
