import { useI18n } from '../../i18n/use-i18n';

/** Splits whole minutes into days, hours and minutes (negative input counts as zero). */
export function splitMinutes(total: number): { days: number; hours: number; minutes: number } {
  const whole = Math.max(0, Math.floor(total));
  return { days: Math.floor(whole / 1440), hours: Math.floor((whole % 1440) / 60), minutes: whole % 60 };
}

/** Formats a span of minutes in the UI language, coarsest two units: "2 h 3 j", "5 j 10 mnt", "7 mnt"; a zero second unit is left out ("1 j"). */
export function useDuration(): (minutes: number) => string {
  const { t } = useI18n();
  return (total) => {
    const { days, hours, minutes } = splitMinutes(total);
    if (days > 0) return hours > 0 ? t('opCommon.daysHours', { days, hours }) : t('opCommon.days', { days });
    if (hours > 0) return minutes > 0 ? t('opCommon.hoursMinutes', { hours, minutes }) : t('opCommon.hours', { hours });
    return t('opCommon.minutes', { minutes });
  };
}
