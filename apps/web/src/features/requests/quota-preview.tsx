import type { QuotaResponse, Resources } from '@betang/core';
import { useI18n } from '../../i18n/use-i18n';

type Line = { label: string; limit: number; used: number; chosen: number; unit: string };

/** Quota left after this request, per dimension, updated as people choose; over-limit lines are marked. */
export function QuotaPreview({ quota, chosen }: { quota: QuotaResponse; chosen: Resources | null }) {
  const { t, number } = useI18n();
  const c = chosen && !Number.isNaN(chosen.cores + chosen.memoryMiB + chosen.diskGiB) ? chosen : { cores: 0, memoryMiB: 0, diskGiB: 0 };
  const lines: Line[] = [
    { label: t('quota.cores'), limit: quota.limits.cores, used: quota.usage.cores, chosen: c.cores, unit: t('unit.vcpu') },
    {
      label: t('quota.memory'),
      limit: quota.limits.memoryMiB / 1024,
      used: quota.usage.memoryMiB / 1024,
      chosen: c.memoryMiB / 1024,
      unit: t('unit.gib'),
    },
    { label: t('quota.disk'), limit: quota.limits.diskGiB, used: quota.usage.diskGiB, chosen: c.diskGiB, unit: t('unit.gib') },
    { label: t('quota.vms'), limit: quota.limits.vmCount, used: quota.usage.vmCount, chosen: 1, unit: t('unit.vm') },
  ];
  return (
    <section className="card" aria-labelledby="quota-left-title" aria-live="polite">
      <h2 id="quota-left-title">{t('requests.quotaLeftTitle')}</h2>
      <ul className="step-list" data-testid="quota-left">
        {lines.map((line) => {
          const left = line.limit - line.used - line.chosen;
          return (
            <li key={line.label}>
              <strong>{line.label}:</strong>
              <span className={left < 0 ? 'over' : undefined}>
                {left < 0
                  ? t('requests.quotaOver', { over: number(-left), unit: line.unit })
                  : t('requests.quotaLeft', { left: number(left), limit: number(line.limit), unit: line.unit })}
              </span>
            </li>
          );
        })}
      </ul>
      {quota.updatedAt === null ? <p className="muted small">{t('quota.notSet')}</p> : null}
    </section>
  );
}
