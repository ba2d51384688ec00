import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../api/api-context';
import { quotaQuery } from '../../api/queries';
import { useI18n } from '../../i18n/use-i18n';
import { ErrorAlert, Loading } from '../../ui/alert';
import { QuotaBar } from '../../ui/quota-bar';

/** Quota bars of one institution from GET /institutions/:id/quota (usage counts pending and active requests). */
export function QuotaPanel({ institutionId }: { institutionId: string }) {
  const { t, dateTime } = useI18n();
  const quota = useQuery(quotaQuery(useApi(), institutionId));
  return (
    <section className="card" aria-labelledby="quota-title">
      <h2 id="quota-title">{t('quota.title')}</h2>
      {quota.isFetching && !quota.data ? <Loading /> : null}
      <ErrorAlert error={quota.error} />
      {quota.data ? (
        <>
          <QuotaBar label={t('quota.cores')} used={quota.data.usage.cores} limit={quota.data.limits.cores} unit={t('unit.vcpu')} />
          <QuotaBar
            label={t('quota.memory')}
            used={quota.data.usage.memoryMiB / 1024}
            limit={quota.data.limits.memoryMiB / 1024}
            unit={t('unit.gib')}
          />
          <QuotaBar label={t('quota.disk')} used={quota.data.usage.diskGiB} limit={quota.data.limits.diskGiB} unit={t('unit.gib')} />
          <QuotaBar label={t('quota.vms')} used={quota.data.usage.vmCount} limit={quota.data.limits.vmCount} unit={t('unit.vm')} />
          <p className="muted small">
            {quota.data.updatedAt ? t('quota.updatedAt', { at: dateTime(quota.data.updatedAt) }) : t('quota.notSet')}{' '}
            {t('quota.usageNote', { count: quota.data.usage.vmCount })}
          </p>
        </>
      ) : null}
    </section>
  );
}
