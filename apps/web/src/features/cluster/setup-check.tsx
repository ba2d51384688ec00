import type { z } from 'zod';
import type { ZSetupCheck } from '@betang/core/contracts';
import { useI18n } from '../../i18n/use-i18n';

type SetupCheck = z.infer<typeof ZSetupCheck>;

/**
 * The worker's last self-check of the Proxmox setup: each problem (a privilege missing on a
 * path, the pool, a storage, a bridge, a template) with the command that fixes it.
 */
export function SetupCheckPanel({ setup }: { setup: SetupCheck | null | undefined }) {
  const { t, locale, dateTime } = useI18n();
  if (!setup) return <p className="muted">{t('opCluster.setupNone')}</p>;
  const problems = setup.findings.filter((f) => f.level !== 'ok');
  return (
    <section aria-labelledby="setup-check">
      <h2 id="setup-check">{t('opCluster.setupTitle')}</h2>
      <p className="muted">{t('opCluster.setupAt', { at: dateTime(setup.checkedAt), version: setup.pveVersion ?? '?' })}</p>
      {problems.length === 0 ? (
        <p>{t('opCluster.setupOk')}</p>
      ) : (
        <div className={setup.problems > 0 ? 'alert alert-error' : 'alert alert-warn'} role={setup.problems > 0 ? 'alert' : 'note'}>
          <p>{t('opCluster.setupProblems', { count: setup.problems })}</p>
          <ul>
            {problems.map((f) => (
              <li key={`${f.check} ${f.subject} ${f.message.en}`}>
                <strong>{f.level === 'error' ? t('opCluster.setupError') : t('opCluster.setupWarn')}</strong> {f.message[locale]}
                {f.fix ? (
                  <>
                    {' '}
                    {t('opCluster.setupFix')} <code>{f.fix}</code>
                  </>
                ) : null}
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
