import { useState, type FormEvent } from 'react';
import { useApi } from '../../api/api-context';
import { enableTotp, newTotpSecret } from '../../api/session.api';
import { useI18n } from '../../i18n/i18n-context';
import { useMe, useSession } from '../../session/session-context';
import { FormAlert, LiveRegion } from '../../ui/alert';
import { Field } from '../../ui/field';
import { useSubmit } from '../../ui/form-state';
import { Page } from '../../ui/page';

/** Groups a base32 secret in fours so it can be typed into an authenticator app. */
function grouped(secret: string): string {
  return secret.replace(/(.{4})/g, '$1 ').trim();
}

/** Two-factor sign-in (TOTP): enrol with the otpauth link or the secret, confirm with password and code. */
export function SecurityPage() {
  const { t } = useI18n();
  const api = useApi();
  const me = useMe();
  const { refresh } = useSession();
  const [enrolment, setEnrolment] = useState<{ secret: string; otpauthUrl: string } | null>(null);
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [done, setDone] = useState(false);
  const start = useSubmit();
  const confirm = useSubmit();

  async function onStart() {
    const answer = await start.submit(() => newTotpSecret(api));
    if (answer) setEnrolment(answer);
  }

  async function onConfirm(event: FormEvent) {
    event.preventDefault();
    if (!enrolment) return;
    const ok = await confirm.submit(async () => {
      await enableTotp(api, { secret: enrolment.secret, code, password });
      return true;
    });
    if (ok) {
      setDone(true);
      setEnrolment(null);
      setPassword('');
      setCode('');
      await refresh();
    }
  }

  return (
    <Page title={t('security.title')}>
      <LiveRegion kind="success">{done ? t('security.enabled') : null}</LiveRegion>
      <section className="card" aria-labelledby="totp-title">
        <h2 id="totp-title">{t('security.totpTitle')}</h2>
        <p>{me.user.totpEnabled ? t('security.totpOn') : t('security.totpOff')}</p>
        <p className="muted">{t('security.totpExplain')}</p>
        <FormAlert error={start.error} fieldErrors={{}} />
        {!enrolment ? (
          <button type="button" className="button primary" onClick={onStart} disabled={start.busy}>
            {me.user.totpEnabled ? t('security.reenrol') : t('security.start')}
          </button>
        ) : (
          <form className="form-grid" onSubmit={onConfirm} noValidate>
            <ol className="steps">
              <li>
                {t('security.step1')}{' '}
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
            <FormAlert error={confirm.error} fieldErrors={confirm.fieldErrors} />
            <Field label={t('security.password')} type="password" autoComplete="current-password" required value={password} onValue={setPassword} error={confirm.fieldErrors.password} />
            <Field
              label={t('security.code')}
              inputMode="numeric"
              autoComplete="one-time-code"
              maxLength={6}
              required
              value={code}
              onValue={(value) => setCode(value.replace(/\D/g, ''))}
              error={confirm.fieldErrors.code}
            />
            <div className="form-actions">
              <button type="submit" className="button primary" disabled={confirm.busy}>
                {t('security.confirm')}
              </button>
              <button type="button" className="button" onClick={() => setEnrolment(null)}>
                {t('common.cancel')}
              </button>
            </div>
          </form>
        )}
      </section>
    </Page>
  );
}
