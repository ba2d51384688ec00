import { useI18n } from '../i18n/use-i18n';

/**
 * One quota line: label, "used of limit unit", and a bar. The bar is decorative (aria-hidden);
 * the text carries the numbers, including the percentage.
 */
export function QuotaBar({ label, used, limit, unit }: { label: string; used: number; limit: number; unit: string }) {
  const { t, number } = useI18n();
  const percent = limit > 0 ? Math.min(100, Math.round((used / limit) * 100)) : used > 0 ? 100 : 0;
  const level = percent >= 90 ? 'high' : percent >= 70 ? 'medium' : 'low';
  return (
    <div className="quota">
      <div className="quota-text">
        <span className="quota-label">{label}</span>
        <span>{t('quota.usedOf', { used: number(used), limit: number(limit), unit, percent })}</span>
      </div>
      <div className="quota-track" aria-hidden="true">
        <div className={`quota-fill quota-${level}`} style={{ width: `${percent}%` }} />
      </div>
    </div>
  );
}
