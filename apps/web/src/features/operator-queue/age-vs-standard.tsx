import { useI18n } from '../../i18n/use-i18n';
import { StatusBadge } from '../../ui/status-badge';
import { useDuration } from './duration';
import './console.css';

/**
 * How long something has waited against its service standard: "3 j 5 mnt (standar 24 j)", and a
 * "Lewat standar" badge when overdue. The badge's text carries the meaning; the colour repeats it.
 */
export function AgeVsStandard({
  ageMinutes,
  targetMinutes,
  overdue,
  stacked,
}: {
  ageMinutes: number;
  targetMinutes: number;
  overdue: boolean;
  stacked?: boolean;
}) {
  const { t } = useI18n();
  const duration = useDuration();
  return (
    <span className={`${overdue ? 'age age-overdue' : 'age'}${stacked ? ' age-stacked' : ''}`}>
      {stacked ? (
        <>
          <span className="nowrap">{duration(ageMinutes)}</span>
          <span className="small muted">{t('opCommon.standardOf', { target: duration(targetMinutes) })}</span>
        </>
      ) : (
        <span>{t('opCommon.ageOfTarget', { age: duration(ageMinutes), target: duration(targetMinutes) })}</span>
      )}
      {overdue ? <StatusBadge tone="bad">{t('opCommon.overdue')}</StatusBadge> : null}
    </span>
  );
}
