import { useEffect } from 'react';
import { TotpEnrolment } from '../account/totp-enrolment';
import { useI18n } from '../../i18n/use-i18n';
import { useLocation, useNavigate } from 'react-router';
import { useMe, useSession } from '../../session/session-context';
import { BrandBar } from '../../shell/brand-bar';

/** Where the gate lives: the account's security page, so a reload keeps the person on it. */
export const TOTP_ENROLMENT_PATH = '/account/security';

/**
 * The only screen for a signed-in user whose role requires TOTP and who has not enrolled (the API
 * refuses everything else with TOTP_ENROLMENT_REQUIRED): why, the enrolment (QR code, link, key,
 * confirmation) and sign-out. Whatever path was asked for, it shows this; once TOTP is on, the
 * session is reloaded and the normal app appears.
 */
export function TotpEnrolmentGate() {
  const { t } = useI18n();
  const me = useMe();
  const { refresh, signOut } = useSession();
  const { pathname: path } = useLocation();
  const navigate = useNavigate();

  useEffect(() => {
    if (path !== TOTP_ENROLMENT_PATH) void navigate(TOTP_ENROLMENT_PATH, { replace: true });
  }, [path, navigate]);

  async function onSignOut() {
    await signOut().catch(() => undefined);
    void navigate('/login', { replace: true });
  }

  return (
    <main id="main" className="sign-in">
      <div className="sign-in-card totp-gate">
        <BrandBar />
        <h1>{t('totpGate.title')}</h1>
        <p role="status">{t('totpGate.explain', { name: me.user.name })}</p>
        <p className="muted">{t('totpGate.why')}</p>
        <TotpEnrolment startNow onEnabled={refresh} />
        <p className="muted small">
          <button type="button" className="button" onClick={onSignOut}>
            {t('shell.signOut')}
          </button>
        </p>
      </div>
    </main>
  );
}
