import { useSearchParams } from 'react-router';
import { useI18n } from '../../i18n/use-i18n';
import type { MessageKey } from '../../i18n/i18n';
import { BrandBar } from '../../shell/brand-bar';
import { Link } from '../../ui/link';

/** The person signed in at the identity provider, but Betang does not know them yet: no access until an admin gives it. */
export function SsoPendingPage() {
  const { t } = useI18n();
  return (
    <div className="sign-in-card">
      <BrandBar />
      <h1>{t('sso.pendingTitle')}</h1>
      <p>{t('sso.pendingBody')}</p>
      <p className="muted">{t('sso.pendingNext')}</p>
      <p>
        <Link to="/login">{t('password.backToSignIn')}</Link>
      </p>
    </div>
  );
}

const REASONS: Record<string, MessageKey> = {
  expired: 'sso.failed.expired',
  unavailable: 'sso.failed.unavailable',
  inactive: 'sso.failed.inactive',
  invalid: 'sso.failed.invalid',
};

/** A sign-on the API refused; says why in words a person can act on (details are in the audit log). */
export function SsoFailedPage() {
  const { t } = useI18n();
  const [params] = useSearchParams();
  const reason = REASONS[params.get('reason') ?? ''] ?? 'sso.failed.invalid';
  return (
    <div className="sign-in-card">
      <BrandBar />
      <h1>{t('sso.failedTitle')}</h1>
      <p role="alert">{t(reason)}</p>
      <p>
        <Link to="/login">{t('password.backToSignIn')}</Link>
      </p>
    </div>
  );
}
