import { ApiError } from '../../api/api-error';
import { useI18n } from '../../i18n/use-i18n';
import { Link } from '../../ui/link';

/**
 * Explains a 422 refusal of the request and links to what fixes it: no agreement in force, or
 * one that does not cover the application or OS template → the agreement page; quota exceeded → the quota on the dashboard and the operators who raise it.
 */
export function Refusal({ error }: { error: unknown }) {
  const { t } = useI18n();
  if (!(error instanceof ApiError)) return null;
  // An agreement is in force but does not list the application or name the OS template; the form's alert shows the server's message naming which.
  const gaps = (error.details as { gaps?: unknown } | null | undefined)?.gaps;
  if (error.code === 'NO_AGREEMENT_IN_FORCE' && Array.isArray(gaps) && gaps.length > 0) {
    return (
      <div className="card field-wide" data-testid="refusal">
        <h3>{t('cockpit.refusal.scopeTitle')}</h3>
        <p>{t('cockpit.refusal.scopeBody')}</p>
        <Link to="/agreements">{t('requests.refusal.agreementLink')}</Link>
      </div>
    );
  }
  if (error.code === 'NO_AGREEMENT_IN_FORCE') {
    return (
      <div className="card field-wide" data-testid="refusal">
        <h3>{t('requests.refusal.agreementTitle')}</h3>
        <p>{t('requests.refusal.agreementBody')}</p>
        <Link to="/agreements">{t('requests.refusal.agreementLink')}</Link>
      </div>
    );
  }
  if (error.code === 'QUOTA_EXCEEDED') {
    return (
      <div className="card field-wide" data-testid="refusal">
        <h3>{t('requests.refusal.quotaTitle')}</h3>
        <p>{t('requests.refusal.quotaBody')}</p>
        <Link to="/">{t('requests.refusal.quotaLink')}</Link>
      </div>
    );
  }
  return null;
}
