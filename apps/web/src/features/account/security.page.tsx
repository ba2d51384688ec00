import { useState } from 'react';
import { useI18n } from '../../i18n/use-i18n';
import { useMe, useSession } from '../../session/session-context';
import { LiveRegion } from '../../ui/alert';
import { Page } from '../../ui/page';
import { ChangePassword } from './change-password';
import { TotpEnrolment } from './totp-enrolment';

/**
 * The account's sign-in: changing the password, and two-factor sign-in (TOTP): enrol with the QR
 * code, the otpauth link or the key, confirm with password and code.
 */
export function SecurityPage() {
  const { t } = useI18n();
  const me = useMe();
  const { refresh } = useSession();
  const [done, setDone] = useState<'enabled' | 'replaced' | null>(null);

  return (
    <Page title={t('security.title')}>
      <LiveRegion kind="success">
        {done === 'replaced' ? t('security.replaced') : done === 'enabled' ? t('security.enabled') : null}
      </LiveRegion>
      <ChangePassword />
      <section className="card" aria-labelledby="totp-title">
        <h2 id="totp-title">{t('security.totpTitle')}</h2>
        <p>{me.user.totpEnabled ? t('security.totpOn') : t('security.totpOff')}</p>
        <p className="muted">{t('security.totpExplain')}</p>
        <TotpEnrolment
          onEnabled={async () => {
            setDone(me.user.totpEnabled ? 'replaced' : 'enabled');
            await refresh();
          }}
        />
      </section>
    </Page>
  );
}
