import { Role, stepDetailIn, type VpsRequestDto } from '@betang/core';
import { useI18n } from '../../i18n/use-i18n';
import { holdsAny, useMe } from '../../session/session-context';
import { ProgressBar } from '../../ui/progress-bar';
import { pickLanguage } from '../provisioning-board/bilingual-text';
import { StatusBadge, type StatusTone } from '../../ui/status-badge';
import { isSuperseded, type RunView } from './live-request';
import { runKindKey, stepKey } from './request-labels';

const STEP_TONE: Record<string, StatusTone> = { done: 'good', running: 'busy', failed: 'bad', pending: 'idle', skipped: 'idle' };
const RUN_TONE: Record<string, StatusTone> = {
  awaiting_approval: 'idle',
  succeeded: 'good',
  running: 'busy',
  queued: 'busy',
  failed: 'bad',
  cancelled: 'idle',
};

/** Who may read a run's technical notes and failure reasons (codes, node names, runbook links). */
const TECHNICAL_READERS: readonly Role[] = [Role.Admin, Role.Operator];

/**
 * The request's story: submitted, each approval decision, each run with its steps and progress,
 * in the chosen language only. The API already gives the institution's people a humane failure
 * reason and no step notes; the notes (node names, VMIDs) are shown to operators and admins only.
 */
export function RequestTimeline({ request, runs }: { request: VpsRequestDto; runs: RunView[] }) {
  const { t, dateTime, locale } = useI18n();
  const technical = holdsAny(useMe().roles, TECHNICAL_READERS);
  const stepStatus = (status: string) => t(`requests.stepStatus.${status}` as 'requests.stepStatus.done');
  const runStatus = (status: string) => t(`requests.runStatus.${status}` as 'requests.runStatus.running');
  return (
    <ol className="timeline" aria-label={t('requests.timelineTitle')}>
      <li>
        <strong>{t('requests.submittedAt')}</strong>
        <span className="block muted small">{dateTime(request.createdAt)}</span>
      </li>
      {request.approvals.map((approval, index) => (
        <li key={`${approval.level}-${approval.at}-${index}`}>
          <strong>
            {approval.decision === 'approved'
              ? t('requests.approvedBy', { level: approval.level, name: approval.byName ?? '—' })
              : t('requests.rejectedBy', { level: approval.level, name: approval.byName ?? '—' })}
          </strong>
          <span className="block muted small">{dateTime(approval.at)}</span>
          {approval.comment ? <span className="block">“{approval.comment}”</span> : null}
        </li>
      ))}
      {request.pendingLevel ? (
        <li>
          <strong>{t('requests.waitingApproval', { level: request.pendingLevel.level, name: request.pendingLevel.name[locale] })}</strong>
        </li>
      ) : null}
      {runs.map((run, index) => (
        <li key={run.id} data-testid="run">
          <strong>{t(runKindKey(run.kind))}</strong>{' '}
          <StatusBadge tone={RUN_TONE[run.status] ?? 'idle'}>{runStatus(run.status)}</StatusBadge>
          {run.attempt > 1 ? <span className="muted small"> {t('requests.attempt', { n: run.attempt })}</span> : null}
          <ProgressBar label={t('requests.progressLabel', { kind: t(runKindKey(run.kind)) })} value={run.progress} />
          <span className="muted small">{t('requests.progress', { percent: Math.round(run.progress) })}</span>
          {run.error && isSuperseded(runs, index) ? (
            <p className="muted small" data-testid="run-retried">
              {t('guidance.retried')}: {pickLanguage(run.error.message, locale)}
            </p>
          ) : run.error ? (
            <p className="field-error">{pickLanguage(run.error.message, locale)}</p>
          ) : null}
          <ul className="step-list">
            {run.steps.map((step) => {
              const name = stepKey(step.key);
              return (
                <li key={step.key}>
                  <StatusBadge tone={STEP_TONE[step.status] ?? 'idle'}>{stepStatus(step.status)}</StatusBadge>
                  <span>{t(name ?? 'opBoard.step.other')}</span>
                  {step.finishedAt ? (
                    <span className="muted small">{dateTime(step.finishedAt)}</span>
                  ) : step.startedAt ? (
                    <span className="muted small">{dateTime(step.startedAt)}</span>
                  ) : null}
                  {technical && step.detail ? <span className="muted small block">{stepDetailIn(step.detail, locale)}</span> : null}
                </li>
              );
            })}
          </ul>
        </li>
      ))}
      {request.status === 'cancelled' ? (
        <li data-testid="cancelled-event">
          <strong>{t('requests.status.cancelled')}</strong>
          <span className="block muted small">{dateTime(request.updatedAt)}</span>
          {request.statusReason ? <span className="block">{t('guidance.cancelReason', { reason: request.statusReason })}</span> : null}
        </li>
      ) : null}
    </ol>
  );
}
