import type { ServiceStandards, VpsRequestDto } from '@betang/core';
import { useI18n } from '../../i18n/use-i18n';
import type { RunView } from './live-request';
import { serviceClocks, type PhaseClock } from './service-clock';

/** Time taken so far (or in total) per phase against the service standard operators set. */
export function ServiceClock({
  request,
  runs,
  standards,
  now,
}: {
  request: VpsRequestDto;
  runs: RunView[];
  standards: ServiceStandards;
  now: number;
}) {
  const { t, number } = useI18n();
  const clocks = serviceClocks(request, runs, standards, now);
  const line = (label: string, clock: PhaseClock) => {
    const over = clock.elapsedMinutes > clock.targetMinutes;
    const text = t(clock.done ? 'requests.clockDone' : 'requests.clockRunning', {
      elapsed: duration(clock.elapsedMinutes),
      target: duration(clock.targetMinutes),
    });
    return (
      <li>
        <strong>{label}:</strong> <span className={over ? 'over' : undefined}>{text}</span>
        {over ? <span className="over"> {t('requests.clockOver')}</span> : null}
      </li>
    );
  };
  function duration(minutes: number): string {
    return minutes >= 120 ? t('requests.hours', { n: number(minutes / 60) }) : t('requests.minutes', { n: number(minutes, 0) });
  }
  return (
    <ul className="step-list" aria-label={t('requests.clockTitle')}>
      {line(t('requests.clockApproval'), clocks.approval)}
      {clocks.provisioning ? line(t('requests.clockProvisioning'), clocks.provisioning) : null}
    </ul>
  );
}
