import { runJobId } from '@betang/core';
import { getRun, lockRun, type RunRow } from '@betang/db';
import type { WorkerDeps } from '../deps';
import { aliveSince, lastSign } from './run-liveness';
import { failRun } from '../harness/execute-run';
import { harnessOptions } from '../harness/job-attempt';
import type { RunDefinition, RunFailure } from '../harness/run-definition';
import { actionDefinition } from '../provisioning/actions/action.definition';
import { ACTION_STEPS } from '../provisioning/actions/action.definition';
import type { ActionKind } from '../provisioning/actions/action-context';
import { provisionDefinition } from '../provisioning/provision.definition';
import { settingsOf } from '../settings';

const LIVE_JOB_STATES = new Set(['active', 'waiting', 'delayed', 'prioritized', 'waiting-children']);

function definitionFor(deps: WorkerDeps, run: RunRow): RunDefinition<unknown, WorkerDeps> | undefined {
  if (run.kind === 'provision') return provisionDefinition(deps) as RunDefinition<unknown, WorkerDeps>;
  if (run.kind in ACTION_STEPS) return actionDefinition(deps, run.kind as ActionKind) as RunDefinition<unknown, WorkerDeps>;
  return undefined;
}

/**
 * Fails runs that are `running` with a stale heartbeat and no live queue job (a worker died and
 * the queue gave the job up), then runs the harness's own final-failure path (failRun: reason,
 * notification, audit, metrics, rollback). Each run is re-checked under its row lock, so concurrent reapers and a
 * resumed worker never both act. Returns the ids reaped.
 */
export async function reapRuns(deps: WorkerDeps): Promise<string[]> {
  const s = settingsOf(deps);
  const staleBefore = new Date(Date.now() - s.RUN_STALE_SECONDS * 1000);
  const candidates = await deps.db
    .selectFrom('provisioningRuns')
    .select('id')
    .where('status', '=', 'running')
    .where((eb) => eb.or([eb(lastSign, '<', staleBefore), eb(lastSign, 'is', null)]))
    .limit(100)
    .execute();
  const reaped: string[] = [];
  for (const { id } of candidates) {
    const jobIds = [runJobId(id)];
    const states = deps.jobState ? await Promise.all(jobIds.map((j) => deps.jobState?.(j))) : [undefined];
    if (states.some((st) => st !== undefined && LIVE_JOB_STATES.has(st))) continue;
    const claimed = await deps.db.transaction().execute(async (tx) => {
      const run = await lockRun(tx, id);
      if (!run || run.status !== 'running' || aliveSince(run, staleBefore)) return undefined;
      await tx.updateTable('provisioningRuns').set({ currentStep: 'reaped' }).where('id', '=', id).execute();
      return run;
    });
    if (!claimed) continue;
    const def = definitionFor(deps, claimed);
    const failure: RunFailure = {
      code: 'RUN_LOST',
      step: claimed.currentStep ?? '-',
      retryable: true,
      text: {
        id: `Worker yang menjalankan proses ini berhenti (langkah "${claimed.currentStep ?? '-'}") dan antrean tidak lagi memegang tugasnya. Tindakan: operator dapat mencoba ulang proses ini; langkah yang sudah selesai tidak diulang.`,
        en: `The worker running this run stopped (step "${claimed.currentStep ?? '-'}") and the queue no longer holds its job. What to do: an operator can retry this run; finished steps are not repeated.`,
      },
    };
    if (def) await failRun(def, (await getRun(deps.db, id)) ?? claimed, undefined, failure, harnessOptions(deps));
    deps.logger.warn({ runId: id }, 'run yatim ditandai gagal / orphaned run marked failed');
    reaped.push(id);
  }
  return reaped;
}
