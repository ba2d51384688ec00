import type { RequestPrecheckDto } from '@betang/core';
import { useI18n } from '../../i18n/use-i18n';
import { Link } from '../../ui/link';

const LINKS = { agreements: '/agreements', quota: '/' } as const;

/**
 * What stands between the institution and a submitted request, before anything is typed: each
 * blocker as the server's next step in the chosen language, with a link to where it is taken.
 * Nothing is shown until the first answer; "nothing blocks" once everything is clear.
 */
export function SubmitGuidance({ precheck }: { precheck: RequestPrecheckDto | undefined }) {
  const { t, locale } = useI18n();
  if (!precheck) return null;
  const blocked = precheck.blockers.length > 0;
  return (
    <section
      className={blocked ? 'card guidance blocked' : 'card guidance'}
      aria-labelledby="guidance-title"
      aria-live="polite"
      data-testid="guidance"
    >
      <h2 id="guidance-title">{blocked ? t('guidance.blockedTitle') : t('guidance.clearTitle')}</h2>
      {blocked ? (
        <ul className="step-list">
          {precheck.blockers.map((blocker) => (
            <li key={`${blocker.key}-${blocker.message.id}`} className="block" data-blocker={blocker.key}>
              <span>{blocker.message[locale]}</span>
              {blocker.link ? (
                <Link className="block" to={LINKS[blocker.link]}>
                  {t(blocker.link === 'agreements' ? 'guidance.openAgreements' : 'guidance.openQuota')}
                </Link>
              ) : null}
            </li>
          ))}
        </ul>
      ) : (
        <p>{t('guidance.clearBody')}</p>
      )}
    </section>
  );
}
