import { useState } from 'react';
import { useLocation, useSearchParams } from 'react-router';
import { useApi } from '../../api/api-context';
import { startSsoReauth } from '../../api/sso.api';
import { useI18n } from '../../i18n/use-i18n';
import { useMe } from '../../session/session-context';
import { FormAlert } from '../../ui/alert';

/** How the signed-in user can prove it is them again before a sensitive action (from GET /me `reauth`). */
export type ReauthState = {
  /** The Betang password is accepted. */
  password: boolean;
  /** They can sign in again at the identity provider. */
  sso: boolean;
  /** A re-authentication at the provider is still standing in for the password (until `until`). */
  fresh: boolean;
  until: Date | null;
  /** That re-authentication was multi-factor: no TOTP code is asked. */
  multiFactor: boolean;
};

/** The caller's re-authentication options; a missing `reauth` (older API) means "password only". */
export function useReauthState(): ReauthState {
  const me = useMe();
  const reauth = me.reauth;
  const until = reauth?.ssoUntil ? new Date(reauth.ssoUntil) : null;
  const fresh = until !== null && until.getTime() > Date.now();
  return {
    password: reauth?.password ?? true,
    sso: reauth?.sso ?? false,
    fresh,
    until: fresh ? until : null,
    multiFactor: fresh && (reauth?.ssoMultiFactor ?? false),
  };
}

/**
 * Signing in again at the identity provider from a sensitive screen: a button that goes to the
 * provider's login page and comes back to this page, the state while it stands in for the
 * password, and what happened when the provider refused.
 */
export function SsoReauth({ state }: { state: ReauthState }) {
  const { t, dateTime } = useI18n();
  const api = useApi();
  const location = useLocation();
  const [params] = useSearchParams();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const outcome = params.get('reauth');

  if (state.fresh && state.until)
    return (
      <p className="field-wide hint" data-testid="reauth-fresh">
        {t('reauth.fresh', { time: dateTime(state.until.toISOString()) })}
      </p>
    );
  if (!state.sso) return null;

  async function go() {
    setBusy(true);
    setError(null);
    try {
      // Back to this very page; the API adds ?reauth=… itself.
      const { url } = await startSsoReauth(api, location.pathname);
      window.location.assign(url);
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  }

  return (
    <div className="field-wide sso-reauth">
      {outcome === 'refused' ? <p role="alert">{t('reauth.refused')}</p> : null}
      {outcome === 'failed' ? <p role="alert">{t('reauth.failed')}</p> : null}
      <FormAlert error={error} fieldErrors={{}} />
      <p className="hint">{state.password ? t('reauth.orSso') : t('reauth.ssoOnly')}</p>
      <button type="button" className="button" onClick={() => void go()} disabled={busy}>
        {t('reauth.button')}
      </button>
    </div>
  );
}
