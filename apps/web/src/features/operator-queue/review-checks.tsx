import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../api/api-context';
import { getReviewChecks } from '../../api/operator-queue.api';
import { queryKeys } from '../../api/query-keys';
import { useI18n } from '../../i18n/use-i18n';
import { ErrorAlert, Loading } from '../../ui/alert';
import './console.css';

/**
 * The checks an operator reads before approving (GET /vps-requests/:id/checks): agreement,
 * coverage, ceiling, quota and pool, each with its status in words (not colour alone) and the
 * server's sentence in the current language. Says plainly when approval will be refused.
 */
export function ReviewChecks({ requestId, level = 3 }: { requestId: string; /** Heading level where it is placed. */ level?: 2 | 3 }) {
  const { t, locale } = useI18n();
  const api = useApi();
  const Heading = level === 2 ? 'h2' : 'h3';
  const checks = useQuery({ queryKey: queryKeys.requestChecks(requestId), queryFn: () => getReviewChecks(api, requestId) });
  return (
    <section aria-labelledby="review-checks-title" className={level === 2 ? 'card review-checks' : 'review-checks'}>
      <Heading id="review-checks-title">{t('cockpit.checksTitle')}</Heading>
      {checks.isPending ? <Loading /> : null}
      <ErrorAlert error={checks.error} />
      {checks.data ? (
        <>
          <ul className="check-list">
            {checks.data.checks.map((c) => (
              <li key={c.key} className={`check check-${c.status}`} data-check={c.key} data-status={c.status}>
                <span className="check-mark" aria-hidden="true">
                  {c.status === 'passed' ? '✓' : '✕'}
                </span>
                <strong>{t(`cockpit.check.${c.key}`)}</strong>{' '}
                <span className="check-status">{t(c.status === 'passed' ? 'cockpit.checkPassed' : 'cockpit.checkFailed')}</span>
                <span className="check-message">{c.message[locale]}</span>
              </li>
            ))}
          </ul>
          <p role="status" className={checks.data.approvable ? 'hint' : 'check-verdict-blocked'}>
            {t(checks.data.approvable ? 'cockpit.approvable' : 'cockpit.notApprovable')}
          </p>
        </>
      ) : null}
    </section>
  );
}
