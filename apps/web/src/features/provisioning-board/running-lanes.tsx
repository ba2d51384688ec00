import type { RunItem } from '../../api/operator-queue.api';
import { useI18n } from '../../i18n/use-i18n';
import { Link } from '../../ui/link';
import { ProgressBar } from '../../ui/progress-bar';
import { AgeVsStandard } from '../operator-queue/age-vs-standard';
import { STEP_LABELS, stepLabel } from './steps';

/** Running runs in lanes by current step (worker order; "waiting" first), each with progress and age. */
export function RunningLanes({ runs }: { runs: readonly RunItem[] }) {
  const { t } = useI18n();
  const order = [null, ...STEP_LABELS.map(([key]) => key)];
  const lanes = new Map<string, RunItem[]>();
  for (const run of runs) {
    const known = order.includes(run.currentStep) ? run.currentStep : 'other';
    const key = known ?? 'waiting';
    lanes.set(key, [...(lanes.get(key) ?? []), run]);
  }
  const keys = [...lanes.keys()].sort((a, b) => order.indexOf(a === 'waiting' ? null : a) - order.indexOf(b === 'waiting' ? null : b));
  return (
    <div className="lanes">
      {keys.map((key) => {
        const label = t(stepLabel(key === 'waiting' ? null : key));
        return (
          <section key={key} className="lane" aria-label={label}>
            <h3>{t('opBoard.laneTitle', { step: label, count: lanes.get(key)?.length ?? 0 })}</h3>
            {(lanes.get(key) ?? []).map((run) => (
              <article key={run.runId} className={run.overdue ? 'run-card overdue' : 'run-card'} aria-label={run.hostname}>
                <p>
                  <Link to={`/vps-requests/${run.requestId}`}>
                    <strong>{run.hostname}</strong>
                  </Link>
                </p>
                <p className="muted small">{run.institutionName}</p>
                <ProgressBar label={t('opBoard.progressOf', { hostname: run.hostname })} value={run.progress} />
                <p className="small">
                  {run.attempt > 1
                    ? t('opBoard.progressAttempt', { percent: Math.round(run.progress), attempt: run.attempt })
                    : t('opBoard.progress', { percent: Math.round(run.progress) })}
                </p>
                <p className="small">
                  <AgeVsStandard ageMinutes={run.ageMinutes} targetMinutes={run.targetMinutes} overdue={run.overdue} />
                </p>
              </article>
            ))}
          </section>
        );
      })}
    </div>
  );
}
